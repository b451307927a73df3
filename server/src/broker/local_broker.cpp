#include "broker/local_broker.hpp"

#include <algorithm>
#include <array>
#include <cassert>
#include <charconv>
#include <cstdint>
#include <deque>
#include <functional>
#include <iterator>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <unordered_map>
#include <utility>
#include <vector>

#include "broker/destination.hpp"

namespace parley::broker {

namespace {

// Lets string-keyed maps be searched with a string_view (no temporary std::string per lookup).
struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view text) const noexcept {
    return std::hash<std::string_view>{}(text);
  }
};

template <class Value>
using StringMap = std::unordered_map<std::string, Value, StringHash, std::equal_to<>>;

const std::string kNoAckId;

// SEND headers the broker sets itself on MESSAGE, or that only concern the SEND frame.
bool relayed_header(std::string_view name) {
  static constexpr std::array<std::string_view, 9> kNotRelayed = {
      "destination", "content-length", "content-type", "receipt",    "transaction",
      "message-id",  "subscription",   "ack",          "redelivered"};
  return std::find(kNotRelayed.begin(), kNotRelayed.end(), name) == kNotRelayed.end();
}

// Ack ids are issued with std::to_string, so only canonical decimals can name one.
std::optional<std::uint64_t> parse_ack_id(std::string_view text) {
  if (text.empty() || (text.size() > 1 && text.front() == '0')) return std::nullopt;
  std::uint64_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc{} || ptr != end) return std::nullopt;
  return value;
}

Status unknown_session() {
  return Status::failure("unknown session");
}

Status unknown_destination(std::string_view destination) {
  return Status::failure("unknown destination " + quoted(destination) +
                         ": use /topic/<name>, /queue/<name>, "
                         "/exchange/chat.exchange/room.<key> or /chat/room.<key>");
}

Status bad_destination_name(std::string_view destination) {
  return Status::failure("invalid destination " + quoted(destination) +
                         ": a /topic/ or /queue/ name must be 1-" +
                         std::to_string(kMaxDestinationName) + " bytes");
}

Status unknown_ack_id(std::string_view ack_id) {
  return Status::failure("unknown ack id " + quoted(ack_id));
}

}  // namespace

struct LocalBroker::State {
  struct Topic;
  struct Queue;

  enum class Kind : std::uint8_t { topic, queue, room };

  struct Subscription {
    SessionId session = 0;
    Subscriber* subscriber = nullptr;  // owned by the Session, which outlives this
    std::string id;
    Kind kind = Kind::topic;
    std::string target;  // topic name, queue name or room key
    AckMode ack = AckMode::automatic;
    std::size_t limit = 0;   // max pending deliveries (client acks only)
    Topic* topic = nullptr;  // set for Kind::topic
    Queue* queue = nullptr;  // set for Kind::queue
    // Unacked deliveries by ack id. Ids grow monotonically, so map order is delivery order,
    // which cumulative (client-mode) acks rely on. Only queue entries keep the message:
    // topics and rooms never redeliver, so holding their bodies would only waste memory.
    std::map<std::uint64_t, MessagePtr> pending;

    bool ready() const { return ack == AckMode::automatic || pending.size() < limit; }
  };

  struct Session {
    std::shared_ptr<Subscriber> subscriber;
    StringMap<std::unique_ptr<Subscription>> subscriptions;
  };

  struct Topic {
    std::string name;
    std::vector<Subscription*> subscribers;  // fan-out in subscription order
  };

  struct Queued {
    MessagePtr message;
    bool redelivered = false;
  };

  struct Queue {
    std::string name;
    std::deque<Queued> messages;  // only non-empty while no consumer is ready
    std::vector<Subscription*> consumers;
    std::size_t cursor = 0;  // round-robin: the consumer to try first
  };

  explicit State(LocalBrokerLimits broker_limits)
      : limits(std::move(broker_limits)), registry(limits.rooms) {}

  LocalBrokerLimits limits;
  rooms::Registry registry;
  RoomReplicator* replicator = nullptr;
  // Presence / history requests held while a newly watched room syncs with other nodes.
  struct Held {
    SessionId session;
    std::string subscription;
    bool presence;
    bool history;
  };
  StringMap<std::vector<Held>> held_replies;
  std::unordered_map<SessionId, Session> sessions;
  // unordered_map never moves its elements, so Subscriptions may point at Topics and Queues.
  StringMap<Topic> topics;
  StringMap<Queue> queues;
  std::unordered_map<std::uint64_t, Subscription*> acks;  // every pending delivery
  std::uint64_t last_ack_id = 0;
  std::uint64_t last_message_id = 0;

