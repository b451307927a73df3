#include "cluster/node.hpp"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>

#include <algorithm>
#include <charconv>
#include <vector>

namespace parley::cluster {
namespace {

namespace json = boost::json;
using Clock = std::chrono::steady_clock;

// Every node binds this key: heart-beats, goodbyes and sync requests.
constexpr std::string_view kNodesKey = "parley.nodes";
constexpr auto kTick = std::chrono::milliseconds(50);

std::string_view header(const Delivery& d, std::string_view name) {
  for (const auto& [key, value] : d.headers) {
    if (key == name) return value;
  }
  return {};
}

std::uint64_t number(std::string_view text) {
  std::uint64_t value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

std::string room_key_of(std::string_view key) {
  return "room." + std::string(key);
}

}  // namespace

ClusterNode::ClusterNode(ClusterConfig config, broker::LocalBroker& broker)
    : config_(std::move(config)),
      broker_(broker),
      // A restarted node with the same --node-id must not look like a replay: start the
      // sequence at the wall clock (µs), which only grows across restarts.
      seq_(static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                          std::chrono::system_clock::now().time_since_epoch())
                                          .count())) {
  link_ = std::make_unique<AmqpLink>(
      config_.amqp, [this](Delivery d) { on_delivery(std::move(d)); },
      [this](const LinkStatus& status) { on_status(status); });
}

ClusterNode::~ClusterNode() {
  stop();
}

void ClusterNode::start() {
  link_->bind(std::string(kNodesKey));
  broker_.set_replicator(this);
  link_->start();
  timer_ = std::thread([this] { timer_loop(); });
  spdlog::info("cluster: node {} on {} (exchange {}, node timeout {} ms)", node_id(),
               parse_amqp_url(config_.amqp.url).redacted(), config_.amqp.exchange,
               config_.node_timeout.count());
}

void ClusterNode::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  cv_.notify_all();
  if (timer_.joinable()) timer_.join();
  broker_.set_replicator(nullptr);
  // The others drop this node's members now rather than after node_timeout.
  publish("bye", config_.amqp.exchange, std::string(kNodesKey), {}, {});
  link_->stop();
}

ClusterStats ClusterNode::stats() const {
  ClusterStats out;
  out.link = link_->stats();
  out.status = link_->status();
  out.dead_nodes = dead_nodes_.load(std::memory_order_relaxed);
  out.duplicates = duplicates_.load(std::memory_order_relaxed);
  out.relay_refused = relay_refused_.load(std::memory_order_relaxed);
  std::lock_guard lock(mutex_);
  out.nodes = nodes_.size();
  return out;
}

bool ClusterNode::publish(std::string_view kind, std::string exchange, std::string routing_key,
                          Headers extra, std::string body) {
  Headers headers{{"k", std::string(kind)}, {}};
  headers.insert(headers.end(), std::make_move_iterator(extra.begin()),
                 std::make_move_iterator(extra.end()));
  // Sequence numbers must reach the outbox in order (receivers drop anything not newer).
  std::lock_guard lock(publish_mutex_);
  headers[1] = {"s", std::to_string(++seq_)};
  return link_->publish(Publish{
      std::move(exchange), std::move(routing_key), std::move(headers), std::move(body), {}});
}

// ---- RoomReplicator (under the broker's lock: no calls back into it) ----

bool ClusterNode::relay(broker::SessionId session, std::string_view key, std::string_view body,
                        rooms::SessionId remote_target) {
  Headers extra{{"o", std::to_string(session)}, {"r", std::string(key)}};
  bool queued = true;
  if (remote_target != 0) {
    std::string node;
    {
      std::lock_guard lock(mutex_);
      auto it = origin_of_.find(remote_target);
      if (it == origin_of_.end()) return true;  // gone meanwhile: like a signal to a leaver
      node = it->second.node;
    }
    queued = publish("f", {}, AmqpLink::queue_for(node), std::move(extra), std::string(body));
  } else {
    queued =
        publish("f", config_.amqp.exchange, room_key_of(key), std::move(extra), std::string(body));
  }
  if (!queued) relay_refused_.fetch_add(1, std::memory_order_relaxed);
  return queued;
}

