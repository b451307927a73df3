// One HTTP or HTTPS connection: API routes, static files, SockJS, and the upgrade to a STOMP
// WebSocket. Instantiated for PlainStream and TlsStream (net/tls.hpp).
#pragma once

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <memory>
#include <optional>

#include "net/context.hpp"
#include "net/tls.hpp"

namespace parley::net {

namespace beast = boost::beast;
namespace http = beast::http;

template <typename Stream>
class HttpSession : public std::enable_shared_from_this<HttpSession<Stream>> {
 public:
  // A fresh connection: run() does the TLS handshake, if any, then reads requests.
  HttpSession(Stream stream, ConnectionSlot slot, Context& context);
  // A keep-alive connection coming back from a SockJS receiver, with what it read ahead:
  // resume() reads the next request.
  HttpSession(Stream stream, ConnectionSlot slot, beast::flat_buffer buffer, Context& context);
  void run();
  void resume();

 private:
  void on_handshake(beast::error_code ec);
  void do_read();
  void on_read(beast::error_code ec, std::size_t bytes);
  void upgrade(http::request<http::string_body> request);
  bool origin_ok(const http::request<http::string_body>& request);
  http::response<http::string_body> forbidden_origin(
      const http::request<http::string_body>& request);
  void respond(http::response<http::string_body> response);
  void on_write(bool keep_alive, beast::error_code ec, std::size_t bytes);

  Stream stream_;
  ConnectionSlot slot_;
  Context& context_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::shared_ptr<http::response<http::string_body>> response_;
  bool fresh_ = false;  // no request read yet on this connection
};

// Routes one non-upgrade request (exposed for tests).
http::response<http::string_body> route(Context& context,
                                        const http::request<http::string_body>& request);

}  // namespace parley::net
