// AmqpLink: this node's one connection to RabbitMQ (rabbitmq-c), run on its own thread.
//
// On every (re)connect the link declares the durable topic exchange (config.exchange), its own
// queue `parley.node.<node_id>`, enables publisher confirms, consumes the queue (as its only
// consumer) and binds it with every routing key currently wanted. The queue is durable and
// expires config.queue_expiry after its node was last connected, rather than exclusive and
// auto-delete: an auto-delete queue vanishes with the connection, so whatever other nodes sent
// while this node reconnected (or RabbitMQ restarted) would be routed nowhere. A node that
// dies for good leaves a queue that RabbitMQ deletes after the expiry; its length is capped.
// Callers on any thread only push into mutex-guarded queues: publish(), bind() and unbind() never
// wait for the network.
//
// Rules the cross-node layer can rely on:
//  - publish() returns false when the link is stopped or the outbox (config.outbox_limit
//    messages) is full; on_done is then never called. When it returns true, on_done is called
//    exactly once, on the link thread: true on the broker's ack, false on a nack or when
//    stop() runs before the ack came. A message whose connection dropped before its ack is
//    published again after the reconnect, ahead of the outbox (at least once, in order): the
//    broker may have routed it already, so receivers drop duplicates (the cross-node layer
//    numbers its messages per node).
//  - Messages published while the link is down wait in the outbox and go out after the next
//    connect, in order.
//  - A bind() made before a publish() on the same thread is applied before that message is
//    sent.
//  - A node receives its own publishes on the keys it is bound to; Delivery::from_node says
//    who published (AMQP app-id).
//  - Consumption is no-ack: signaling is worth little once late, and the few messages in the
//    socket when a connection drops are not worth a round trip per message.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace parley::cluster {

using Headers = std::vector<std::pair<std::string, std::string>>;

// Where to connect, from an amqp:// URL.
struct AmqpEndpoint {
  std::string user = "guest";
  std::string password = "guest";
  std::string host = "localhost";
  int port = 5672;
  std::string vhost = "/";
  // The URL with the password masked, for logs and errors.
  std::string redacted() const;
};

// amqp://user:pass@host:port/vhost (user, password, port and vhost optional; "amqp://host/"
// means vhost "/", not the empty vhost). Throws std::invalid_argument naming the URL (with
// the password masked) and the broken rule; amqps:// is refused (no TLS here yet).
AmqpEndpoint parse_amqp_url(std::string_view url);

struct AmqpConfig {
  std::string url;  // amqp://user:pass@host:port/vhost
  std::string exchange = "chat.exchange";
  std::string node_id;  // [A-Za-z0-9._-]{1,200}; names the queue parley.node.<node_id>
  std::chrono::milliseconds reconnect_min{200};
  std::chrono::milliseconds reconnect_max{5000};
  std::size_t outbox_limit = 10000;  // messages waiting to be sent; also caps the unconfirmed
  std::chrono::seconds heartbeat{10};
  std::chrono::milliseconds connect_timeout{2000};  // TCP connect; login and RPCs get 5 s
  std::chrono::seconds queue_expiry{60};  // the node queue outlives a disconnect this long
  std::size_t queue_max_length = 100000;  // messages; the oldest are dropped beyond
};

struct Publish {
  std::string exchange;  // "" = the default exchange: routing_key names a queue
  std::string routing_key;
  Headers headers;  // sent as string (longstr) AMQP table entries
  std::string body;
  std::function<void(bool confirmed)> on_done;  // optional; see the rules above
};

struct Delivery {
  std::string exchange;
  std::string routing_key;
  std::string from_node;  // the publisher's node_id (AMQP app-id), empty if not a parley node
  Headers headers;        // string-valued AMQP table entries only
  std::string body;
};

enum class LinkState : std::uint8_t { connecting, up, down };
std::string_view to_string(LinkState state);

struct LinkStatus {
  LinkState state = LinkState::down;
  std::string last_error;  // why the link is not up (empty when up or never tried)
};

class AmqpLink {
 public:
  using DeliveryHandler = std::function<void(Delivery)>;
  using StatusHandler = std::function<void(const LinkStatus&)>;

  struct Stats {
    std::uint64_t published = 0;       // handed to the broker
    std::uint64_t confirmed = 0;       // acked by the broker
    std::uint64_t nacked = 0;          // nacked by the broker
    std::uint64_t failed = 0;          // reported false: stop() before the ack
    std::uint64_t republished = 0;     // sent again after a connection dropped before the ack
    std::uint64_t consumed = 0;        // deliveries passed to the handler
    std::uint64_t outbox_dropped = 0;  // publish() refused because the outbox was full
    std::uint64_t reconnects = 0;      // connections established after the first
  };

  // Both handlers run on the link thread and must not block; they may call publish(), bind()
  // and unbind(). Throws std::invalid_argument for a bad config (URL, node id, limits).
  // publish(), bind() and unbind() throw std::invalid_argument for a name over 255 bytes.
  AmqpLink(AmqpConfig config, DeliveryHandler on_delivery, StatusHandler on_status = {});
  ~AmqpLink();
  AmqpLink(const AmqpLink&) = delete;
  AmqpLink& operator=(const AmqpLink&) = delete;

  // Once per link. Publishes and binds made before start() wait for the first connection.
  void start();
  // Joins the link thread: immediate while disconnected or backing off; a connected link
  // waits up to 0.5 s for outstanding confirms and closes the connection (after 1 s the
  // socket is cut). Every pending on_done gets false. From the owner, never from a handler.
  void stop();

  bool publish(Publish message);
  // The set of routing keys bound to this node's queue on config.exchange. Idempotent.
  void bind(std::string routing_key);
  void unbind(std::string routing_key);

  LinkStatus status() const;
  Stats stats() const;
  const std::string& queue_name() const { return queue_; }
  static std::string queue_for(std::string_view node_id);

 private:
  class Connection;  // rabbitmq-c connection state and socket (RAII)
  class Session;     // one connection's life on the link thread: declare, publish, consume

  struct Unconfirmed;  // a published message's on_done, until its confirm

  void run();
  void fail_unconfirmed(std::deque<Unconfirmed>& unconfirmed);
  void requeue_unconfirmed(std::deque<Unconfirmed>& unconfirmed);
  void fail_outbox();
  void set_status(LinkState state, std::string error);
  void wake() const;
  bool stopping() const;

  const AmqpConfig config_;
  const AmqpEndpoint endpoint_;
  const std::string queue_;
  const DeliveryHandler on_delivery_;
  const StatusHandler on_status_;

  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<Publish> outbox_;
  std::set<std::string> wanted_;   // routing keys bound (or to bind) on config_.exchange
  std::set<std::string> changed_;  // keys whose binding may differ from wanted_
  LinkStatus status_;
  bool stopping_ = false;
  bool exited_ = false;
  bool started_ = false;
  int socket_fd_ = -1;  // while connected, so stop() can cut a blocked call short
  int wake_fd_ = -1;    // eventfd: new outbox work, binding changes, stop

  struct Counters {
    std::atomic<std::uint64_t> published{0}, confirmed{0}, nacked{0}, failed{0}, republished{0},
        consumed{0}, outbox_dropped{0}, reconnects{0};
  } counters_;
  std::atomic<std::int64_t> last_drop_warning_{0};  // steady_clock ns; rate-limits the warning
  std::atomic<std::uint64_t> drops_reported_{0};

  std::thread thread_;
};

}  // namespace parley::cluster