void ClusterNode::departed(broker::SessionId session, std::string_view key,
                           std::string_view member_id) {
  json::object leave{{"type", "leave"}, {"from", member_id}};
  Headers extra{{"o", std::to_string(session)}, {"r", std::string(key)}};
  if (!publish("f", config_.amqp.exchange, room_key_of(key), std::move(extra),
               json::serialize(leave))) {
    relay_refused_.fetch_add(1, std::memory_order_relaxed);
    spdlog::warn("cluster: outbox full, other nodes miss the leave of '{}' in room {}", member_id,
                 key);
  }
}

void ClusterNode::watched(std::string_view key) {
  const std::string routing_key = room_key_of(key);
  {
    std::lock_guard lock(mutex_);
    rooms_.insert(routing_key);
  }
  link_->bind(routing_key);
  request_sync(std::string(key));
}

// ---- sync ----

void ClusterNode::request_sync(const std::string& key) {
  {
    std::lock_guard lock(mutex_);
    Sync& sync = syncs_[key];
    sync.deadline = Clock::now() + config_.sync_wait;
    sync.waiting.clear();
    // Only worth waiting for nodes we can hear; with none, the timer answers at once.
    if (link_up_) {
      for (const auto& [node, peer] : nodes_) sync.waiting.insert(node);
    }
    if (sync.waiting.empty()) sync.deadline = Clock::now();
  }
  cv_.notify_all();
  publish("sync", config_.amqp.exchange, std::string(kNodesKey), Headers{{"r", key}}, {});
}

void ClusterNode::answer_sync(const std::string& from_node, const std::string& key) {
  const broker::LocalBroker::RoomState state = broker_.room_state(key);
  // Our members, and the order in which we saw everyone (`seen`): the asker tells its own
  // members of our joins that came after theirs, which it was not bound to hear.
  json::array members;
  json::object seen;
  for (const auto& m : state.members) {
    seen[m.id] = m.seq;
    if (!m.local) continue;
    members.push_back(
        json::object{{"o", m.session}, {"id", m.id}, {"nick", m.nickname}, {"seq", m.seq}});
  }
  json::array history;
  for (const auto& body : state.history) history.push_back(json::string(*body));
  json::object reply{
      {"members", std::move(members)}, {"seen", std::move(seen)}, {"history", std::move(history)}};
  publish("state", {}, AmqpLink::queue_for(from_node), Headers{{"r", key}}, json::serialize(reply));
}

void ClusterNode::apply_state(const std::string& from_node, const std::string& key,
                              std::string_view body) {
  json::error_code ec;
  const json::value parsed = json::parse(body, ec);
  if (!ec && parsed.is_object()) {
    // Our members the other node saw join before one of its own: that join was published
    // before we were bound to hear it, so they are told now (seed clients: the earlier member
    // offers to the newcomer).
    std::vector<std::pair<std::uint64_t, rooms::SessionId>> ours;  // its seq of our member
    const json::object* seen = nullptr;
    if (const auto* s = parsed.as_object().if_contains("seen")) seen = s->if_object();
    if (seen != nullptr) {
      for (const auto& m : broker_.room_state(key).members) {
        if (!m.local) continue;
        if (const auto* seq = seen->if_contains(m.id); seq && seq->is_uint64()) {
          ours.emplace_back(seq->as_uint64(), m.session);
        }
      }
    }
    if (const auto* members = parsed.as_object().if_contains("members");
        members && members->is_array()) {
      for (const json::value& m : members->as_array()) {
        const auto* obj = m.if_object();
        if (obj == nullptr) continue;
        const auto* o = obj->if_contains("o");
        const auto* id = obj->if_contains("id");
        const auto* nick = obj->if_contains("nick");
        if (!o || (!o->is_uint64() && !o->is_int64()) || !id || !id->is_string()) continue;
        const auto session =
            o->is_uint64() ? o->as_uint64() : static_cast<std::uint64_t>(o->as_int64());
        const rooms::SessionId origin = origin_for(from_node, session);
        std::vector<rooms::SessionId> tell;
        if (const auto* seq = obj->if_contains("seq"); seq && seq->is_uint64()) {
          for (const auto& [their_seq, local] : ours) {
            if (their_seq < seq->as_uint64()) tell.push_back(local);
          }
        }
        broker_.remote_member(
            origin, from_node, key, id->as_string(),
            nick && nick->is_string() ? std::string_view(nick->as_string()) : std::string_view{},
            tell);
      }
    }
    if (const auto* history = parsed.as_object().if_contains("history");
        history && history->is_array() && !history->as_array().empty()) {
      std::vector<std::string> bodies;
      for (const json::value& h : history->as_array()) {
        if (h.is_string()) bodies.emplace_back(h.as_string());
      }
      broker_.adopt_history(key, bodies);
    }
  } else {
    spdlog::warn("cluster: unreadable room state for {} from node {}", key, from_node);
  }
  bool done = false;
  {
    std::lock_guard lock(mutex_);
    auto it = syncs_.find(key);
    if (it != syncs_.end()) {
      it->second.waiting.erase(from_node);
      done = it->second.waiting.empty();
      if (done) syncs_.erase(it);
    }
  }
  if (done) broker_.answer_held(key);
}