  Session* find_session(SessionId id) {
    auto it = sessions.find(id);
    return it == sessions.end() ? nullptr : &it->second;
  }

  std::string next_message_id() { return std::to_string(++last_message_id); }

  // ---- delivery ----

  void deliver(Subscription& sub, const MessagePtr& message, bool redelivered) {
    if (sub.ack == AckMode::automatic) {
      sub.subscriber->deliver(sub.id, kNoAckId, redelivered, message);
      return;
    }
    const std::uint64_t ack_id = ++last_ack_id;
    sub.pending.emplace_hint(sub.pending.end(), ack_id,
                             sub.kind == Kind::queue ? message : MessagePtr{});
    acks.emplace(ack_id, &sub);
    // Topics and rooms are not reliable: a client that never acks must not grow our memory.
    if (sub.kind != Kind::queue && sub.pending.size() > sub.limit) {
      acks.erase(sub.pending.begin()->first);
      sub.pending.erase(sub.pending.begin());
    }
    sub.subscriber->deliver(sub.id, std::to_string(ack_id), redelivered, message);
  }

  Subscription* next_ready_consumer(Queue& queue) {
    const std::size_t count = queue.consumers.size();
    for (std::size_t step = 0; step < count; ++step) {
      const std::size_t index = (queue.cursor + step) % count;
      Subscription* consumer = queue.consumers[index];
      if (consumer->ready()) {
        queue.cursor = (index + 1) % count;
        return consumer;
      }
    }
    return nullptr;
  }

  bool has_ready_consumer(const Queue& queue) const {
    return std::any_of(queue.consumers.begin(), queue.consumers.end(),
                       [](const Subscription* consumer) { return consumer->ready(); });
  }

  // Hands waiting messages to ready consumers until one side runs out.
  void dispatch(Queue& queue) {
    while (!queue.messages.empty()) {
      Subscription* consumer = next_ready_consumer(queue);
      if (consumer == nullptr) return;
      Queued item = std::move(queue.messages.front());
      queue.messages.pop_front();
      deliver(*consumer, item.message, item.redelivered);
    }
  }

  // Room posts: one Message per post, shared by all its recipients.
  void deliver_posts(std::vector<rooms::Post>& posts, std::string_view room_key) {
    struct Target {
      Subscriber* subscriber;
      Subscription* subscription;  // null if the broker no longer knows it
      const std::string* subscription_id;
    };
    std::vector<Target> targets;
    for (rooms::Post& post : posts) {
      if (!post.body) continue;
      targets.clear();
      std::string_view key = room_key;
      for (const rooms::Recipient& recipient : post.to) {
        Session* session = find_session(recipient.session);
        if (session == nullptr) continue;  // e.g. the session being disconnected
        auto it = session->subscriptions.find(recipient.subscription);
        Subscription* sub = it == session->subscriptions.end() ? nullptr : it->second.get();
        // Disconnect posts carry no key: every recipient of a post is in the same room.
        if (key.empty() && sub != nullptr) key = sub->target;
        targets.push_back({session->subscriber.get(), sub, &recipient.subscription});
      }
      if (targets.empty()) continue;
      auto message = std::make_shared<const Message>(room_destination(key), next_message_id(),
                                                     "application/json",
                                                     std::vector<stomp::Header>{}, *post.body);
      for (const Target& target : targets) {
        if (target.subscription != nullptr) {
          deliver(*target.subscription, message, false);
        } else {
          target.subscriber->deliver(*target.subscription_id, kNoAckId, false, message);
        }
      }
    }
  }

  // ---- subscriptions ----

  Subscription& add_subscription(Session& session, SessionId session_id,
                                 const SubscribeRequest& request, Kind kind,
                                 std::string_view target) {
    auto sub = std::make_unique<Subscription>();
    sub->session = session_id;
    sub->subscriber = session.subscriber.get();
    sub->id = request.id;
    sub->kind = kind;
    sub->target = std::string(target);
    sub->ack = request.ack;
    // A zero limit would starve the subscription forever: treat it as one.
    sub->limit =
        std::max<std::size_t>(1, request.prefetch != 0 ? request.prefetch : limits.max_unacked);
    Subscription& ref = *sub;
    session.subscriptions.emplace(request.id, std::move(sub));
    return ref;
  }

