// One HTTP connection: API routes, static files, and the upgrade to a STOMP WebSocket.
#pragma once

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <memory>
#include <optional>

#include "net/context.hpp"

namespace parley::net {

namespace beast = boost::beast;
namespace http = beast::http;

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(boost::asio::ip::tcp::socket socket, Context& context);
  // A keep-alive connection coming back from a SockJS receiver, with what it read ahead.
  HttpSession(beast::tcp_stream stream, beast::flat_buffer buffer, Context& context);
  ~HttpSession();
  void run();

 private:
  void do_read();
  void on_read(beast::error_code ec, std::size_t bytes);
  void upgrade(http::request<http::string_body> request);
  bool origin_ok(const http::request<http::string_body>& request);
  http::response<http::string_body> forbidden_origin(
      const http::request<http::string_body>& request);
  void respond(http::response<http::string_body> response);
  void on_write(bool keep_alive, beast::error_code ec, std::size_t bytes);

  beast::tcp_stream stream_;
  Context& context_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::shared_ptr<http::response<http::string_body>> response_;
  bool upgraded_ = false;
};

// Routes one non-upgrade request (exposed for tests).
http::response<http::string_body> route(Context& context,
                                        const http::request<http::string_body>& request);

}  // namespace parley::net
