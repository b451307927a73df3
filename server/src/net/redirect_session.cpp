#include "net/redirect_session.hpp"

#include <fmt/format.h>

namespace parley::net {

std::string https_location(std::string_view host_header, std::string_view fallback_host,
                           std::uint16_t tls_port, std::string_view target) {
  std::string_view host = host_header;
  if (host.starts_with('[')) {
    host = host.substr(0, host.find(']') + 1);  // [::1]:80 -> [::1]
  } else {
    host = host.substr(0, host.find(':'));
  }
  if (host.empty() || host == "[") host = fallback_host;
  if (target.empty() || target.front() != '/') target = "/";
  return fmt::format("https://{}:{}{}", host, tls_port, target);
}

RedirectSession::RedirectSession(boost::asio::ip::tcp::socket socket, ConnectionSlot slot,
                                 Context& context, std::uint16_t tls_port)
    : stream_(std::move(socket)), slot_(std::move(slot)), context_(context), tls_port_(tls_port) {}

void RedirectSession::run() {
  do_read();
}

void RedirectSession::do_read() {
  request_ = {};
  stream_.expires_after(context_.net.http_idle_timeout);
  http::async_read(stream_, buffer_, request_,
                   beast::bind_front_handler(&RedirectSession::on_read, shared_from_this()));
}

void RedirectSession::on_read(beast::error_code ec, std::size_t) {
  if (ec) return;  // end of stream, timeout, or a request too large to bother with
  const auto local = stream_.socket().local_endpoint(ec);
  const auto fallback = ec ? std::string("localhost") : local.address().to_string();
  response_ = std::make_shared<http::response<http::string_body>>(http::status::moved_permanently,
                                                                  request_.version());
  response_->set(http::field::server, "parley/" PARLEY_VERSION);
  response_->set(http::field::location, https_location(request_[http::field::host], fallback,
                                                       tls_port_, request_.target()));
  response_->set(http::field::content_type, "text/plain");
  response_->body() = "this server speaks HTTPS only\n";
  response_->keep_alive(request_.keep_alive());
  response_->prepare_payload();
  const bool keep_alive = response_->keep_alive();
  http::async_write(
      stream_, *response_,
      beast::bind_front_handler(&RedirectSession::on_write, shared_from_this(), keep_alive));
}

void RedirectSession::on_write(bool keep_alive, beast::error_code ec, std::size_t) {
  if (ec) return;
  if (!keep_alive) {
    stream_.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_send, ec);
    return;
  }
  do_read();
}

}  // namespace parley::net
