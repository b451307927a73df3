// Accepts TCP connections and hands each, on its own strand, to the session kind the node
// chose for this port (HTTP, HTTPS, or the HTTP->HTTPS redirect).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <functional>
#include <memory>
#include <string>

#include "net/context.hpp"

namespace parley::net {

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  // Starts a session on an accepted socket. The slot holds the connection's place under
  // --max-connections and --max-connections-per-ip until the last session owning it ends.
  using Serve = std::function<void(boost::asio::ip::tcp::socket, ConnectionSlot)>;

  // Binds and listens; throws boost::system::system_error naming the endpoint on failure.
  // `refusal`: bytes written (best effort) to a connection refused by a limit before it is
  // closed, e.g. an HTTP 503; empty for TLS ports.
  Listener(boost::asio::io_context& ioc, boost::asio::ip::tcp::endpoint endpoint, Context& context,
           Serve serve, std::string refusal = {});
  void run();
  void stop();  // thread-safe
  boost::asio::ip::tcp::endpoint local_endpoint() const;

 private:
  void do_accept();
  void on_accept(boost::system::error_code ec, boost::asio::ip::tcp::socket socket);
  void refuse(boost::asio::ip::tcp::socket& socket, AddressCounter::Refusal why,
              const boost::asio::ip::address& peer);

  boost::asio::io_context& ioc_;
  boost::asio::ip::tcp::acceptor acceptor_;
  Context& context_;
  Serve serve_;
  std::string refusal_;
};

}  // namespace parley::net
