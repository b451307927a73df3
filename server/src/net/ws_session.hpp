// A STOMP session over a raw WebSocket (/ws, /stomp/websocket), plain or TLS.
#pragma once

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/container/devector.hpp>
#include <memory>
#include <vector>

#include "broker/broker.hpp"
#include "net/context.hpp"
#include "net/tls.hpp"
#include "stomp/session.hpp"

namespace parley::net {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;

template <typename Stream>
class WsSession final : public std::enable_shared_from_this<WsSession<Stream>>,
                        public broker::Subscriber,
                        public stomp::Output,
                        public Closable,
                        public Corked {
 public:
  WsSession(Stream stream, ConnectionSlot slot, Context& context, stomp::Version max_version,
            std::string subprotocol);
  ~WsSession() override;

  void run(http::request<http::string_body> request);

  // broker::Subscriber: any thread.
  void deliver(const std::string& subscription, const std::string& ack_id, bool redelivered,
               const broker::MessagePtr& message) override;
  // stomp::Output: on the strand.
  void write(stomp::Outbound frame) override;
  void close() override;
  // Closable: any thread.
  void shutdown() override;
  // Corked: the I/O thread, when the cork is enabled.
  void start_write() override { do_write(); }

 private:
  void on_accept(beast::error_code ec);
  void do_read();
  void on_read(beast::error_code ec, std::size_t bytes);
  void next_write();  // now, or at the cork's next flush
  void do_write();
  void on_write(beast::error_code ec, std::size_t bytes);
  void do_close();
  void arm_timer();
  void on_timer(beast::error_code ec);
  void drop(std::string_view reason);
  void finish();

  websocket::stream<Stream> ws_;
  ConnectionSlot slot_;
  Context& context_;
  std::string subprotocol_;
  stomp::Session session_;
  beast::flat_buffer buffer_;
  boost::asio::steady_timer timer_;
  // devector, not deque: an idle session holds no allocation for its empty queue (libstdc++
  // deque allocates a 512-byte block on construction)
  boost::container::devector<stomp::Outbound> queue_;
  std::vector<boost::asio::const_buffer> gather_;  // the message being written
  std::size_t batch_ = 0;                          // frames of queue_ in it
  std::size_t queued_bytes_ = 0;
  bool writing_ = false;
  bool closing_ = false;   // close requested: flush, then close
  bool finished_ = false;  // broker left, socket closing or closed
  bool was_connected_ = false;
  std::uint64_t track_key_ = 0;
};

}  // namespace parley::net
