// Accepts TCP connections and hands each to an HttpSession on its own strand.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <memory>

#include "net/context.hpp"

namespace parley::net {

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  // Binds and listens; throws boost::system::system_error naming the endpoint on failure.
  Listener(boost::asio::io_context& ioc, boost::asio::ip::tcp::endpoint endpoint, Context& context);
  void run();
  void stop();  // thread-safe
  boost::asio::ip::tcp::endpoint local_endpoint() const;

 private:
  void do_accept();
  void on_accept(boost::system::error_code ec, boost::asio::ip::tcp::socket socket);

  boost::asio::io_context& ioc_;
  boost::asio::ip::tcp::acceptor acceptor_;
  Context& context_;
};

}  // namespace parley::net