  Status subscribe(Session& session, SessionId session_id, const SubscribeRequest& request) {
    if (request.destination.empty()) return Status::failure("missing destination header");
    if (session.subscriptions.contains(request.id)) {
      return Status::failure("duplicate subscription id " + quoted(request.id));
    }
    const Destination destination = parse_destination(request.destination);
    switch (destination.kind) {
      case Destination::Kind::topic: {
        auto [it, created] = topics.try_emplace(std::string(destination.name));
        if (created) it->second.name = it->first;
        Subscription& sub =
            add_subscription(session, session_id, request, Kind::topic, destination.name);
        sub.topic = &it->second;
        it->second.subscribers.push_back(&sub);
        return Status::success();
      }
      case Destination::Kind::queue: {
        auto [it, created] = queues.try_emplace(std::string(destination.name));
        if (created) it->second.name = it->first;
        Subscription& sub =
            add_subscription(session, session_id, request, Kind::queue, destination.name);
        sub.queue = &it->second;
        it->second.consumers.push_back(&sub);
        dispatch(it->second);  // messages that waited for a consumer
        return Status::success();
      }
      case Destination::Kind::room_exchange: {
        const std::string_view key = destination.name;
        // The first local subscriber of a room: other nodes are asked what they know, and
        // presence / history wait for their answer (answer_held).
        const bool first = replicator != nullptr && registry.local_subscribers(key) == 0;
        const bool hold = replicator != nullptr && (first || held_replies.contains(key));
        rooms::Outcome outcome =
            registry.subscribe(session_id, key, request.id, request.presence && !hold,
                               request.history && !hold, rooms::Clock::now(), request.password);
        if (!outcome.ok()) return Status::failure(std::move(outcome.error), outcome.limit);
        add_subscription(session, session_id, request, Kind::room, key);
        deliver_posts(outcome.posts, key);
        if (hold) {
          held_replies[std::string(key)].push_back(
              Held{session_id, request.id, request.presence, request.history});
        }
        if (first) replicator->watched(key);
        return Status::success();
      }
      case Destination::Kind::room_chat: {
        const std::string key = clipped(destination.name);
        return Status::failure("cannot subscribe to " + std::string(kRoomChatPrefix) + key +
                               ": subscribe to " + std::string(kRoomExchangePrefix) + key);
      }
      case Destination::Kind::bad_name:
        return bad_destination_name(request.destination);
      case Destination::Kind::missing:
        return Status::failure("missing destination header");
      case Destination::Kind::unknown:
        break;
    }
    return unknown_destination(request.destination);
  }

  // Takes subscriptions (already removed from their session) out of topics and queues, and
  // puts their unacked queue messages back at the front of their queues, oldest first, for
  // the remaining consumers. Rooms are the caller's business (the Registry).
  void detach(const std::vector<Subscription*>& subs) {
    struct Requeue {
      std::uint64_t ack_id;
      Queue* queue;
      MessagePtr message;
    };
    std::vector<Requeue> requeue;
    std::vector<Queue*> touched;
    for (Subscription* sub : subs) {
      for (auto& [ack_id, message] : sub->pending) {
        acks.erase(ack_id);
        if (sub->queue != nullptr) requeue.push_back({ack_id, sub->queue, std::move(message)});
      }
      sub->pending.clear();
      if (sub->topic != nullptr) unlink_topic(*sub);
      if (sub->queue != nullptr) {
        unlink_queue(*sub);
        if (std::find(touched.begin(), touched.end(), sub->queue) == touched.end()) {
          touched.push_back(sub->queue);
        }
      }
    }
    // Newest first onto the front, so each queue ends up oldest first.
    std::sort(requeue.begin(), requeue.end(),
              [](const Requeue& a, const Requeue& b) { return a.ack_id > b.ack_id; });
    for (Requeue& item : requeue) item.queue->messages.push_front({std::move(item.message), true});
    for (Queue* queue : touched) {
      dispatch(*queue);
      erase_if_idle(*queue);
    }
  }

