// One simulated user's STOMP session, over raw WebSocket or SockJS xhr-streaming, on a
// single-threaded io_context shared by thousands of them. The scenario (main.cpp) owns the
// connections and hears from them through Listener; a connection never outlives its io_context.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "wire.hpp"

namespace loadgen {

struct Target {
  boost::asio::ip::tcp::endpoint endpoint;
  std::string host;  // Host header
  std::string path;  // "/ws" (WebSocket) or "/stomp" (SockJS base)
};

class Listener {
 public:
  virtual ~Listener() = default;
  /// The transport is up: the STOMP CONNECT may go.
  virtual void on_open(std::size_t index) = 0;
  virtual void on_stomp(std::size_t index, const StompFrame& frame) = 0;
  /// The connection failed or was closed by the server; nothing more comes from it.
  virtual void on_failure(std::size_t index, std::string_view what) = 0;
};

class Connection {
 public:
  virtual ~Connection() = default;
  virtual void start() = 0;
  /// Queues one STOMP frame; frames queued while a write is in flight go out together.
  virtual void send(std::string_view stomp_frame) = 0;
};

std::unique_ptr<Connection> make_ws_connection(boost::asio::io_context& io, const Target& target,
                                               Listener& listener, std::size_t index);
std::unique_ptr<Connection> make_xhr_streaming_connection(boost::asio::io_context& io,
                                                          const Target& target, Listener& listener,
                                                          std::size_t index);

}  // namespace loadgen
