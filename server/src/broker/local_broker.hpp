// The embedded, in-process broker: topics, queues and rooms on this node.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

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

// Scale-out (cluster/): told, under the broker's lock, what other nodes must hear about rooms.
// Implementations must not block and must not call back into the broker.
class RoomReplicator {
 public:
  virtual ~RoomReplicator() = default;
  // A local session's accepted frame for room `key`: for every node with the room
  // (`remote_target` 0), or for the node of remote member `remote_target`. False when it could
  // not be queued: the SEND then gets an ERROR (local members already have it).
  virtual bool relay(SessionId session, std::string_view key, std::string_view body,
                     rooms::SessionId remote_target) = 0;
  // A local member left without a frame other nodes could relay (UNSUBSCRIBE, disconnect).
  virtual void departed(SessionId session, std::string_view key, std::string_view member_id) = 0;
  // The first local session subscribed to `key`: presence and history replies for it are
  // held until answer_held(key), so they can include what other nodes know.
  virtual void watched(std::string_view key) = 0;
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

  // ---- Scale-out: the cluster node's side (any thread) ----
  void set_replicator(RoomReplicator* replicator);
  // A remote member's frame / sync state / departure (see rooms::Registry). remote_send
  // returns whether `origin` is still in some room here.
  bool remote_send(rooms::SessionId origin, std::string_view node, std::string_view key,
                   std::string_view body);
  void remote_member(rooms::SessionId origin, std::string_view node, std::string_view key,
                     std::string_view id, std::string_view nickname,
                     const std::vector<rooms::SessionId>& tell = {});
  void remote_gone(rooms::SessionId origin);
  struct RoomState {
    std::vector<rooms::Registry::MemberInfo> members;  // local and remote
    std::vector<std::shared_ptr<const std::string>> history;
  };
  RoomState room_state(std::string_view key) const;
  void adopt_history(std::string_view key, const std::vector<std::string>& bodies);
  // Sends the presence / history replies held since watched(key).
  void answer_held(std::string_view key);
  std::size_t local_subscribers(std::string_view key) const;

 private:
  struct State;
  mutable std::mutex mutex_;
  std::unique_ptr<State> state_;
};

}  // namespace parley::broker
