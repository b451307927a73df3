// ClusterNode: rooms that span parley nodes, over RabbitMQ (issue 7; docs/PROTOCOL.md
// "Scale-out"). It sits between this node's LocalBroker (which keeps applying every room rule
// to its own sessions and to its view of the other nodes' members) and an AmqpLink:
//
//  - a local member's frame that other nodes must see goes to `chat.exchange` with routing key
//    `room.<key>`: every node with a local subscriber in that room is bound to it. A signal
//    (offer / answer / ice) for a member of another node goes to that node's queue only.
//  - a node that gets its first local subscriber in a room binds `room.<key>` and asks the
//    others for their members and chat history (`sync`); presence and history replies to
//    that subscriber wait for the answers (at most sync_wait).
//  - nodes publish a heart-beat; a node silent for node_timeout (while this node's own link is
//    up) is dead: its members leave, as if their connections had closed here.
//  - every message carries its node's sequence number: the link publishes at least once, in
//    order, so a receiver drops what it has already seen.
// AMQP I/O runs on the link's thread and a timer thread, never on the WebSocket I/O threads.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>

#include "broker/local_broker.hpp"
#include "cluster/amqp_link.hpp"

namespace parley::cluster {

struct ClusterConfig {
  AmqpConfig amqp;
  std::chrono::milliseconds heartbeat{1000};
  std::chrono::milliseconds node_timeout{10000};
  std::chrono::milliseconds sync_wait{500};
};

struct ClusterStats {
  AmqpLink::Stats link;
  LinkStatus status;
  std::size_t nodes = 0;            // other live nodes
  std::uint64_t dead_nodes = 0;     // nodes declared dead since start
  std::uint64_t duplicates = 0;     // messages received twice and dropped
  std::uint64_t relay_refused = 0;  // local frames refused because the outbox was full
};

// Prometheus text for /metrics (parley_cluster_*).
std::string render_metrics(const ClusterStats& stats);

class ClusterNode final : public broker::RoomReplicator {
 public:
  ClusterNode(ClusterConfig config, broker::LocalBroker& broker);
  ~ClusterNode() override;
  ClusterNode(const ClusterNode&) = delete;
  ClusterNode& operator=(const ClusterNode&) = delete;

  void start();
  // Tells the other nodes this one is leaving (they drop its members at once), then stops.
  void stop();

  const std::string& node_id() const { return config_.amqp.node_id; }
  ClusterStats stats() const;

  // broker::RoomReplicator (called under the broker's lock)
  bool relay(broker::SessionId session, std::string_view key, std::string_view body,
             rooms::SessionId remote_target) override;
  void departed(broker::SessionId session, std::string_view key,
                std::string_view member_id) override;
  void watched(std::string_view key) override;

 private:
  struct Origin {
    std::string node;
    std::uint64_t session;
  };
  struct PeerNode {
    std::chrono::steady_clock::time_point last_seen;
    std::uint64_t last_seq = 0;
  };
  struct Sync {
    std::chrono::steady_clock::time_point deadline;
    std::set<std::string> waiting;  // live nodes that have not answered yet
  };

  void on_delivery(Delivery delivery);
  void on_status(const LinkStatus& status);
  void timer_loop();
  void tick(std::chrono::steady_clock::time_point now);

  // Headers k (kind) and s (this node's next sequence number), then `extra`.
  bool publish(std::string_view kind, std::string exchange, std::string routing_key, Headers extra,
               std::string body);
  void request_sync(const std::string& key);
  void answer_sync(const std::string& from_node, const std::string& key);
  void apply_state(const std::string& from_node, const std::string& key, std::string_view body);
  void forget_node(const std::string& node, std::string_view why);
  rooms::SessionId origin_for(const std::string& node, std::uint64_t session);

  const ClusterConfig config_;
  broker::LocalBroker& broker_;
  std::unique_ptr<AmqpLink> link_;

  std::atomic<std::uint64_t> seq_{0};
  std::atomic<std::uint64_t> duplicates_{0};
  std::atomic<std::uint64_t> dead_nodes_{0};
  std::atomic<std::uint64_t> relay_refused_{0};

  std::mutex publish_mutex_;  // sequence number + outbox push, atomically
  mutable std::mutex mutex_;  // never held while calling into the broker
  std::condition_variable cv_;
  bool stopping_ = false;
  bool link_up_ = false;
  std::chrono::steady_clock::time_point up_since_{};
  std::map<std::string, PeerNode> nodes_;  // other nodes heard from
  std::set<std::string> rooms_;            // routing keys this node binds
  std::set<std::string> dead_;             // nodes declared dead
  std::map<std::string, Sync> syncs_;      // room key -> sync in progress
  std::map<std::pair<std::string, std::uint64_t>, rooms::SessionId> origins_;
  std::unordered_map<rooms::SessionId, Origin> origin_of_;  // remote member -> its node, session
  rooms::SessionId next_origin_ = rooms::SessionId{1} << 62;
  std::thread timer_;
};

}  // namespace parley::cluster
