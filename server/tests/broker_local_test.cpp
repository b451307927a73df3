#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "broker/local_broker.hpp"

namespace parley::broker {
namespace {

struct Delivery {
  std::string subscription;
  std::string ack_id;
  bool redelivered = false;
  MessagePtr message;

  const std::string& body() const { return message->body(); }
};

// Records what the broker hands to a session.
class Recorder final : public Subscriber {
 public:
  void deliver(const std::string& subscription, const std::string& ack_id, bool redelivered,
               const MessagePtr& message) override {
    std::lock_guard lock(mutex_);
    deliveries_.push_back({subscription, ack_id, redelivered, message});
  }

  std::vector<Delivery> all() const {
    std::lock_guard lock(mutex_);
    return deliveries_;
  }
  std::size_t count() const { return all().size(); }
  Delivery last() const { return all().back(); }
  std::vector<std::string> bodies() const {
    std::vector<std::string> out;
    for (const auto& d : all()) out.push_back(d.body());
    return out;
  }
  void clear() {
    std::lock_guard lock(mutex_);
    deliveries_.clear();
  }

 private:
  mutable std::mutex mutex_;
  std::vector<Delivery> deliveries_;
};

stomp::Frame send_frame(std::string destination, std::string body) {
  stomp::Frame frame;
  frame.command = stomp::Command::send;
  frame.add("destination", std::move(destination));
  frame.body = std::move(body);
  return frame;
}

SubscribeRequest sub(std::string id, std::string destination, AckMode ack = AckMode::automatic,
                     std::size_t prefetch = 0) {
  SubscribeRequest request;
  request.id = std::move(id);
  request.destination = std::move(destination);
  request.ack = ack;
  request.prefetch = prefetch;
  return request;
}

LocalBrokerLimits limits_with_queue_depth(std::size_t depth) {
  LocalBrokerLimits limits;
  limits.max_queue_depth = depth;
  return limits;
}

LocalBrokerLimits limits_with_max_unacked(std::size_t max_unacked) {
  LocalBrokerLimits limits;
  limits.max_unacked = max_unacked;
  return limits;
}

class LocalBrokerTest : public ::testing::Test {
 protected:
  explicit LocalBrokerTest(LocalBrokerLimits limits = {}) : broker_(limits) {}

  std::shared_ptr<Recorder> connect(SessionId id) {
    auto recorder = std::make_shared<Recorder>();
    broker_.connect(id, recorder);
    return recorder;
  }

  void subscribe_ok(SessionId id, const SubscribeRequest& request) {
    const Status status = broker_.subscribe(id, request);
    ASSERT_TRUE(status.ok()) << status.error;
  }

  void send_ok(SessionId id, std::string destination, std::string body) {
    const Status status = broker_.send(id, send_frame(std::move(destination), std::move(body)));
    ASSERT_TRUE(status.ok()) << status.error;
  }

  void ack_ok(SessionId id, const std::string& ack_id) {
    const Status status = broker_.ack(id, ack_id);
    ASSERT_TRUE(status.ok()) << status.error;
  }

  void nack_ok(SessionId id, const std::string& ack_id) {
    const Status status = broker_.nack(id, ack_id);
    ASSERT_TRUE(status.ok()) << status.error;
  }

