// The Broker: where a STOMP session's SUBSCRIBE/SEND/ACK go. Routes destinations:
//   /topic/<name>                           pub/sub
//   /queue/<name>                           competing consumers with ack/nack
//   /exchange/chat.exchange/room.<key>      SUBSCRIBE: join a room's signaling stream
//   /chat/room.<key>                        SEND: a room message (rules in rooms/)
// LocalBroker is the embedded in-process implementation; scale-out implements it again over
// RabbitMQ.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "broker/message.hpp"
#include "rooms/access.hpp"
#include "stomp/frame.hpp"

namespace parley::broker {

using SessionId = std::uint64_t;

enum class AckMode : std::uint8_t { automatic, client, client_individual };

// A STOMP session as the broker sees it.
class Subscriber {
 public:
  virtual ~Subscriber() = default;
  // Called from any thread, possibly with broker locks held: must not call back into the
  // broker, must not block. `ack_id` is empty for automatic-ack subscriptions.
  virtual void deliver(const std::string& subscription, const std::string& ack_id, bool redelivered,
                       const MessagePtr& message) = 0;
};

struct SubscribeRequest {
  std::string id;           // the SUBSCRIBE "id" header
  std::string destination;  // as sent
  AckMode ack = AckMode::automatic;
  bool presence = false;     // x-presence: true (rooms only)
  bool history = false;      // x-history: true (rooms only)
  std::size_t prefetch = 0;  // max unacked deliveries for client acks (0 = broker default)
  std::string password;      // x-room-password (rooms only)
};

// Empty on success; otherwise the rule that was broken, ready for an ERROR "message" header.
struct Status {
  std::string error;
  std::string_view limit;  // a literal naming the limit, when a limit refused it
  bool ok() const { return error.empty(); }
  static Status success() { return {}; }
  static Status failure(std::string rule, std::string_view limit = {}) {
    return Status{std::move(rule), limit};
  }
};

class Broker {
 public:
  virtual ~Broker() = default;

  // A session starts: the broker keeps `subscriber` until disconnect(id).
  virtual void connect(SessionId id, std::shared_ptr<Subscriber> subscriber) = 0;
  // The session proved a room token at CONNECT: rooms hold it to that grant.
  virtual void authorize(SessionId id, rooms::Access access) = 0;
  virtual Status subscribe(SessionId id, const SubscribeRequest& request) = 0;
  virtual Status unsubscribe(SessionId id, std::string_view subscription) = 0;
  // SEND: destination, user headers (content-type included) and body from the frame.
  virtual Status send(SessionId id, const stomp::Frame& frame) = 0;
  virtual Status ack(SessionId id, std::string_view ack_id) = 0;
  virtual Status nack(SessionId id, std::string_view ack_id) = 0;
  // Connection gone (closed, timed out, DISCONNECT): drop subscriptions, requeue unacked
  // queue messages, emit room leaves. Idempotent.
  virtual void disconnect(SessionId id) = 0;
};

}  // namespace parley::broker