  void unlink_topic(Subscription& sub) {
    Topic& topic = *sub.topic;
    std::erase(topic.subscribers, &sub);
    sub.topic = nullptr;
    if (topic.subscribers.empty()) topics.erase(topics.find(topic.name));
  }

  // Leaves sub.queue set: detach() still needs it to requeue.
  void unlink_queue(Subscription& sub) {
    Queue& queue = *sub.queue;
    auto it = std::find(queue.consumers.begin(), queue.consumers.end(), &sub);
    if (it == queue.consumers.end()) return;
    const auto index = static_cast<std::size_t>(it - queue.consumers.begin());
    queue.consumers.erase(it);
    // Keep the round-robin turn with the consumer that had it.
    if (index < queue.cursor) --queue.cursor;
    if (queue.cursor >= queue.consumers.size()) queue.cursor = 0;
  }

  // A queue nobody consumes and nothing waits in is just a name: forget it.
  void erase_if_idle(Queue& queue) {
    if (queue.consumers.empty() && queue.messages.empty()) queues.erase(queues.find(queue.name));
  }

  // Removes a subscription from its session, topic or queue (requeueing what it held unacked);
  // null if the session has no such id. Rooms are the caller's business.
  std::unique_ptr<Subscription> take_subscription(Session& session, std::string_view id) {
    auto it = session.subscriptions.find(id);
    if (it == session.subscriptions.end()) return nullptr;
    std::unique_ptr<Subscription> sub = std::move(it->second);
    session.subscriptions.erase(it);
    detach({sub.get()});
    return sub;
  }

  Status unsubscribe(Session& session, SessionId session_id, std::string_view id) {
    std::unique_ptr<Subscription> sub = take_subscription(session, id);
    if (sub == nullptr) return Status::failure("unknown subscription id " + quoted(id));
    if (sub->kind != Kind::room) return Status::success();
    rooms::Outcome outcome = registry.unsubscribe(session_id, sub->id);
    deliver_posts(outcome.posts, sub->target);
    report_departures(session_id, outcome);
    if (!outcome.ok()) return Status::failure(std::move(outcome.error), outcome.limit);
    return Status::success();
  }

  void disconnect(SessionId session_id) {
    auto node = sessions.extract(session_id);
    if (node.empty()) return;
    std::vector<Subscription*> subs;
    subs.reserve(node.mapped().subscriptions.size());
    for (auto& [id, sub] : node.mapped().subscriptions) subs.push_back(sub.get());
    // The session is already out of `sessions`, so requeued messages and leave posts
    // cannot reach it.
    detach(subs);
    rooms::Outcome outcome = registry.disconnect(session_id);
    deliver_posts(outcome.posts, {});
    report_departures(session_id, outcome);
  }

  void report_departures(SessionId session_id, const rooms::Outcome& outcome) {
    if (replicator == nullptr) return;
    for (const auto& [key, member] : outcome.departed) {
      replicator->departed(session_id, key, member);
    }
  }

  // ---- SEND ----

  static MessagePtr make_message(std::string_view destination, std::string message_id,
                                 const stomp::Frame& frame) {
    std::vector<stomp::Header> headers;
    for (const stomp::Header& header : frame.headers) {
      if (relayed_header(header.name)) headers.push_back(header);
    }
    return std::make_shared<const Message>(std::string(destination), std::move(message_id),
                                           std::string(frame.header_or("content-type", "")),
                                           std::move(headers), frame.body);
  }

  Status send_topic(std::string_view destination, std::string_view name,
                    const stomp::Frame& frame) {
    auto it = topics.find(name);
    if (it == topics.end()) return Status::success();  // pub/sub: nobody listening, dropped
    MessagePtr message = make_message(destination, next_message_id(), frame);
    for (Subscription* sub : it->second.subscribers) deliver(*sub, message, false);
    return Status::success();
  }

  Status send_queue(std::string_view destination, std::string_view name,
                    const stomp::Frame& frame) {
    auto it = queues.find(name);
    if (it == queues.end()) it = queues.try_emplace(std::string(name)).first;
    Queue& queue = it->second;
    if (queue.name.empty()) queue.name = it->first;
    if (queue.messages.size() >= limits.max_queue_depth && !has_ready_consumer(queue)) {
      const std::size_t held = queue.messages.size();
      erase_if_idle(queue);  // max_queue_depth 0: don't keep the name we just added
      return Status::failure("queue full: " + clipped(destination) + " holds " +
                                 std::to_string(held) + " messages (max_queue_depth)",
                             "queue_depth");
    }
    queue.messages.push_back({make_message(destination, next_message_id(), frame), false});
    dispatch(queue);
    return Status::success();
  }

