// AmqpLink against a real RabbitMQ: a private node started by scripts/rabbitmq-test.sh for the
// whole suite (PARLEY_RABBITMQ_PORT picks its AMQP port; it also uses port+1000 and +2000).
// Skipped when rabbitmq-server is not installed.
#include <amqp.h>
#include <amqp_tcp_socket.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "cluster/amqp_link.hpp"

namespace parley::cluster {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

template <class Predicate>
bool eventually(Predicate predicate, std::chrono::milliseconds timeout = 5000ms) {
  const auto deadline = Clock::now() + timeout;
  while (!predicate()) {
    if (Clock::now() > deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

// A RabbitMQ node of our own, through the shell harness.
class Rabbit {
 public:
  bool start(int port) {
    port_ = port;
    return run("start " + dir_ + " " + std::to_string(port) + " --owner " +
               std::to_string(::getpid()));
  }
  // Stops the broker (gracefully, or SIGKILL) and starts it again on the same dir and ports.
  bool stop(bool kill = false) { return run("stop " + dir_ + (kill ? " --kill" : "")); }
  bool restart() { return start(port_); }
  pid_t beam_pid() const {
    std::ifstream in(dir_ + "/beam.pid");
    pid_t pid = 0;
    in >> pid;
    return pid;
  }
  std::string url() const { return "amqp://guest:guest@127.0.0.1:" + std::to_string(port_) + "/"; }
  int port() const { return port_; }
  void remove_dir() const { std::filesystem::remove_all(dir_); }

 private:
  bool run(const std::string& args) const {
    const std::string command = std::string(PARLEY_RABBITMQ_SCRIPT) + " " + args + " >/dev/null";
    return std::system(command.c_str()) == 0;
  }

  std::string dir_ =
      (std::filesystem::temp_directory_path() / ("parley-rabbitmq-" + std::to_string(::getpid())))
          .string();
  int port_ = 0;
};

// What a link delivered, with a bounded wait.
class Inbox {
 public:
  void push(Delivery delivery) {
    std::lock_guard lock(mutex_);
    deliveries_.push_back(std::move(delivery));
    cv_.notify_all();
  }
  // The first delivery whose body is `body`, waiting up to `timeout`.
  std::optional<Delivery> wait_for(const std::string& body,
                                   std::chrono::milliseconds timeout = 5000ms) {
    std::unique_lock lock(mutex_);
    std::optional<Delivery> found;
    cv_.wait_for(lock, timeout, [&] {
      auto it = std::find_if(deliveries_.begin(), deliveries_.end(),
                             [&](const Delivery& d) { return d.body == body; });
      if (it != deliveries_.end()) found = *it;
      return found.has_value();
    });
    return found;
  }
  std::size_t count(const std::string& body) const {
    std::lock_guard lock(mutex_);
    return std::count_if(deliveries_.begin(), deliveries_.end(),
                         [&](const Delivery& d) { return d.body == body; });
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<Delivery> deliveries_;
};

// on_done results, by message.
class Outcomes {
 public:
  std::function<void(bool)> track() {
    std::lock_guard lock(mutex_);
    const std::size_t index = results_.size();
    results_.push_back(-1);
    return [this, index](bool confirmed) {
      std::lock_guard inner(mutex_);
      results_[index] = results_[index] == -1 ? (confirmed ? 1 : 0) : 2;  // 2: called twice
    };
  }
  std::size_t count(int value) const {
    std::lock_guard lock(mutex_);
    return static_cast<std::size_t>(std::count(results_.begin(), results_.end(), value));
  }
  std::size_t confirmed() const { return count(1); }
  std::size_t refused() const { return count(0); }
  std::size_t pending() const { return count(-1); }
  std::size_t twice() const { return count(2); }

 private:
  mutable std::mutex mutex_;
  std::vector<int> results_;
};

Publish to_room(const std::string& key, const std::string& body,
                std::function<void(bool)> on_done = {}) {
  return Publish{"chat.exchange", key, {}, body, std::move(on_done)};
}

struct Node {
  Inbox inbox;
  std::unique_ptr<AmqpLink> link;
};

class AmqpLinkTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!std::filesystem::exists("/usr/lib/rabbitmq/bin/rabbitmq-server")) return;
    rabbit_ = new Rabbit();
    const char* env = std::getenv("PARLEY_RABBITMQ_PORT");
    for (int attempt = 0; attempt < 5; ++attempt) {
      // Below Linux's ephemeral range (32768-60999): while the broker is stopped, a client
      // socket could otherwise be given its port and keep the restarted broker from binding it.
      const int port = env != nullptr ? std::atoi(env) : 26720 + (::getpid() + attempt * 37) % 100;
      if (rabbit_->start(port)) return;
      if (env != nullptr) break;
    }
    delete rabbit_;
    rabbit_ = nullptr;
    start_failed_ = true;
  }
  static void TearDownTestSuite() {
    if (rabbit_ == nullptr) return;
    rabbit_->stop();
    rabbit_->remove_dir();
    delete rabbit_;
    rabbit_ = nullptr;
  }
  void SetUp() override {
    if (start_failed_) FAIL() << "could not start RabbitMQ with " << PARLEY_RABBITMQ_SCRIPT;
    if (rabbit_ == nullptr) GTEST_SKIP() << "rabbitmq-server is not installed";
  }

  static AmqpConfig config(const std::string& node_id) {
    AmqpConfig c;
    c.url = rabbit_->url();
    c.node_id = node_id + "-" + std::to_string(++serial_);
    c.reconnect_min = 100ms;
    c.reconnect_max = 500ms;
    return c;
  }

  static std::unique_ptr<Node> node(AmqpConfig c) {
    auto n = std::make_unique<Node>();
    Inbox* inbox = &n->inbox;
    n->link = std::make_unique<AmqpLink>(std::move(c),
                                         [inbox](Delivery d) { inbox->push(std::move(d)); });
    n->link->start();
    return n;
  }
  static std::unique_ptr<Node> node(const std::string& node_id) { return node(config(node_id)); }

  static bool up(const AmqpLink& link, std::chrono::milliseconds timeout = 10000ms) {
    return eventually([&] { return link.status().state == LinkState::up; }, timeout);
  }

  // Publishing to the exchange from the link itself proves the link's bindings are in place:
  // a link applies bind() before any later publish().
  static void await_bound(Node& n, const std::string& routing_key) {
    const std::string probe = "probe " + std::to_string(++serial_);
    ASSERT_TRUE(n.link->publish({"chat.exchange", routing_key, {}, probe, {}}));
    ASSERT_TRUE(n.inbox.wait_for(probe, 10000ms)) << "binding " << routing_key << " not active";
  }

  static Rabbit* rabbit_;
  static bool start_failed_;
  static int serial_;
};

Rabbit* AmqpLinkTest::rabbit_ = nullptr;
bool AmqpLinkTest::start_failed_ = false;
int AmqpLinkTest::serial_ = 0;

// --- URL and config (no broker) -----------------------------------------------------------

TEST(AmqpUrl, ParsesEveryPart) {
  const auto e = parse_amqp_url("amqp://alice:s3cret@mq.example:5673/parley");
  EXPECT_EQ(e.user, "alice");
  EXPECT_EQ(e.password, "s3cret");
  EXPECT_EQ(e.host, "mq.example");
  EXPECT_EQ(e.port, 5673);
  EXPECT_EQ(e.vhost, "parley");
  EXPECT_EQ(e.redacted(), "amqp://alice:***@mq.example:5673/parley");
}

TEST(AmqpUrl, DefaultsAndTheSlashVhost) {
  const auto bare = parse_amqp_url("amqp://mq");
  EXPECT_EQ(bare.user, "guest");
  EXPECT_EQ(bare.port, 5672);
  EXPECT_EQ(bare.vhost, "/");
  EXPECT_EQ(parse_amqp_url("amqp://mq/").vhost, "/");
  EXPECT_EQ(parse_amqp_url("amqp://mq/%2f").vhost, "/");
}

TEST(AmqpUrl, BadUrlsThrowWithoutThePassword) {
  for (const char* url :
       {"http://u:hunter2@mq", "amqp://u:hunter2@mq:notaport/", "amqp://u:hunter2@mq:99999",
        "amqp://u:hunter2@mq/a/b", "amqps://u:hunter2@mq", "amqp://u:hunter2@mq:0"}) {
    try {
      parse_amqp_url(url);
      ADD_FAILURE() << url << " was accepted";
    } catch (const std::invalid_argument& e) {
      EXPECT_EQ(std::string(e.what()).find("hunter2"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("AMQP URL"), std::string::npos) << e.what();
    }
  }
}

TEST(AmqpConfigRules, NodeIdAndLimitsAreChecked) {
  auto make = [](AmqpConfig c) { AmqpLink link(std::move(c), [](Delivery) {}); };
  AmqpConfig good;
  good.url = "amqp://127.0.0.1:1/";
  good.node_id = "node-1";
  EXPECT_NO_THROW(make(good));
  for (const char* id : {"", "has space", "slash/y", "star*"}) {
    auto c = good;
    c.node_id = id;
    EXPECT_THROW(make(c), std::invalid_argument) << "'" << id << "'";
  }
  auto c = good;
  c.outbox_limit = 0;
  EXPECT_THROW(make(c), std::invalid_argument);
  c = good;
  c.reconnect_max = 1ms;
  EXPECT_THROW(make(c), std::invalid_argument);
  c = good;
  c.url = "amqp://mq:x/";
  EXPECT_THROW(make(c), std::invalid_argument);
  EXPECT_EQ(AmqpLink::queue_for("n1"), "parley.node.n1");
}

TEST(AmqpOutbox, FullOutboxRefusesAtOnceAndStopReportsTheRest) {
  AmqpConfig c;
  c.url = "amqp://127.0.0.1:1/";  // never connects
  c.node_id = "lonely";
  c.outbox_limit = 3;
  Outcomes outcomes;  // before the link: it must outlive the link's last report
  AmqpLink link(c, [](Delivery) {});
  link.start();
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(link.publish(to_room("room.x", "m", outcomes.track())));
  bool called = false;
  const auto before = Clock::now();
  EXPECT_FALSE(link.publish(to_room("room.x", "over", [&](bool) { called = true; })));
  EXPECT_LT(Clock::now() - before, 50ms);
  EXPECT_EQ(link.stats().outbox_dropped, 1u);
  EXPECT_EQ(outcomes.pending(), 3u);  // waiting for a connection, not failed
  link.stop();
  EXPECT_FALSE(called);  // a refused publish never calls on_done
  EXPECT_EQ(outcomes.refused(), 3u);
  EXPECT_EQ(link.stats().failed, 3u);
  EXPECT_FALSE(link.publish(to_room("room.x", "after stop")));
}

TEST(AmqpOutbox, OverlongNamesAreRefusedAsProgrammingErrors) {
  AmqpConfig c;
  c.url = "amqp://127.0.0.1:1/";
  c.node_id = "n";
  AmqpLink link(c, [](Delivery) {});
  EXPECT_THROW(link.bind(std::string(256, 'k')), std::invalid_argument);
  EXPECT_THROW(link.publish(Publish{"", std::string(256, 'k'), {}, "", {}}), std::invalid_argument);
}

TEST(AmqpStop, StopIsPromptWhileTheBrokerIsUnreachable) {
  AmqpConfig c;
  c.url = "amqp://127.0.0.1:1/";
  c.node_id = "n";
  c.reconnect_min = 2000ms;  // stop() must not wait for the backoff
  c.reconnect_max = 5000ms;
  AmqpLink link(c, [](Delivery) {});
  link.start();
  ASSERT_TRUE(eventually([&] { return link.status().state == LinkState::down; }));
  EXPECT_NE(link.status().last_error.find("connect to 127.0.0.1:1"), std::string::npos)
      << link.status().last_error;
  const auto before = Clock::now();
  link.stop();
  EXPECT_LT(Clock::now() - before, 200ms);
}

// --- Against RabbitMQ -----------------------------------------------------------------------

TEST_F(AmqpLinkTest, ConnectsDeclaresItsQueueAndReportsUp) {
  std::vector<LinkState> states;
  std::mutex mutex;
  AmqpLink link(
      config("a"), [](Delivery) {},
      [&](const LinkStatus& s) {
        std::lock_guard lock(mutex);
        states.push_back(s.state);
      });
  link.start();
  ASSERT_TRUE(up(link));
  EXPECT_EQ(link.status().last_error, "");
  std::lock_guard lock(mutex);
  ASSERT_GE(states.size(), 2u);
  EXPECT_EQ(states.front(), LinkState::connecting);
  EXPECT_EQ(states.back(), LinkState::up);
}

TEST_F(AmqpLinkTest, RefusedLoginIsReportedAndRetried) {
  auto c = config("intruder");
  c.url = "amqp://guest:wrong@127.0.0.1:" + std::to_string(rabbit_->port()) + "/";
  AmqpLink link(c, [](Delivery) {});
  link.start();
  ASSERT_TRUE(eventually([&] { return !link.status().last_error.empty(); }));
  const auto error = link.status().last_error;
  EXPECT_NE(error.find("login to amqp://guest:***@127.0.0.1"), std::string::npos) << error;
  EXPECT_NE(error.find("ACCESS_REFUSED"), std::string::npos) << error;
  EXPECT_EQ(error.find("wrong"), std::string::npos) << error;
  EXPECT_NE(link.status().state, LinkState::up);
}

TEST_F(AmqpLinkTest, RoutingKeySelectsTheBoundNodes) {
  auto x = node("x");
  auto y = node("y");
  auto sender = node("sender");
  x->link->bind("room.x");
  y->link->bind("room.y");
  await_bound(*x, "room.x");
  await_bound(*y, "room.y");
  ASSERT_TRUE(up(*sender->link));
  ASSERT_TRUE(sender->link->publish(to_room("room.x", "for x")));
  ASSERT_TRUE(sender->link->publish(to_room("room.y", "for y")));
  const auto got = x->inbox.wait_for("for x");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->exchange, "chat.exchange");
  EXPECT_EQ(got->routing_key, "room.x");
  EXPECT_TRUE(y->inbox.wait_for("for y"));
  EXPECT_EQ(y->inbox.count("for x"), 0u);
  EXPECT_EQ(x->inbox.count("for y"), 0u);
  EXPECT_EQ(sender->inbox.count("for x"), 0u);
}

TEST_F(AmqpLinkTest, HeadersAndThePublishingNodeRoundTrip) {
  auto receiver = node("receiver");
  auto sender_config = config("sender");
  const auto sender_id = sender_config.node_id;
  auto sender = node(sender_config);
  receiver->link->bind("room.h");
  await_bound(*receiver, "room.h");
  Publish p = to_room("room.h", std::string("body with \0 byte", 16));
  p.headers = {{"type", "offer"}, {"member", "m-1"}, {"empty", ""}, {"utf8", "h\xC3\xA9llo"}};
  ASSERT_TRUE(sender->link->publish(std::move(p)));
  const auto got = receiver->inbox.wait_for(std::string("body with \0 byte", 16));
  ASSERT_TRUE(got);
  EXPECT_EQ(got->from_node, sender_id);
  const Headers expected = {
      {"type", "offer"}, {"member", "m-1"}, {"empty", ""}, {"utf8", "h\xC3\xA9llo"}};
  EXPECT_EQ(got->headers, expected);
}

TEST_F(AmqpLinkTest, UnbindStopsDelivery) {
  // Declared first, so destroyed last: links stopped at the end of a failed test still
  // report their pending publishes to it.
  Outcomes outcomes;
  auto receiver = node("receiver");
  auto sender = node("sender");
  receiver->link->bind("room.u");
  receiver->link->bind("room.u");  // idempotent: one binding
  await_bound(*receiver, "room.u");
  ASSERT_TRUE(up(*sender->link));
  ASSERT_TRUE(sender->link->publish(to_room("room.u", "before")));
  ASSERT_TRUE(receiver->inbox.wait_for("before"));
  EXPECT_EQ(receiver->inbox.count("before"), 1u);

  receiver->link->unbind("room.u");
  receiver->link->unbind("room.u");
  // A direct message to itself, published after the unbind, proves the unbind is applied.
  ASSERT_TRUE(receiver->link->publish({"", receiver->link->queue_name(), {}, "marker", {}}));
  ASSERT_TRUE(receiver->inbox.wait_for("marker"));
  ASSERT_TRUE(sender->link->publish(to_room("room.u", "after", outcomes.track())));
  ASSERT_TRUE(eventually([&] { return outcomes.confirmed() == 1; }));
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(receiver->inbox.count("after"), 0u);
}

TEST_F(AmqpLinkTest, DefaultExchangeReachesOneNodesQueue) {
  auto a = node("a");
  auto b = node("b");
  a->link->bind("room.d");
  b->link->bind("room.d");
  await_bound(*a, "room.d");
  await_bound(*b, "room.d");
  ASSERT_TRUE(a->link->publish({"", b->link->queue_name(), {{"k", "v"}}, "direct", {}}));
  const auto got = b->inbox.wait_for("direct");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->exchange, "");
  EXPECT_EQ(got->routing_key, b->link->queue_name());
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(a->inbox.count("direct"), 0u);
}

TEST_F(AmqpLinkTest, EveryPublishIsConfirmedOnce) {
  // Declared first, so destroyed last: links stopped at the end of a failed test still
  // report their pending publishes to it.
  Outcomes outcomes;
  auto sender = node("sender");
  ASSERT_TRUE(up(*sender->link));
  constexpr std::size_t kCount = 500;
  for (std::size_t i = 0; i < kCount; ++i) {
    ASSERT_TRUE(sender->link->publish(to_room("room.nobody", "m", outcomes.track())));
  }
  ASSERT_TRUE(eventually([&] { return outcomes.confirmed() == kCount; }))
      << outcomes.confirmed() << " confirmed";
  EXPECT_EQ(outcomes.twice(), 0u);
  const auto stats = sender->link->stats();
  EXPECT_EQ(stats.published, kCount);
  EXPECT_EQ(stats.confirmed, kCount);
  EXPECT_EQ(stats.nacked, 0u);
  EXPECT_EQ(stats.failed, 0u);
}

// Declares, with a plain rabbitmq-c connection, a queue that rejects every publish.
void declare_rejecting_queue(int port, const std::string& name) {
  amqp_connection_state_t conn = amqp_new_connection();
  amqp_socket_t* socket = amqp_tcp_socket_new(conn);
  ASSERT_EQ(amqp_socket_open(socket, "127.0.0.1", port), AMQP_STATUS_OK);
  ASSERT_EQ(
      amqp_login(conn, "/", 0, 131072, 0, AMQP_SASL_METHOD_PLAIN, "guest", "guest").reply_type,
      AMQP_RESPONSE_NORMAL);
  amqp_channel_open(conn, 1);
  std::array<amqp_table_entry_t, 2> args{};
  args[0].key = amqp_cstring_bytes("x-max-length");
  args[0].value.kind = AMQP_FIELD_KIND_I64;
  args[0].value.value.i64 = 0;
  args[1].key = amqp_cstring_bytes("x-overflow");
  args[1].value.kind = AMQP_FIELD_KIND_UTF8;
  args[1].value.value.bytes = amqp_cstring_bytes("reject-publish");
  amqp_queue_declare(conn, 1, amqp_cstring_bytes(name.c_str()), 0, 0, 0, 1,
                     amqp_table_t{static_cast<int>(args.size()), args.data()});
  EXPECT_EQ(amqp_get_rpc_reply(conn).reply_type, AMQP_RESPONSE_NORMAL);
  amqp_connection_close(conn, AMQP_REPLY_SUCCESS);
  amqp_destroy_connection(conn);
}

TEST_F(AmqpLinkTest, BrokerNackReportsFalse) {
  // Declared first, so destroyed last: links stopped at the end of a failed test still
  // report their pending publishes to it.
  Outcomes outcomes;
  auto sender = node("sender");
  ASSERT_TRUE(up(*sender->link));
  declare_rejecting_queue(rabbit_->port(), "parley.test.full");
  ASSERT_TRUE(sender->link->publish({"", "parley.test.full", {}, "x", outcomes.track()}));
  ASSERT_TRUE(eventually([&] { return outcomes.refused() == 1; }));
  EXPECT_EQ(sender->link->stats().nacked, 1u);
}

// Idle, the link thread sleeps in poll() and wakes once a second to keep heartbeats going: the
// broker (1 s heartbeats, so it gives up after ~2 s of silence) keeps the connection.
TEST_F(AmqpLinkTest, IdleLinkKeepsItsConnectionAndUsesNoCpu) {
  auto c = config("idle");
  c.heartbeat = 1s;
  auto a = node(c);
  a->link->bind("room.idle");
  await_bound(*a, "room.idle");
  auto cpu = [] {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return std::chrono::seconds(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
           std::chrono::microseconds(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec);
  };
  const auto before = cpu();
  std::this_thread::sleep_for(3500ms);
  EXPECT_LT(cpu() - before, 50ms);
  EXPECT_EQ(a->link->status().state, LinkState::up);
  EXPECT_EQ(a->link->stats().reconnects, 0u);
  await_bound(*a, "room.idle");
}

// Resumes a SIGSTOPped broker however the test ends.
struct Frozen {
  explicit Frozen(pid_t p) : pid(p) { frozen = ::kill(pid, SIGSTOP) == 0; }
  ~Frozen() { ::kill(pid, SIGCONT); }
  pid_t pid;
  bool frozen = false;
};

// Publishes the broker took but never confirmed before the connection died (here: missed
// heartbeats from a frozen broker) are reported false, never lost silently.
TEST_F(AmqpLinkTest, UnconfirmedAtDisconnectArePublishedAgainAfterReconnect) {
  // Declared first, so destroyed last: links stopped at the end of a failed test still
  // report their pending publishes to it.
  Outcomes outcomes;
  auto receiver = node("receiver");
  receiver->link->bind("room.z");
  await_bound(*receiver, "room.z");
  auto c = config("sender");
  c.heartbeat = 1s;
  auto sender = node(c);
  ASSERT_TRUE(up(*sender->link));
  const pid_t beam = rabbit_->beam_pid();
  ASSERT_GT(beam, 0);
  constexpr std::size_t kCount = 20;
  {
    Frozen frozen(beam);  // takes nothing, confirms nothing, sends no heartbeat
    ASSERT_TRUE(frozen.frozen);
    for (std::size_t i = 0; i < kCount; ++i) {
      ASSERT_TRUE(sender->link->publish(to_room("room.z", "unconfirmed", outcomes.track())));
    }
    ASSERT_TRUE(eventually([&] { return sender->link->stats().published == kCount; }));
    EXPECT_EQ(outcomes.pending(), kCount);
    // Missed heart-beats end the connection; the messages wait to be sent again.
    ASSERT_TRUE(eventually([&] { return sender->link->stats().republished == kCount; }, 5000ms));
    EXPECT_NE(sender->link->status().state, LinkState::up);
    EXPECT_NE(sender->link->status().last_error.find("heartbeat"), std::string::npos)
        << sender->link->status().last_error;
    EXPECT_EQ(outcomes.pending(), kCount);
  }
  // Each is confirmed once, and reaches the receiver at least once (the frozen broker may
  // have routed some before the connection dropped).
  EXPECT_TRUE(up(*sender->link, 10000ms));
  ASSERT_TRUE(eventually([&] { return outcomes.confirmed() == kCount; }, 10000ms));
  EXPECT_EQ(outcomes.twice(), 0u);
  EXPECT_EQ(sender->link->stats().failed, 0u);
  EXPECT_TRUE(eventually([&] { return receiver->inbox.count("unconfirmed") >= kCount; }));
}

TEST_F(AmqpLinkTest, SurvivesABrokerRestart) {
  // Declared first, so destroyed last: links stopped at the end of a failed test still
  // report their pending publishes to it.
  Outcomes outcomes;
  auto receiver = node("receiver");
  auto sender = node("sender");
  receiver->link->bind("room.r");
  await_bound(*receiver, "room.r");
  ASSERT_TRUE(up(*sender->link));

  ASSERT_TRUE(rabbit_->stop());
  ASSERT_TRUE(eventually([&] { return receiver->link->status().state != LinkState::up; }, 2000ms));
  EXPECT_FALSE(receiver->link->status().last_error.empty());
  const auto down_since = Clock::now();

  // Publishing while the broker is away never blocks; the messages wait in the outbox.
  auto worst = Clock::duration::zero();
  for (int i = 0; i < 100; ++i) {
    const auto before = Clock::now();
    ASSERT_TRUE(receiver->link->publish(to_room("room.r", "while down", outcomes.track())));
    worst = std::max(worst, Clock::now() - before);
  }
  EXPECT_LT(worst, 50ms);           // a mutex push; generous for a loaded 2-core box
  receiver->link->bind("room.r2");  // wanted while down: applied on reconnect

  // A link stopped while the broker is down stops at once.
  {
    auto doomed = node("doomed");
    std::this_thread::sleep_for(300ms);
    const auto before = Clock::now();
    doomed->link->stop();
    EXPECT_LT(Clock::now() - before, 200ms);
  }

  std::this_thread::sleep_for(5s - (Clock::now() - down_since));
  EXPECT_EQ(outcomes.pending(), 100u);
  ASSERT_TRUE(rabbit_->restart());
  ASSERT_TRUE(up(*receiver->link, 15000ms));
  ASSERT_TRUE(up(*sender->link, 15000ms));
  EXPECT_GE(receiver->link->stats().reconnects, 1u);

  // The outbox went out after the queue and its bindings were declared again.
  ASSERT_TRUE(eventually([&] { return outcomes.confirmed() == 100; }));
  EXPECT_TRUE(eventually([&] { return receiver->inbox.count("while down") == 100; }));
  // Delivery from other nodes resumes, on the old binding and the one made while down.
  ASSERT_TRUE(sender->link->publish(to_room("room.r", "after restart")));
  ASSERT_TRUE(sender->link->publish(to_room("room.r2", "new binding")));
  EXPECT_TRUE(receiver->inbox.wait_for("after restart"));
  EXPECT_TRUE(receiver->inbox.wait_for("new binding"));
}

TEST_F(AmqpLinkTest, StopWhileConnectedIsPromptAndGraceful) {
  auto a = node("a");
  ASSERT_TRUE(up(*a->link));
  const auto before = Clock::now();
  a->link->stop();
  EXPECT_LT(Clock::now() - before, 500ms);
  EXPECT_EQ(a->link->status().state, LinkState::down);
}

}  // namespace
}  // namespace parley::cluster