  LocalBroker broker_;
};

using Strings = std::vector<std::string>;

// ---- sessions ----

TEST_F(LocalBrokerTest, UnknownSessionRejected) {
  EXPECT_EQ(broker_.subscribe(9, sub("s", "/topic/a")).error, "unknown session");
  EXPECT_EQ(broker_.send(9, send_frame("/topic/a", "x")).error, "unknown session");
  EXPECT_EQ(broker_.unsubscribe(9, "s").error, "unknown session");
  EXPECT_EQ(broker_.ack(9, "1").error, "unknown session");
  EXPECT_EQ(broker_.nack(9, "1").error, "unknown session");
}

// ---- topics ----

TEST_F(LocalBrokerTest, TopicFanOutToAllSubscribers) {
  auto a = connect(1);
  auto b = connect(2);
  auto sender = connect(3);
  subscribe_ok(1, sub("sa", "/topic/news"));
  subscribe_ok(2, sub("sb", "/topic/news"));
  subscribe_ok(2, sub("other", "/topic/sport"));
  send_ok(3, "/topic/news", "one");
  send_ok(3, "/topic/news", "two");
  EXPECT_EQ(a->bodies(), (Strings{"one", "two"}));
  EXPECT_EQ(b->bodies(), (Strings{"one", "two"}));
  EXPECT_EQ(sender->count(), 0u);
  EXPECT_EQ(a->last().subscription, "sa");
  EXPECT_EQ(b->last().subscription, "sb");
  EXPECT_EQ(a->last().ack_id, "");
  EXPECT_FALSE(a->last().redelivered);
  // Serialize once, send many: every subscriber shares the same message.
  EXPECT_EQ(a->last().message, b->last().message);
  EXPECT_EQ(a->last().message->destination(), "/topic/news");
}

TEST_F(LocalBrokerTest, TopicWithoutSubscribersDropsSilently) {
  auto sender = connect(1);
  send_ok(1, "/topic/void", "lost");
  auto late = connect(2);
  subscribe_ok(2, sub("s", "/topic/void"));
  EXPECT_EQ(late->count(), 0u);
  EXPECT_EQ(broker_.stats().queued_messages, 0u);
}

TEST_F(LocalBrokerTest, TopicUnsubscribeStopsDelivery) {
  auto a = connect(1);
  subscribe_ok(1, sub("s", "/topic/t"));
  send_ok(1, "/topic/t", "1");
  ASSERT_TRUE(broker_.unsubscribe(1, "s").ok());
  send_ok(1, "/topic/t", "2");
  EXPECT_EQ(a->bodies(), (Strings{"1"}));
  EXPECT_EQ(broker_.stats().topics, 0u);
}

TEST_F(LocalBrokerTest, TopicNameLengthLimit) {
  connect(1);
  EXPECT_TRUE(broker_.subscribe(1, sub("ok", "/topic/" + std::string(200, 'n'))).ok());
  const Status too_long = broker_.subscribe(1, sub("long", "/topic/" + std::string(201, 'n')));
  EXPECT_NE(too_long.error.find("1-200 bytes"), std::string::npos) << too_long.error;
  const Status empty = broker_.send(1, send_frame("/topic/", "x"));
  EXPECT_NE(empty.error.find("1-200 bytes"), std::string::npos) << empty.error;
  const Status queue = broker_.send(1, send_frame("/queue/", "x"));
  EXPECT_NE(queue.error.find("1-200 bytes"), std::string::npos) << queue.error;
}

TEST_F(LocalBrokerTest, TopicClientAckGetsAckIdsAndAckDropsThem) {
  auto a = connect(1);
  subscribe_ok(1, sub("s", "/topic/t", AckMode::client_individual));
  send_ok(1, "/topic/t", "x");
  const Delivery d = a->last();
  ASSERT_FALSE(d.ack_id.empty());
  EXPECT_EQ(broker_.stats().unacked_messages, 1u);
  ack_ok(1, d.ack_id);
  EXPECT_EQ(broker_.stats().unacked_messages, 0u);
  EXPECT_EQ(broker_.ack(1, d.ack_id).error, "unknown ack id '" + d.ack_id + "'");
  // NACK on a topic just drops: topics never redeliver.
  send_ok(1, "/topic/t", "y");
  nack_ok(1, a->last().ack_id);
  EXPECT_EQ(a->count(), 2u);
  EXPECT_EQ(broker_.stats().unacked_messages, 0u);
}

TEST_F(LocalBrokerTest, TopicPendingBoundedByPrefetchDropsOldest) {
  auto a = connect(1);
  subscribe_ok(1, sub("s", "/topic/t", AckMode::client_individual, 2));
  send_ok(1, "/topic/t", "1");
  send_ok(1, "/topic/t", "2");
  send_ok(1, "/topic/t", "3");
  // Topics keep delivering past prefetch (not reliable); the oldest pending id is forgotten.
  EXPECT_EQ(a->bodies(), (Strings{"1", "2", "3"}));
  EXPECT_EQ(broker_.stats().unacked_messages, 2u);
  const auto all = a->all();
  EXPECT_FALSE(broker_.ack(1, all[0].ack_id).ok());
  ack_ok(1, all[1].ack_id);
  ack_ok(1, all[2].ack_id);
}

// ---- queues ----

TEST_F(LocalBrokerTest, QueueRoundRobinAcrossConsumers) {
  auto a = connect(1);
  auto b = connect(2);
  connect(3);
  subscribe_ok(1, sub("qa", "/queue/work"));
  subscribe_ok(2, sub("qb", "/queue/work"));
  for (int i = 1; i <= 4; ++i) send_ok(3, "/queue/work", std::to_string(i));
  EXPECT_EQ(a->bodies(), (Strings{"1", "3"}));
  EXPECT_EQ(b->bodies(), (Strings{"2", "4"}));
  EXPECT_EQ(a->last().ack_id, "");  // automatic ack: delivered means done
  EXPECT_EQ(a->last().message->destination(), "/queue/work");
  EXPECT_EQ(broker_.stats().unacked_messages, 0u);
}

TEST_F(LocalBrokerTest, QueueHoldsMessagesUntilConsumerArrives) {
  connect(1);
  send_ok(1, "/queue/jobs", "1");
  send_ok(1, "/queue/jobs", "2");
  EXPECT_EQ(broker_.stats().queued_messages, 2u);
  EXPECT_EQ(broker_.stats().queues, 1u);
  auto consumer = connect(2);
  subscribe_ok(2, sub("q", "/queue/jobs"));
  EXPECT_EQ(consumer->bodies(), (Strings{"1", "2"}));
  EXPECT_EQ(broker_.stats().queued_messages, 0u);
  EXPECT_FALSE(consumer->last().redelivered);
}

class SmallQueueTest : public LocalBrokerTest {
 protected:
  SmallQueueTest() : LocalBrokerTest(limits_with_queue_depth(2)) {}
};

TEST_F(SmallQueueTest, QueueDepthLimitRejectsSend) {
  connect(1);
  send_ok(1, "/queue/x", "1");
  send_ok(1, "/queue/x", "2");
  EXPECT_EQ(broker_.send(1, send_frame("/queue/x", "3")).error,
            "queue full: /queue/x holds 2 messages (max_queue_depth)");
  // Once a consumer drains the queue, sends flow again.
  auto consumer = connect(2);
  subscribe_ok(2, sub("q", "/queue/x"));
  send_ok(1, "/queue/x", "3");
  EXPECT_EQ(consumer->bodies(), (Strings{"1", "2", "3"}));
}

TEST_F(LocalBrokerTest, ClientIndividualAckRemovesOnlyThatMessage) {
  auto a = connect(1);
  subscribe_ok(1, sub("q", "/queue/x", AckMode::client_individual));
  send_ok(1, "/queue/x", "1");
  send_ok(1, "/queue/x", "2");
  send_ok(1, "/queue/x", "3");
  const auto d = a->all();
  ASSERT_EQ(d.size(), 3u);
  ack_ok(1, d[1].ack_id);
  EXPECT_EQ(broker_.stats().unacked_messages, 2u);
  ack_ok(1, d[0].ack_id);
  ack_ok(1, d[2].ack_id);
  EXPECT_EQ(broker_.stats().unacked_messages, 0u);
}

TEST_F(LocalBrokerTest, ClientAckIsCumulative) {
  auto a = connect(1);
  subscribe_ok(1, sub("q", "/queue/x", AckMode::client));
  for (int i = 1; i <= 3; ++i) send_ok(1, "/queue/x", std::to_string(i));
  const auto d = a->all();
  ASSERT_EQ(d.size(), 3u);
  ack_ok(1, d[1].ack_id);  // acks 1 and 2
  EXPECT_EQ(broker_.stats().unacked_messages, 1u);
  EXPECT_FALSE(broker_.ack(1, d[0].ack_id).ok());
  ack_ok(1, d[2].ack_id);
  EXPECT_EQ(broker_.stats().unacked_messages, 0u);
}

TEST_F(LocalBrokerTest, ClientAckIsCumulativePerSubscriptionOnly) {
  auto a = connect(1);
  subscribe_ok(1, sub("q1", "/queue/x", AckMode::client));
  subscribe_ok(1, sub("q2", "/queue/y", AckMode::client));
  send_ok(1, "/queue/x", "x");
  send_ok(1, "/queue/y", "y");
  const auto d = a->all();
  ack_ok(1, d[1].ack_id);  // q2's ack must not settle q1's earlier delivery
  EXPECT_EQ(broker_.stats().unacked_messages, 1u);
}

TEST_F(LocalBrokerTest, NackRedeliversWithRedeliveredFlag) {
  auto a = connect(1);
  auto b = connect(2);
  subscribe_ok(1, sub("qa", "/queue/x", AckMode::client_individual));
  subscribe_ok(2, sub("qb", "/queue/x", AckMode::client_individual));
  send_ok(1, "/queue/x", "m");
  ASSERT_EQ(a->count(), 1u);
  nack_ok(1, a->last().ack_id);
  // Round-robin: the next turn is b's.
  ASSERT_EQ(b->count(), 1u);
  EXPECT_EQ(b->last().body(), "m");
  EXPECT_TRUE(b->last().redelivered);
  EXPECT_NE(b->last().ack_id, a->last().ack_id);
  EXPECT_EQ(b->last().message, a->last().message);  // the same shared message, not a copy
}

TEST_F(LocalBrokerTest, NackGoesToFrontOfQueue) {
  auto a = connect(1);
  subscribe_ok(1, sub("q", "/queue/x", AckMode::client_individual, 1));
  send_ok(1, "/queue/x", "1");
  send_ok(1, "/queue/x", "2");  // waits: prefetch 1
  nack_ok(1, a->last().ack_id);
  EXPECT_EQ(a->bodies(), (Strings{"1", "1"}));
  EXPECT_TRUE(a->last().redelivered);
  ack_ok(1, a->last().ack_id);
  EXPECT_EQ(a->bodies(), (Strings{"1", "1", "2"}));
  EXPECT_FALSE(a->last().redelivered);
}

TEST_F(LocalBrokerTest, ClientNackIsCumulativeAndKeepsOrder) {
  auto a = connect(1);
  subscribe_ok(1, sub("q", "/queue/x", AckMode::client, 2));
  for (int i = 1; i <= 3; ++i) send_ok(1, "/queue/x", std::to_string(i));
  ASSERT_EQ(a->bodies(), (Strings{"1", "2"}));
  auto b = connect(2);
  subscribe_ok(2, sub("q", "/queue/x"));
  EXPECT_EQ(b->bodies(), (Strings{"3"}));  // the waiting message went to the new consumer
  nack_ok(1, a->last().ack_id);            // NACKs 1 and 2
  // Requeued in order at the front; round-robin continues.
  const auto all_a = a->all();
  const auto all_b = b->all();
  Strings redelivered;
  for (std::size_t i = 2; i < all_a.size(); ++i) redelivered.push_back(all_a[i].body());
  for (std::size_t i = 1; i < all_b.size(); ++i) redelivered.push_back(all_b[i].body());
  std::sort(redelivered.begin(), redelivered.end());
  EXPECT_EQ(redelivered, (Strings{"1", "2"}));
  EXPECT_EQ(broker_.stats().queued_messages, 0u);
}

TEST_F(LocalBrokerTest, ClientNackRequeuesInOrderForSingleConsumer) {
  auto a = connect(1);
  subscribe_ok(1, sub("q", "/queue/x", AckMode::client));
  for (int i = 1; i <= 3; ++i) send_ok(1, "/queue/x", std::to_string(i));
  const auto d = a->all();
  nack_ok(1, d[2].ack_id);
  EXPECT_EQ(a->bodies(), (Strings{"1", "2", "3", "1", "2", "3"}));
  for (std::size_t i = 3; i < 6; ++i) EXPECT_TRUE(a->all()[i].redelivered);
}

TEST_F(LocalBrokerTest, PrefetchLimitsUnacked) {
  auto a = connect(1);
  subscribe_ok(1, sub("q", "/queue/x", AckMode::client_individual, 2));
  for (int i = 1; i <= 5; ++i) send_ok(1, "/queue/x", std::to_string(i));
  EXPECT_EQ(a->bodies(), (Strings{"1", "2"}));
  EXPECT_EQ(broker_.stats().queued_messages, 3u);
  ack_ok(1, a->all()[0].ack_id);
  EXPECT_EQ(a->bodies(), (Strings{"1", "2", "3"}));
  EXPECT_EQ(broker_.stats().unacked_messages, 2u);
}

TEST_F(LocalBrokerTest, PrefetchSkipsFullConsumerInRoundRobin) {
  auto a = connect(1);
  auto b = connect(2);
  subscribe_ok(1, sub("q", "/queue/x", AckMode::client_individual, 1));
  subscribe_ok(2, sub("q", "/queue/x"));
  for (int i = 1; i <= 3; ++i) send_ok(1, "/queue/x", std::to_string(i));
  EXPECT_EQ(a->bodies(), (Strings{"1"}));
  EXPECT_EQ(b->bodies(), (Strings{"2", "3"}));
}

class DefaultPrefetchTest : public LocalBrokerTest {
 protected:
  DefaultPrefetchTest() : LocalBrokerTest(limits_with_max_unacked(1)) {}
};

TEST_F(DefaultPrefetchTest, PrefetchZeroUsesMaxUnacked) {
  auto a = connect(1);
  subscribe_ok(1, sub("q", "/queue/x", AckMode::client));
  send_ok(1, "/queue/x", "1");
  send_ok(1, "/queue/x", "2");
  EXPECT_EQ(a->bodies(), (Strings{"1"}));
}

TEST_F(LocalBrokerTest, DisconnectRequeuesUnacked) {
  auto a = connect(1);
  subscribe_ok(1, sub("q", "/queue/x", AckMode::client_individual));
  send_ok(1, "/queue/x", "1");
  send_ok(1, "/queue/x", "2");
  broker_.disconnect(1);
  EXPECT_EQ(broker_.stats().queued_messages, 2u);
  EXPECT_EQ(broker_.stats().unacked_messages, 0u);
  auto b = connect(2);
  subscribe_ok(2, sub("q", "/queue/x"));
  EXPECT_EQ(b->bodies(), (Strings{"1", "2"}));
  EXPECT_TRUE(b->all()[0].redelivered);
  EXPECT_TRUE(b->all()[1].redelivered);
}

TEST_F(LocalBrokerTest, DisconnectRequeuesToRemainingConsumersNotItself) {
  auto a = connect(1);
  auto b = connect(2);
  subscribe_ok(1, sub("q1", "/queue/x", AckMode::client_individual));
  subscribe_ok(1, sub("q2", "/queue/x", AckMode::client_individual));
  subscribe_ok(2, sub("q", "/queue/x", AckMode::client_individual, 10));
  for (int i = 1; i <= 3; ++i) send_ok(2, "/queue/x", std::to_string(i));
  EXPECT_EQ(a->bodies(), (Strings{"1", "2"}));
  a->clear();
  broker_.disconnect(1);
  EXPECT_EQ(a->count(), 0u);
  EXPECT_EQ(b->bodies(), (Strings{"3", "1", "2"}));
}

TEST_F(LocalBrokerTest, DisconnectIsIdempotent) {
  auto a = connect(1);
  subscribe_ok(1, sub("s", "/topic/t"));
  broker_.disconnect(1);
  broker_.disconnect(1);
  broker_.disconnect(42);
  EXPECT_EQ(broker_.stats().topics, 0u);
  EXPECT_EQ(broker_.subscribe(1, sub("s", "/topic/t")).error, "unknown session");
}

TEST_F(LocalBrokerTest, UnsubscribeRequeuesUnacked) {
  auto a = connect(1);
  auto b = connect(2);
  subscribe_ok(1, sub("qa", "/queue/x", AckMode::client));
  send_ok(1, "/queue/x", "1");
  send_ok(1, "/queue/x", "2");
  subscribe_ok(2, sub("qb", "/queue/x", AckMode::client));
  ASSERT_TRUE(broker_.unsubscribe(1, "qa").ok());
  EXPECT_EQ(b->bodies(), (Strings{"1", "2"}));
  EXPECT_TRUE(b->all()[0].redelivered);
  // The old ack ids died with the subscription.
  EXPECT_FALSE(broker_.ack(1, a->all()[0].ack_id).ok());
  EXPECT_EQ(broker_.stats().unacked_messages, 2u);
}

TEST_F(LocalBrokerTest, UnsubscribeLastConsumerKeepsMessagesQueued) {
  connect(1);
  subscribe_ok(1, sub("q", "/queue/x", AckMode::client));
  send_ok(1, "/queue/x", "1");
  ASSERT_TRUE(broker_.unsubscribe(1, "q").ok());
  EXPECT_EQ(broker_.stats().queued_messages, 1u);
  EXPECT_EQ(broker_.stats().queues, 1u);
}

TEST_F(LocalBrokerTest, IdleQueueIsForgotten) {
  connect(1);
  subscribe_ok(1, sub("q", "/queue/x"));
  send_ok(1, "/queue/x", "1");
  ASSERT_TRUE(broker_.unsubscribe(1, "q").ok());
  EXPECT_EQ(broker_.stats().queues, 0u);
}

TEST_F(LocalBrokerTest, UnknownAckIdRejected) {
  connect(1);
  EXPECT_EQ(broker_.ack(1, "12345").error, "unknown ack id '12345'");
  EXPECT_EQ(broker_.nack(1, "nope").error, "unknown ack id 'nope'");
  EXPECT_EQ(broker_.ack(1, "").error, "unknown ack id ''");
  // Automatic-ack deliveries have no id to ack.
  auto a = connect(2);
  subscribe_ok(2, sub("q", "/queue/x"));
  send_ok(2, "/queue/x", "1");
  EXPECT_FALSE(broker_.ack(2, "1").ok());
}

TEST_F(LocalBrokerTest, NonCanonicalAckIdRejected) {
  auto a = connect(1);
  subscribe_ok(1, sub("q", "/queue/x", AckMode::client_individual));
  send_ok(1, "/queue/x", "1");
  const std::string id = a->last().ack_id;
  EXPECT_FALSE(broker_.ack(1, "0" + id).ok());
  EXPECT_FALSE(broker_.ack(1, "+" + id).ok());
  EXPECT_FALSE(broker_.ack(1, id + " ").ok());
  ack_ok(1, id);
}

TEST_F(LocalBrokerTest, AckOfOtherSessionsMessageRejected) {
  auto a = connect(1);
  connect(2);
  subscribe_ok(1, sub("q", "/queue/x", AckMode::client_individual));
  send_ok(2, "/queue/x", "1");
  const std::string id = a->last().ack_id;
  EXPECT_EQ(broker_.ack(2, id).error, "unknown ack id '" + id + "'");
  EXPECT_EQ(broker_.nack(2, id).error, "unknown ack id '" + id + "'");
  ack_ok(1, id);
}

TEST_F(LocalBrokerTest, AckIdsAreUniqueAcrossSubscriptions) {
  auto a = connect(1);
  auto b = connect(2);
  subscribe_ok(1, sub("s", "/topic/t", AckMode::client));
  subscribe_ok(2, sub("s", "/topic/t", AckMode::client));
  send_ok(1, "/topic/t", "x");
  EXPECT_NE(a->last().ack_id, b->last().ack_id);
}

// ---- subscriptions and destinations ----

TEST_F(LocalBrokerTest, DuplicateSubscriptionIdRejected) {
  connect(1);
  subscribe_ok(1, sub("s", "/topic/a"));
  EXPECT_EQ(broker_.subscribe(1, sub("s", "/queue/b")).error, "duplicate subscription id 's'");
  // Ids are per session.
  connect(2);
  subscribe_ok(2, sub("s", "/topic/a"));
}

TEST_F(LocalBrokerTest, UnknownSubscriptionIdRejected) {
  connect(1);
  EXPECT_EQ(broker_.unsubscribe(1, "nope").error, "unknown subscription id 'nope'");
}

TEST_F(LocalBrokerTest, UnknownDestinationRejected) {
  connect(1);
  const std::string expected =
      "unknown destination '/foo/bar': use /topic/<name>, /queue/<name>, "
      "/exchange/chat.exchange/room.<key> or /chat/room.<key>";
  EXPECT_EQ(broker_.subscribe(1, sub("s", "/foo/bar")).error, expected);
  EXPECT_EQ(broker_.send(1, send_frame("/foo/bar", "x")).error, expected);
  EXPECT_FALSE(broker_.subscribe(1, sub("t", "/topic")).ok());
}

TEST_F(LocalBrokerTest, UnknownDestinationErrorIsBounded) {
  connect(1);
  const Status status = broker_.send(1, send_frame("/x" + std::string(10000, 'a'), "x"));
  EXPECT_LT(status.error.size(), 500u);
}

TEST_F(LocalBrokerTest, MissingDestinationRejected) {
  connect(1);
  EXPECT_EQ(broker_.subscribe(1, sub("s", "")).error, "missing destination header");
  stomp::Frame frame;
  frame.body = "x";
  EXPECT_EQ(broker_.send(1, frame).error, "missing destination header");
  EXPECT_EQ(broker_.send(1, send_frame("", "x")).error, "missing destination header");
}

// ---- SEND headers ----

TEST_F(LocalBrokerTest, UserHeadersRelayed) {
  auto a = connect(1);
  subscribe_ok(1, sub("s", "/topic/t"));
  stomp::Frame frame = send_frame("/topic/t", "{}");
  frame.add("content-type", "application/json");
  frame.add("content-length", "2");
  frame.add("receipt", "r1");
  frame.add("transaction", "tx");
  frame.add("message-id", "forged");
  frame.add("subscription", "forged");
  frame.add("ack", "forged");
  frame.add("redelivered", "true");
  frame.add("x-custom", "a:b");
  frame.add("priority", "9");
  ASSERT_TRUE(broker_.send(1, frame).ok());
  const Message& m = *a->last().message;
  const std::string& tail = m.tail(stomp::Version::v1_2);
  EXPECT_NE(tail.find("content-type:application/json\n"), std::string::npos);
  EXPECT_NE(tail.find("\nx-custom:a\\cb\npriority:9\n\n"), std::string::npos) << tail;
  for (const char* dropped : {"receipt", "transaction", "forged", "redelivered", "ack:"}) {
    EXPECT_EQ(tail.find(dropped), std::string::npos) << dropped << " in " << tail;
  }
  EXPECT_NE(m.message_id(), "forged");
}

TEST_F(LocalBrokerTest, NoContentTypeByDefault) {
  auto a = connect(1);
  subscribe_ok(1, sub("s", "/topic/t"));
  send_ok(1, "/topic/t", "x");
  EXPECT_EQ(a->last().message->tail(stomp::Version::v1_2).find("content-type"), std::string::npos);
}

TEST_F(LocalBrokerTest, MessageIdsAreUnique) {
  auto a = connect(1);
  subscribe_ok(1, sub("s", "/topic/t"));
  subscribe_ok(1, sub("q", "/queue/q"));
  send_ok(1, "/topic/t", "1");
  send_ok(1, "/queue/q", "2");
  send_ok(1, "/topic/t", "3");
  const auto d = a->all();
  ASSERT_EQ(d.size(), 3u);
  EXPECT_NE(d[0].message->message_id(), d[1].message->message_id());
  EXPECT_NE(d[1].message->message_id(), d[2].message->message_id());
  EXPECT_NE(d[0].message->message_id(), d[2].message->message_id());
}

TEST_F(LocalBrokerTest, BinaryBodyKeptIntact) {
  auto a = connect(1);
  subscribe_ok(1, sub("s", "/topic/t"));
  const std::string body = std::string("a\0b", 3);
  send_ok(1, "/topic/t", body);
  EXPECT_EQ(a->last().body(), body);
}

// ---- rooms ----

const std::string kRoom = "/exchange/chat.exchange/room.r1";

std::string join(const std::string& from) {
  return R"({"type":"join","from":")" + from + R"(","nickname":")" + from + R"("})";
}

TEST_F(LocalBrokerTest, RoomSendFansOutAsOneMessage) {
  auto a = connect(1);
  auto b = connect(2);
  subscribe_ok(1, sub("ra", kRoom));
  subscribe_ok(2, sub("rb", kRoom));
  send_ok(1, "/chat/room.r1", join("alice"));
  // join goes to every member including the sender, as one shared message.
  ASSERT_EQ(a->count(), 1u);
  ASSERT_EQ(b->count(), 1u);
  EXPECT_EQ(a->last().message, b->last().message);
  EXPECT_EQ(a->last().subscription, "ra");
  EXPECT_EQ(b->last().subscription, "rb");
  const Message& m = *a->last().message;
  EXPECT_EQ(m.destination(), kRoom);
  EXPECT_EQ(m.body(), join("alice"));
  EXPECT_NE(m.tail(stomp::Version::v1_2).find("content-type:application/json\n"),
            std::string::npos);
  // The exchange destination is accepted for SEND too.
  send_ok(2, kRoom, join("bob"));
  EXPECT_EQ(a->count(), 2u);
  EXPECT_EQ(b->count(), 2u);
}

TEST_F(LocalBrokerTest, RoomSubscribeToChatPrefixRejected) {
  connect(1);
  EXPECT_EQ(broker_.subscribe(1, sub("s", "/chat/room.r1")).error,
            "cannot subscribe to /chat/room.r1: subscribe to /exchange/chat.exchange/room.r1");
}

TEST_F(LocalBrokerTest, RoomRegistryErrorReturnedUnchanged) {
  connect(1);
  rooms::Registry reference;
  const std::string invalid_key_error =
      reference.subscribe(99, "bad key!", "s", false, false, rooms::Clock::now()).error;
  ASSERT_FALSE(invalid_key_error.empty());
  EXPECT_EQ(broker_.subscribe(1, sub("s", "/exchange/chat.exchange/room.bad key!")).error,
            invalid_key_error);
  // A failed room subscribe leaves no subscription behind.
  EXPECT_FALSE(broker_.unsubscribe(1, "s").ok());
  // Sending to a room one is not in is the registry's rule too.
  const Status not_in = broker_.send(1, send_frame("/chat/room.r1", join("x")));
  EXPECT_EQ(not_in.error, reference.send(99, "r1", join("x"), rooms::Clock::now()).error);
  subscribe_ok(1, sub("s", kRoom));
  const Status bad_json = broker_.send(1, send_frame("/chat/room.r1", "not json"));
  EXPECT_FALSE(bad_json.ok());
}

TEST_F(LocalBrokerTest, RoomPresenceGoesToSubscriberOnly) {
  auto a = connect(1);
  auto b = connect(2);
  subscribe_ok(1, sub("ra", kRoom));
  send_ok(1, "/chat/room.r1", join("alice"));
  a->clear();
  SubscribeRequest request = sub("rb", kRoom);
  request.presence = true;
  subscribe_ok(2, request);
  ASSERT_EQ(b->count(), 1u);
  EXPECT_NE(b->last().body().find(R"("type":"peers")"), std::string::npos);
  EXPECT_NE(b->last().body().find("alice"), std::string::npos);
  EXPECT_EQ(b->last().message->destination(), kRoom);
  EXPECT_EQ(a->count(), 0u);
}

TEST_F(LocalBrokerTest, RoomDisconnectEmitsLeave) {
  auto a = connect(1);
  auto b = connect(2);
  subscribe_ok(1, sub("ra", kRoom));
  subscribe_ok(2, sub("rb", kRoom));
  send_ok(1, "/chat/room.r1", join("alice"));
  send_ok(2, "/chat/room.r1", join("bob"));
  EXPECT_EQ(broker_.stats().members, 2u);
  a->clear();
  b->clear();
  broker_.disconnect(1);
  ASSERT_EQ(b->count(), 1u);
  EXPECT_NE(b->last().body().find(R"("type":"leave")"), std::string::npos);
  EXPECT_NE(b->last().body().find("alice"), std::string::npos);
  EXPECT_EQ(b->last().message->destination(), kRoom);  // learned from the recipient
  EXPECT_EQ(a->count(), 0u);
  EXPECT_EQ(broker_.stats().members, 1u);
}

TEST_F(LocalBrokerTest, RoomUnsubscribeEmitsLeave) {
  auto a = connect(1);
  auto b = connect(2);
  subscribe_ok(1, sub("ra", kRoom));
  subscribe_ok(2, sub("rb", kRoom));
  send_ok(1, "/chat/room.r1", join("alice"));
  b->clear();
  ASSERT_TRUE(broker_.unsubscribe(1, "ra").ok());
  ASSERT_EQ(b->count(), 1u);
  EXPECT_NE(b->last().body().find(R"("type":"leave")"), std::string::npos);
  EXPECT_EQ(broker_.stats().members, 0u);
}

TEST_F(LocalBrokerTest, RoomClientAckGetsAckIds) {
  auto a = connect(1);
  subscribe_ok(1, sub("ra", kRoom, AckMode::client_individual));
  send_ok(1, "/chat/room.r1", join("alice"));
  ASSERT_FALSE(a->last().ack_id.empty());
  ack_ok(1, a->last().ack_id);
  EXPECT_EQ(broker_.stats().unacked_messages, 0u);
}

TEST_F(LocalBrokerTest, RoomTargetedSignalReachesTargetOnly) {
  auto a = connect(1);
  auto b = connect(2);
  auto c = connect(3);
  subscribe_ok(1, sub("r", kRoom));
  subscribe_ok(2, sub("r", kRoom));
  subscribe_ok(3, sub("r", kRoom));
  send_ok(1, "/chat/room.r1", join("a"));
  send_ok(2, "/chat/room.r1", join("b"));
  send_ok(3, "/chat/room.r1", join("c"));
  a->clear();
  b->clear();
  c->clear();
  send_ok(1, "/chat/room.r1", R"({"type":"offer","from":"a","target":"b","sdp":"v=0"})");
  EXPECT_EQ(a->count(), 0u);
  EXPECT_EQ(b->count(), 1u);
  EXPECT_EQ(c->count(), 0u);
}

// ---- stats and threads ----

TEST_F(LocalBrokerTest, StatsCountEverything) {
  connect(1);
  subscribe_ok(1, sub("t", "/topic/t"));
  subscribe_ok(1, sub("q", "/queue/q", AckMode::client, 1));
  subscribe_ok(1, sub("r", kRoom));
  send_ok(1, "/chat/room.r1", join("alice"));
  send_ok(1, "/queue/q", "1");
  send_ok(1, "/queue/q", "2");
  const BrokerStats stats = broker_.stats();
  EXPECT_EQ(stats.topics, 1u);
  EXPECT_EQ(stats.queues, 1u);
  EXPECT_EQ(stats.queued_messages, 1u);
  EXPECT_EQ(stats.unacked_messages, 1u);
  EXPECT_EQ(stats.rooms, 1u);
  EXPECT_EQ(stats.members, 1u);
  broker_.disconnect(1);
  const BrokerStats after = broker_.stats();
  EXPECT_EQ(after.topics, 0u);
  EXPECT_EQ(after.queued_messages, 2u);
  EXPECT_EQ(after.unacked_messages, 0u);
  EXPECT_EQ(after.members, 0u);
}

TEST_F(LocalBrokerTest, ReconnectWithSameIdStartsFresh) {
  connect(1);
  subscribe_ok(1, sub("s", "/topic/t"));
  auto fresh = connect(1);
  subscribe_ok(1, sub("s", "/topic/t"));  // no duplicate: the old session is gone
  send_ok(1, "/topic/t", "x");
  EXPECT_EQ(fresh->count(), 1u);
}

TEST_F(LocalBrokerTest, ConcurrentSessionsAreSafe) {
  constexpr int kThreads = 8;
  constexpr int kMessages = 200;
  std::vector<std::shared_ptr<Recorder>> recorders;
  for (int i = 0; i < kThreads; ++i) {
    recorders.push_back(connect(static_cast<SessionId>(i + 1)));
    subscribe_ok(static_cast<SessionId>(i + 1),
                 sub("q", "/queue/work", AckMode::client_individual, 4));
    subscribe_ok(static_cast<SessionId>(i + 1), sub("t", "/topic/all"));
  }
  std::atomic<int> acked{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      const auto id = static_cast<SessionId>(i + 1);
      std::size_t seen = 0;
      for (int m = 0; m < kMessages; ++m) {
        EXPECT_TRUE(broker_.send(id, send_frame("/queue/work", "m")).ok());
        broker_.send(id, send_frame("/topic/all", "t"));
        const auto all = recorders[static_cast<std::size_t>(i)]->all();
        for (; seen < all.size(); ++seen) {
          if (!all[seen].ack_id.empty() && broker_.ack(id, all[seen].ack_id).ok()) ++acked;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  // Drain: keep acking until everything queued has been delivered and acked.
  for (int round = 0; round < 10000 && acked < kThreads * kMessages; ++round) {
    for (int i = 0; i < kThreads; ++i) {
      for (const auto& d : recorders[static_cast<std::size_t>(i)]->all()) {
        if (!d.ack_id.empty() && broker_.ack(static_cast<SessionId>(i + 1), d.ack_id).ok()) {
          ++acked;
        }
      }
    }
  }
  EXPECT_EQ(acked, kThreads * kMessages);
  EXPECT_EQ(broker_.stats().queued_messages, 0u);
  EXPECT_EQ(broker_.stats().unacked_messages, 0u);
  for (const auto& r : recorders) {
    std::size_t topic = 0;
    for (const auto& d : r->all()) topic += d.subscription == "t" ? 1 : 0;
    EXPECT_EQ(topic, static_cast<std::size_t>(kThreads * kMessages));
  }
}

}  // namespace
}  // namespace parley::broker
