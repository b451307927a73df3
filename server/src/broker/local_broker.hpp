// The embedded, in-process broker: topics, queues and rooms on this node.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>

#include "broker/broker.hpp"
#include "rooms/registry.hpp"

namespace parley::broker {

struct LocalBrokerLimits {
  std::size_t max_queue_depth = 10000;  // messages waiting in one /queue/ without consumer
  std::size_t max_unacked = 1000;       // default prefetch for client-ack subscriptions
  rooms::Limits rooms;
};

struct BrokerStats {
  std::size_t rooms = 0;
  std::size_t members = 0;
  std::size_t topics = 0;
  std::size_t queues = 0;
  std::size_t queued_messages = 0;
  std::size_t unacked_messages = 0;
};

class LocalBroker final : public Broker {
 public:
  explicit LocalBroker(LocalBrokerLimits limits = {});
  ~LocalBroker() override;

  void connect(SessionId id, std::shared_ptr<Subscriber> subscriber) override;
  void authorize(SessionId id, rooms::Access access) override;
  Status subscribe(SessionId id, const SubscribeRequest& request) override;
  Status unsubscribe(SessionId id, std::string_view subscription) override;
  Status send(SessionId id, const stomp::Frame& frame) override;
  Status ack(SessionId id, std::string_view ack_id) override;
  Status nack(SessionId id, std::string_view ack_id) override;
  void disconnect(SessionId id) override;

  // Periodic housekeeping (expired room history).
  void sweep(rooms::Clock::time_point now);
  BrokerStats stats() const;

 private:
  struct State;
  mutable std::mutex mutex_;
  std::unique_ptr<State> state_;
};

}  // namespace parley::broker