  Status send_room(SessionId session_id, std::string_view key, const stomp::Frame& frame) {
    rooms::Outcome outcome = registry.send(session_id, key, frame.body, rooms::Clock::now());
    if (!outcome.ok()) return Status::failure(std::move(outcome.error), outcome.limit);
    deliver_posts(outcome.posts, key);
    drop_room_subscriptions(outcome.dropped);
    if (replicator != nullptr && (outcome.replicate || outcome.remote_target != 0) &&
        !replicator->relay(session_id, key, frame.body, outcome.remote_target)) {
      return Status::failure("cluster outbox full: this message reached members on this node only");
    }
    return Status::success();
  }

  // The registry ended these (a kick): the session no longer hears the room.
  void drop_room_subscriptions(const std::vector<rooms::Recipient>& dropped) {
    for (const rooms::Recipient& recipient : dropped) {
      if (Session* session = find_session(recipient.session)) {
        take_subscription(*session, recipient.subscription);
      }
    }
  }

  Status send(SessionId session_id, const stomp::Frame& frame) {
    const std::string_view text = frame.header_or("destination", "");
    const Destination destination = parse_destination(text);
    switch (destination.kind) {
      case Destination::Kind::topic:
        return send_topic(text, destination.name, frame);
      case Destination::Kind::queue:
        return send_queue(text, destination.name, frame);
      case Destination::Kind::room_exchange:
      case Destination::Kind::room_chat:
        return send_room(session_id, destination.name, frame);
      case Destination::Kind::bad_name:
        return bad_destination_name(text);
      case Destination::Kind::missing:
        return Status::failure("missing destination header");
      case Destination::Kind::unknown:
        break;
    }
    return unknown_destination(text);
  }

  // ---- ACK / NACK ----

  Status settle(SessionId session_id, std::string_view ack_text, bool requeue) {
    const std::optional<std::uint64_t> ack_id = parse_ack_id(ack_text);
    if (!ack_id) return unknown_ack_id(ack_text);
    auto found = acks.find(*ack_id);
    // Another session's id is "unknown" too: ids must not leak what others hold.
    if (found == acks.end() || found->second->session != session_id) {
      return unknown_ack_id(ack_text);
    }
    Subscription& sub = *found->second;
    auto last = sub.pending.find(*ack_id);
    assert(last != sub.pending.end());
    // client mode is cumulative: everything delivered to this subscription up to this id.
    auto first = sub.ack == AckMode::client ? sub.pending.begin() : last;
    auto end = std::next(last);
    std::vector<MessagePtr> back;
    for (auto it = first; it != end; ++it) {
      acks.erase(it->first);
      if (requeue && it->second) back.push_back(std::move(it->second));
    }
    sub.pending.erase(first, end);
    if (sub.queue == nullptr) return Status::success();  // topics and rooms: just dropped
    for (auto it = back.rbegin(); it != back.rend(); ++it) {
      sub.queue->messages.push_front({std::move(*it), true});
    }
    dispatch(*sub.queue);  // freed prefetch room, and maybe requeued messages
    return Status::success();
  }
};

LocalBroker::LocalBroker(LocalBrokerLimits limits)
    : state_(std::make_unique<State>(std::move(limits))) {}

LocalBroker::~LocalBroker() = default;

void LocalBroker::connect(SessionId id, std::shared_ptr<Subscriber> subscriber) {
  assert(subscriber != nullptr);
  std::lock_guard lock(mutex_);
  // A reused id is a new session: the old one's subscriptions must not leak into it.
  state_->disconnect(id);
  state_->sessions[id].subscriber = std::move(subscriber);
}

void LocalBroker::authorize(SessionId id, rooms::Access access) {
  std::lock_guard lock(mutex_);
  state_->registry.authorize(id, std::move(access));
}

Status LocalBroker::subscribe(SessionId id, const SubscribeRequest& request) {
  std::lock_guard lock(mutex_);
  State::Session* session = state_->find_session(id);
  if (session == nullptr) return unknown_session();
  return state_->subscribe(*session, id, request);
}

