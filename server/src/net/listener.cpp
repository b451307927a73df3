#include "net/listener.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/bind_handler.hpp>

namespace parley::net {

namespace beast = boost::beast;

Listener::Listener(boost::asio::io_context& ioc, boost::asio::ip::tcp::endpoint endpoint,
                   Context& context, Serve serve, std::string refusal)
    : ioc_(ioc),
      acceptor_(boost::asio::make_strand(ioc)),
      context_(context),
      serve_(std::move(serve)),
      refusal_(std::move(refusal)) {
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(boost::asio::socket_base::reuse_address(true));
  acceptor_.bind(endpoint);
  acceptor_.listen(boost::asio::socket_base::max_listen_connections);
}

void Listener::run() {
  do_accept();
}

void Listener::stop() {
  boost::asio::post(acceptor_.get_executor(), [self = shared_from_this()] {
    boost::system::error_code ignored;
    self->acceptor_.close(ignored);
  });
}

boost::asio::ip::tcp::endpoint Listener::local_endpoint() const {
  return acceptor_.local_endpoint();
}

void Listener::do_accept() {
  // Each connection gets its own strand: its handlers never run concurrently.
  acceptor_.async_accept(boost::asio::make_strand(ioc_),
                         beast::bind_front_handler(&Listener::on_accept, shared_from_this()));
}

void Listener::on_accept(boost::system::error_code ec, boost::asio::ip::tcp::socket socket) {
  if (ec == boost::asio::error::operation_aborted || !acceptor_.is_open()) return;
  if (ec) {
    // EMFILE and friends: log and keep accepting rather than dying.
    spdlog::warn("accept failed: {}", ec.message());
  } else {
    context_.metrics.connections_total.fetch_add(1, std::memory_order_relaxed);
    const auto peer = socket.remote_endpoint(ec).address();
    if (!ec) {  // else it was reset before we looked: nothing to serve, no place to take
      auto admission = context_.connections.acquire(peer);
      if (!admission.ticket) {
        refuse(socket, admission.refusal, peer);
      } else {
        socket.set_option(boost::asio::ip::tcp::no_delay(true), ec);
        serve_(std::move(socket), std::move(admission.ticket));
      }
    }
  }
  do_accept();
}

void Listener::refuse(boost::asio::ip::tcp::socket& socket, AddressCounter::Refusal why,
                      const boost::asio::ip::address& peer) {
  const bool total = why == AddressCounter::Refusal::total;
  const auto& limits = context_.connections.limits();
  context_.limit_hit(
      total ? "connections" : "connections_per_ip",
      fmt::format("refusing a connection from {}: {} open (max {})", peer.to_string(),
                  total ? context_.connections.count() : context_.connections.count(peer),
                  total ? limits.total : limits.per_address));
  boost::system::error_code ignored;
  if (!refusal_.empty()) {
    // A fresh socket's send buffer is empty: this cannot block, and it may not be read.
    socket.non_blocking(true, ignored);
    socket.write_some(boost::asio::buffer(refusal_), ignored);
    socket.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
  }
  socket.close(ignored);
}

}  // namespace parley::net
