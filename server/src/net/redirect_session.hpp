// One connection to the --http-redirect-port listener: every request gets a 301 to the same
// target on the HTTPS port.
#pragma once

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "net/context.hpp"

namespace parley::net {

namespace beast = boost::beast;
namespace http = beast::http;

class RedirectSession : public std::enable_shared_from_this<RedirectSession> {
 public:
  RedirectSession(boost::asio::ip::tcp::socket socket, ConnectionSlot slot, Context& context,
                  std::uint16_t tls_port);
  void run();

 private:
  void do_read();
  void on_read(beast::error_code ec, std::size_t bytes);
  void on_write(bool keep_alive, beast::error_code ec, std::size_t bytes);

  beast::tcp_stream stream_;
  ConnectionSlot slot_;
  Context& context_;
  std::uint16_t tls_port_;
  beast::flat_buffer buffer_;
  http::request<http::empty_body> request_;
  std::shared_ptr<http::response<http::string_body>> response_;
};

// https://<host of `host_header`, else `fallback_host`>:<tls_port><target> (exposed for tests).
std::string https_location(std::string_view host_header, std::string_view fallback_host,
                           std::uint16_t tls_port, std::string_view target);

}  // namespace parley::net