Status LocalBroker::unsubscribe(SessionId id, std::string_view subscription) {
  std::lock_guard lock(mutex_);
  State::Session* session = state_->find_session(id);
  if (session == nullptr) return unknown_session();
  return state_->unsubscribe(*session, id, subscription);
}

Status LocalBroker::send(SessionId id, const stomp::Frame& frame) {
  std::lock_guard lock(mutex_);
  if (state_->find_session(id) == nullptr) return unknown_session();
  return state_->send(id, frame);
}

Status LocalBroker::ack(SessionId id, std::string_view ack_id) {
  std::lock_guard lock(mutex_);
  if (state_->find_session(id) == nullptr) return unknown_session();
  return state_->settle(id, ack_id, /*requeue=*/false);
}

Status LocalBroker::nack(SessionId id, std::string_view ack_id) {
  std::lock_guard lock(mutex_);
  if (state_->find_session(id) == nullptr) return unknown_session();
  return state_->settle(id, ack_id, /*requeue=*/true);
}

void LocalBroker::disconnect(SessionId id) {
  std::lock_guard lock(mutex_);
  state_->disconnect(id);
}

void LocalBroker::sweep(rooms::Clock::time_point now) {
  std::lock_guard lock(mutex_);
  state_->registry.sweep(now);
}

void LocalBroker::set_replicator(RoomReplicator* replicator) {
  std::lock_guard lock(mutex_);
  state_->replicator = replicator;
}

bool LocalBroker::remote_send(rooms::SessionId origin, std::string_view node, std::string_view key,
                              std::string_view body) {
  std::lock_guard lock(mutex_);
  rooms::Outcome outcome =
      state_->registry.remote_send(origin, node, key, body, rooms::Clock::now());
  state_->deliver_posts(outcome.posts, key);
  state_->drop_room_subscriptions(outcome.dropped);
  return state_->registry.tracks(origin);
}

void LocalBroker::remote_member(rooms::SessionId origin, std::string_view node,
                                std::string_view key, std::string_view id,
                                std::string_view nickname,
                                const std::vector<rooms::SessionId>& tell) {
  std::lock_guard lock(mutex_);
  rooms::Outcome outcome = state_->registry.remote_member(origin, node, key, id, nickname, tell);
  state_->deliver_posts(outcome.posts, key);
}

void LocalBroker::remote_gone(rooms::SessionId origin) {
  std::lock_guard lock(mutex_);
  rooms::Outcome outcome = state_->registry.disconnect(origin);
  state_->deliver_posts(outcome.posts, {});
}

LocalBroker::RoomState LocalBroker::room_state(std::string_view key) const {
  std::lock_guard lock(mutex_);
  return RoomState{state_->registry.members(key),
                   state_->registry.history(key, rooms::Clock::now())};
}

void LocalBroker::adopt_history(std::string_view key, const std::vector<std::string>& bodies) {
  std::lock_guard lock(mutex_);
  state_->registry.adopt_history(key, bodies, rooms::Clock::now());
}

void LocalBroker::answer_held(std::string_view key) {
  std::lock_guard lock(mutex_);
  auto it = state_->held_replies.find(key);
  if (it == state_->held_replies.end()) return;
  const std::vector<State::Held> held = std::move(it->second);
  state_->held_replies.erase(it);
  const auto now = rooms::Clock::now();
  for (const State::Held& h : held) {
    if (h.presence) {
      rooms::Outcome outcome = state_->registry.peers(h.session, key, h.subscription);
      state_->deliver_posts(outcome.posts, key);
    }
    if (h.history) {
      rooms::Outcome outcome = state_->registry.history_replay(h.session, key, h.subscription, now);
      state_->deliver_posts(outcome.posts, key);
    }
  }
}

std::size_t LocalBroker::local_subscribers(std::string_view key) const {
  std::lock_guard lock(mutex_);
  return state_->registry.local_subscribers(key);
}

BrokerStats LocalBroker::stats() const {
  std::lock_guard lock(mutex_);
  BrokerStats stats;
  stats.rooms = state_->registry.room_count();
  stats.members = state_->registry.member_count();
  stats.topics = state_->topics.size();
  stats.queues = state_->queues.size();
  for (const auto& [name, queue] : state_->queues) stats.queued_messages += queue.messages.size();
  stats.unacked_messages = state_->acks.size();
  return stats;
}

}  // namespace parley::broker