// ---- incoming ----

rooms::SessionId ClusterNode::origin_for(const std::string& node, std::uint64_t session) {
  std::lock_guard lock(mutex_);
  auto [it, created] = origins_.try_emplace({node, session}, next_origin_);
  if (created) {
    origin_of_.emplace(next_origin_, Origin{node, session});
    ++next_origin_;
  }
  return it->second;
}

void ClusterNode::on_delivery(Delivery d) {
  if (d.from_node.empty() || d.from_node == node_id()) return;  // our own, via our bindings
  const std::string_view kind = header(d, "k");
  const std::uint64_t seq = number(header(d, "s"));
  bool returned = false;
  {
    std::lock_guard lock(mutex_);
    auto [it, fresh] = nodes_.try_emplace(d.from_node);
    PeerNode& peer = it->second;
    if (!fresh && seq <= peer.last_seq) {
      duplicates_.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    peer.last_seq = seq;
    peer.last_seen = Clock::now();
    returned = dead_.erase(d.from_node) > 0;
    if (fresh) spdlog::info("cluster: node {} is up", d.from_node);
  }
  if (returned) {
    // A node we gave up on is back: what it holds is unknown here until we ask again.
    std::vector<std::string> keys;
    {
      std::lock_guard lock(mutex_);
      for (const auto& routing_key : rooms_) keys.push_back(routing_key.substr(5));
    }
    for (const auto& key : keys) request_sync(key);
  }
  const std::string key(header(d, "r"));
  if (kind == "f") {
    const rooms::SessionId origin = origin_for(d.from_node, number(header(d, "o")));
    if (!broker_.remote_send(origin, d.from_node, key, d.body)) {
      std::lock_guard lock(mutex_);
      auto it = origin_of_.find(origin);
      if (it != origin_of_.end()) {
        origins_.erase({it->second.node, it->second.session});
        origin_of_.erase(it);
      }
    }
  } else if (kind == "sync") {
    answer_sync(d.from_node, key);
  } else if (kind == "state") {
    apply_state(d.from_node, key, d.body);
  } else if (kind == "bye") {
    forget_node(d.from_node, "left the cluster");
  }
}

void ClusterNode::on_status(const LinkStatus& status) {
  std::vector<std::string> resync;
  {
    std::lock_guard lock(mutex_);
    const bool up = status.state == LinkState::up;
    if (up && !link_up_) {
      up_since_ = Clock::now();
      // Silence while we could not hear anyone proves nothing about them.
      for (auto& [node, peer] : nodes_) peer.last_seen = up_since_;
      for (const auto& routing_key : rooms_) resync.push_back(routing_key.substr(5));
    }
    link_up_ = up;
  }
  // Whatever happened in our rooms while the link was down: ask again.
  for (const auto& key : resync) request_sync(key);
}

void ClusterNode::forget_node(const std::string& node, std::string_view why) {
  std::vector<rooms::SessionId> gone;
  {
    std::lock_guard lock(mutex_);
    nodes_.erase(node);
    dead_.insert(node);
    for (auto it = origin_of_.begin(); it != origin_of_.end();) {
      if (it->second.node == node) {
        gone.push_back(it->first);
        origins_.erase({it->second.node, it->second.session});
        it = origin_of_.erase(it);
      } else {
        ++it;
      }
    }
    for (auto& [key, sync] : syncs_) sync.waiting.erase(node);
  }
  dead_nodes_.fetch_add(1, std::memory_order_relaxed);
  spdlog::warn("cluster: node {} {}: {} of its sessions leave their rooms", node, why, gone.size());
  for (rooms::SessionId origin : gone) broker_.remote_gone(origin);
  cv_.notify_all();
}

std::string render_metrics(const ClusterStats& s) {
  std::string out;
  auto metric = [&](std::string_view name, std::string_view type, std::string_view help,
                    auto value) {
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n{} {}\n", name, help, name, type, name, value);
  };
  metric("parley_cluster_up", "gauge", "1 while the RabbitMQ link is up.",
         s.status.state == LinkState::up ? 1 : 0);
  metric("parley_cluster_nodes", "gauge", "Other live nodes heard from.", s.nodes);
  metric("parley_cluster_published_total", "counter", "Messages handed to RabbitMQ.",
         s.link.published);
  metric("parley_cluster_confirmed_total", "counter", "Publishes confirmed by RabbitMQ.",
         s.link.confirmed);
  metric("parley_cluster_republished_total", "counter",
         "Publishes sent again after a connection dropped before their confirm.",
         s.link.republished);
  metric("parley_cluster_consumed_total", "counter", "Messages received from other nodes.",
         s.link.consumed);
  metric("parley_cluster_outbox_dropped_total", "counter",
         "Publishes refused because the outbox was full.", s.link.outbox_dropped);
  metric("parley_cluster_duplicates_total", "counter", "Messages received twice and dropped.",
         s.duplicates);
  metric("parley_cluster_reconnects_total", "counter", "Reconnections to RabbitMQ.",
         s.link.reconnects);
  metric("parley_cluster_dead_nodes_total", "counter",
         "Nodes declared dead (missed heart-beats or left).", s.dead_nodes);
  return out;
}

// ---- timer thread ----

void ClusterNode::timer_loop() {
  pthread_setname_np(pthread_self(), "cluster-timer");
  auto next_heartbeat = Clock::now();
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    cv_.wait_for(lock, kTick);
    if (stopping_) break;
    lock.unlock();
    const auto now = Clock::now();
    if (now >= next_heartbeat) {
      publish("hb", config_.amqp.exchange, std::string(kNodesKey), {}, {});
      next_heartbeat = now + config_.heartbeat;
    }
    tick(now);
    lock.lock();
  }
}

