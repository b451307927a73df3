// A STOMP session carried by SockJS: the glue between the pure SockJS state machine
// (sockjs/session.hpp), the STOMP session (stomp/session.hpp) and whatever connection is
// currently receiving for it (an HTTP response or a WebSocket).
//
// Everything runs on the session's own strand. Receivers live on their connections' strands;
// the two talk by posting.
#pragma once

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <memory>
#include <string>
#include <vector>

#include "broker/broker.hpp"
#include "net/context.hpp"
#include "sockjs/session.hpp"
#include "stomp/session.hpp"

namespace parley::net {

// The connection that currently receives frames for a SockJS session.
class SockjsReceiver {
 public:
  virtual ~SockjsReceiver() = default;
  // SockJS frames, not yet wrapped for the transport. After `end` the receiver finishes its
  // response (or closes its WebSocket); the session has already let go of it. Thread-safe.
  virtual void send(std::vector<std::string> frames, bool end) = 0;
};

class SockjsService;

class SockjsSession final : public std::enable_shared_from_this<SockjsSession>,
                            public broker::Subscriber,
                            public stomp::Output,
                            public Closable {
 public:
  // `id` is empty for WebSocket sessions, which cannot be reattached.
  // `place`: the session's place under --sockjs-max-sessions-per-ip (none for WebSockets).
  SockjsSession(Context& context, SockjsService& service, std::string id,
                boost::asio::any_io_executor executor, AddressCounter::Ticket place = {});
  ~SockjsSession() override;

  const std::string& id() const { return id_; }

  // All thread-safe (they post onto the session's strand).
  void start();
  void attach(std::shared_ptr<SockjsReceiver> receiver, sockjs::ReceiverKind kind);
  void detach(const SockjsReceiver* receiver, sockjs::DetachCause cause);
  // Messages from xhr_send / jsonp_send / the WebSocket: each one is STOMP bytes.
  void incoming(std::vector<std::string> messages);

  // broker::Subscriber: any thread.
  void deliver(const std::string& subscription, const std::string& ack_id, bool redelivered,
               const broker::MessagePtr& message) override;
  // stomp::Output: on the strand.
  void write(stomp::Outbound frame) override;
  void close() override;
  // Closable: any thread.
  void shutdown() override;

 private:
  template <typename F>
  void on_strand(F&& f);
  void emit(sockjs::Delivery delivery);
  // Queues one SockJS message for the client (a STOMP frame, or an echo).
  void echo(std::string text);
  void arm_timer();
  void on_timer(boost::system::error_code ec);
  void check_closed();
  void finish();
  void end_stomp();
  bool carries_stomp() const { return app_ == SockjsConfig::App::stomp; }

  Context& context_;
  SockjsService& service_;
  SockjsConfig::App app_;
  std::string id_;
  AddressCounter::Ticket place_;
  boost::asio::strand<boost::asio::any_io_executor> strand_;
  sockjs::Session sockjs_;
  stomp::Session stomp_;
  boost::asio::steady_timer timer_;
  stomp::Clock::time_point stomp_deadline_{};
  stomp::Clock::time_point armed_for_ = stomp::Clock::time_point::max();
  std::shared_ptr<SockjsReceiver> receiver_;
  std::uint64_t track_key_ = 0;
  bool stomp_ended_ = false;
  bool finished_ = false;
};

}  // namespace parley::net