void ClusterNode::tick(Clock::time_point now) {
  std::vector<std::string> finished;
  std::vector<std::string> dead;
  std::vector<std::string> bound;
  {
    std::lock_guard lock(mutex_);
    for (auto it = syncs_.begin(); it != syncs_.end();) {
      if (now >= it->second.deadline || it->second.waiting.empty()) {
        finished.push_back(it->first);
        it = syncs_.erase(it);
      } else {
        ++it;
      }
    }
    if (link_up_ && now - up_since_ >= config_.node_timeout) {
      for (const auto& [node, peer] : nodes_) {
        if (now - peer.last_seen > config_.node_timeout) dead.push_back(node);
      }
    }
    bound.assign(rooms_.begin(), rooms_.end());
  }
  for (const auto& key : finished) broker_.answer_held(key);
  for (const auto& node : dead) forget_node(node, "missed its heart-beats");
  // Rooms with no local subscriber any more: stop hearing about them.
  for (const auto& routing_key : bound) {
    const std::string key = routing_key.substr(5);
    if (broker_.local_subscribers(key) != 0) continue;
    {
      std::lock_guard lock(mutex_);
      rooms_.erase(routing_key);
    }
    link_->unbind(routing_key);
    // A subscriber that arrived meanwhile was bound by watched(): keep it bound.
    if (broker_.local_subscribers(key) != 0) {
      {
        std::lock_guard lock(mutex_);
        rooms_.insert(routing_key);
      }
      link_->bind(routing_key);
    }
  }
}

}  // namespace parley::cluster
