// The STOMP session state machine against a recording broker and output: no sockets.
#include "stomp/session.hpp"

#include <gtest/gtest.h>

#include "stomp/encoder.hpp"
#include "stomp/parser.hpp"

namespace parley::stomp {
namespace {

using namespace std::chrono_literals;

struct FakeBroker final : broker::Broker {
  std::vector<std::string> calls;
  broker::Status next_status;
  void connect(broker::SessionId, std::shared_ptr<broker::Subscriber>) override {}
  void authorize(broker::SessionId, rooms::Access a) override {
    calls.push_back("authorize " + a.identity + " " + a.room +
                    (a.moderator ? " moderator" : " member"));
  }
  broker::Status subscribe(broker::SessionId, const broker::SubscribeRequest& r) override {
    calls.push_back("subscribe " + r.id + " " + r.destination +
                    (r.ack != broker::AckMode::automatic ? " client" : ""));
    return next_status;
  }
  broker::Status unsubscribe(broker::SessionId, std::string_view id) override {
    calls.push_back("unsubscribe " + std::string(id));
    return next_status;
  }
  broker::Status send(broker::SessionId, const Frame& f) override {
    calls.push_back("send " + std::string(f.header_or("destination", "")) + " " + f.body);
    return next_status;
  }
  broker::Status ack(broker::SessionId, std::string_view id) override {
    calls.push_back("ack " + std::string(id));
    return next_status;
  }
  broker::Status nack(broker::SessionId, std::string_view id) override {
    calls.push_back("nack " + std::string(id));
    return next_status;
  }
  void disconnect(broker::SessionId) override { calls.push_back("disconnect"); }
};

struct FakeOutput final : Output {
  std::string bytes;
  bool closed = false;
  void write(Outbound f) override {
    bytes += f.head;
    bytes.append(f.tail);
  }
  void close() override { closed = true; }

  // Every frame written so far (heart-beat EOLs skipped).
  std::vector<Frame> frames() const {
    Parser parser;
    parser.feed(bytes);
    std::vector<Frame> out;
    Frame f;
    while (parser.next(f) == Parser::Result::frame) out.push_back(f);
    return out;
  }
};

class SessionTest : public ::testing::Test {
 protected:
  SessionConfig config;
  FakeBroker broker;
  FakeOutput output;
  app::Metrics metrics;
  Clock::time_point now = Clock::time_point{} + 1h;
  std::unique_ptr<Session> session;

  void start(Version max = Version::v1_2) {
    session = std::make_unique<Session>(7, broker, config, output, metrics, max);
    session->start(now);
  }
  void feed(std::string_view bytes) { session->on_data(bytes, now); }
  void connect(std::string_view headers = "accept-version:1.2\n") {
    feed(std::string("CONNECT\n") + std::string(headers) + "\n" + std::string(1, '\0'));
  }
  Frame last() const { return output.frames().back(); }
};

TEST_F(SessionTest, ConnectedReportsNegotiatedHeartBeats) {
  start();
  // We can send every 1000 ms, the client wants 5000: we send every 5000. The client can send
  // every 5000, we want 10000: we expect one every 10000.
  connect("accept-version:1.2\nheart-beat:5000,5000\n");
  EXPECT_EQ(last().header_or("heart-beat", ""), "5000,10000");
}

TEST_F(SessionTest, ConnectedCarriesVersionHeartBeatServerAndSession) {
  start();
  connect("accept-version:1.0,1.1,1.2\nheart-beat:0,0\n");
  auto f = last();
  EXPECT_EQ(f.command, Command::connected);
  EXPECT_EQ(f.header_or("version", ""), "1.2");
  EXPECT_EQ(f.header_or("heart-beat", ""), "0,0");  // the client wants none
  EXPECT_TRUE(f.header_or("server", "").starts_with("parley/"));
  EXPECT_EQ(f.header_or("session", ""), "7");
  EXPECT_TRUE(session->connected());
}

TEST_F(SessionTest, ConnectWithoutHeadersNegotiatesStomp10) {
  start();
  connect("");
  EXPECT_EQ(last().header_or("version", ""), "1.0");
}

TEST_F(SessionTest, StompCommandConnectsLikeConnect) {
  start();
  feed(std::string("STOMP\naccept-version:1.1\nhost:x\n\n") + '\0');
  EXPECT_EQ(last().header_or("version", ""), "1.1");
}

TEST_F(SessionTest, SubprotocolCapsTheVersion) {
  start(Version::v1_1);
  connect("accept-version:1.1,1.2\n");
  EXPECT_EQ(last().header_or("version", ""), "1.1");
}

TEST_F(SessionTest, UnsupportedVersionGetsErrorWithSupportedList) {
  start();
  connect("accept-version:2.0\n");
  auto f = last();
  EXPECT_EQ(f.command, Command::error);
  EXPECT_EQ(f.header_or("version", ""), "1.0,1.1,1.2");
  EXPECT_TRUE(output.closed);
}

TEST_F(SessionTest, FrameBeforeConnectIsAnError) {
  start();
  feed(std::string("SEND\ndestination:/topic/a\n\nx") + '\0');
  EXPECT_EQ(last().command, Command::error);
  EXPECT_TRUE(output.closed);
  EXPECT_TRUE(broker.calls.empty() || broker.calls.back() == "disconnect");
}

TEST_F(SessionTest, SecondConnectIsAnError) {
  start();
  connect();
  connect();
  EXPECT_EQ(last().command, Command::error);
}

TEST_F(SessionTest, ReceiptFollowsProcessedFrame) {
  start();
  connect();
  feed(std::string("SEND\ndestination:/topic/a\nreceipt:r1\n\nhello") + '\0');
  EXPECT_EQ(broker.calls.back(), "send /topic/a hello");
  auto f = last();
  EXPECT_EQ(f.command, Command::receipt);
  EXPECT_EQ(f.header_or("receipt-id", ""), "r1");
}

TEST_F(SessionTest, DisconnectSendsReceiptThenCloses) {
  start();
  connect();
  feed(std::string("DISCONNECT\nreceipt:bye\n\n") + '\0');
  EXPECT_EQ(last().header_or("receipt-id", ""), "bye");
  EXPECT_TRUE(output.closed);
  EXPECT_EQ(broker.calls.back(), "disconnect");
}

TEST_F(SessionTest, BrokerRejectionBecomesErrorNamingTheRuleWithReceiptId) {
  start();
  connect();
  broker.next_status = broker::Status::failure("spoofed from: nope");
  feed(std::string("SEND\ndestination:/chat/room.a\nreceipt:9\n\n{}") + '\0');
  auto f = last();
  EXPECT_EQ(f.command, Command::error);
  EXPECT_EQ(f.header_or("message", ""), "spoofed from: nope");
  EXPECT_EQ(f.header_or("receipt-id", ""), "9");
  EXPECT_TRUE(output.closed);
}

TEST_F(SessionTest, SendWithoutDestinationIsAnError) {
  start();
  connect();
  feed(std::string("SEND\n\nx") + '\0');
  EXPECT_EQ(last().command, Command::error);
}

TEST_F(SessionTest, SubscribeNeedsIdIn12) {
  start();
  connect();
  feed(std::string("SUBSCRIBE\ndestination:/topic/a\n\n") + '\0');
  EXPECT_EQ(last().command, Command::error);
}

TEST_F(SessionTest, SubscribeWithoutIdUsesDestinationIn10) {
  start();
  connect("");
  feed(std::string("SUBSCRIBE\ndestination:/topic/a\n\n") + '\0');
  EXPECT_EQ(broker.calls.back(), "subscribe /topic/a /topic/a");
}

TEST_F(SessionTest, SubscriptionLimitIsEnforced) {
  config.max_subscriptions = 2;
  start();
  connect();
  for (int i = 0; i < 3; ++i) {
    feed("SUBSCRIBE\nid:" + std::to_string(i) + "\ndestination:/topic/a\n\n" + '\0');
  }
  auto f = last();
  EXPECT_EQ(f.command, Command::error);
  EXPECT_NE(f.header_or("message", "").find("max 2"), std::string_view::npos);
}

TEST_F(SessionTest, InvalidAckModeIsAnError) {
  start();
  connect();
  feed(std::string("SUBSCRIBE\nid:1\ndestination:/queue/a\nack:sometimes\n\n") + '\0');
  EXPECT_EQ(last().command, Command::error);
}

TEST_F(SessionTest, TransactionBuffersUntilCommit) {
  start();
  connect();
  feed(std::string("BEGIN\ntransaction:t\n\n") + '\0');
  feed(std::string("SEND\ndestination:/topic/a\ntransaction:t\n\none") + '\0');
  feed(std::string("SEND\ndestination:/topic/a\ntransaction:t\n\ntwo") + '\0');
  EXPECT_TRUE(broker.calls.empty());
  feed(std::string("COMMIT\ntransaction:t\nreceipt:c\n\n") + '\0');
  ASSERT_EQ(broker.calls.size(), 2u);
  EXPECT_EQ(broker.calls[0], "send /topic/a one");
  EXPECT_EQ(broker.calls[1], "send /topic/a two");
  EXPECT_EQ(last().header_or("receipt-id", ""), "c");
}

TEST_F(SessionTest, AbortDiscardsTransaction) {
  start();
  connect();
  feed(std::string("BEGIN\ntransaction:t\n\n") + '\0');
  feed(std::string("SEND\ndestination:/topic/a\ntransaction:t\n\none") + '\0');
  feed(std::string("ABORT\ntransaction:t\n\n") + '\0');
  EXPECT_TRUE(broker.calls.empty());
  EXPECT_FALSE(output.closed);
}

TEST_F(SessionTest, UnknownTransactionIsAnError) {
  start();
  connect();
  feed(std::string("COMMIT\ntransaction:nope\n\n") + '\0');
  EXPECT_EQ(last().command, Command::error);
}

TEST_F(SessionTest, RateLimitRejectsFloodWithNamedLimit) {
  config.rate_limit = 5;
  start();
  connect();
  for (int i = 0; i < 11; ++i) feed(std::string("SEND\ndestination:/topic/a\n\nx") + '\0');
  auto f = last();
  EXPECT_EQ(f.command, Command::error);
  EXPECT_NE(f.header_or("message", "").find("rate limit"), std::string_view::npos);
  EXPECT_EQ(broker.calls.size(), 11u);  // 10 sends (burst 2x) + disconnect
}

TEST_F(SessionTest, OversizedFrameGetsErrorNamingTheLimit) {
  config.parser.max_frame_bytes = 1024;
  start();
  connect();
  feed("SEND\ndestination:/topic/a\n\n" + std::string(2000, 'x') + '\0');
  auto f = last();
  EXPECT_EQ(f.command, Command::error);
  EXPECT_NE(f.header_or("message", "").find("1024"), std::string_view::npos);
}

TEST_F(SessionTest, MissingConnectTimesOut) {
  start();
  session->on_timer(now + config.connect_timeout + 1ms);
  EXPECT_TRUE(output.closed);
}

TEST_F(SessionTest, SilentClientIsDroppedAfterGraceTimesHeartBeat) {
  start();
  connect("accept-version:1.2\nheart-beat:500,0\n");
  // negotiated client interval: max(500, 10000) = 10 s, grace 2x
  session->on_timer(now + 19s);
  EXPECT_FALSE(output.closed);
  session->on_timer(now + 21s);
  EXPECT_TRUE(output.closed);
  EXPECT_EQ(broker.calls.back(), "disconnect");
}

TEST_F(SessionTest, AnyByteCountsAsClientHeartBeat) {
  start();
  connect("accept-version:1.2\nheart-beat:500,0\n");
  now += 15s;
  feed("\n");
  session->on_timer(now + 15s);
  EXPECT_FALSE(output.closed);
}

TEST_F(SessionTest, ServerSendsHeartBeatsAtNegotiatedInterval) {
  start();
  connect("accept-version:1.2\nheart-beat:0,3000\n");
  auto before = output.bytes.size();
  auto next = session->on_timer(now + 3s);
  EXPECT_EQ(output.bytes.substr(before), "\n");
  EXPECT_EQ(next, now + 6s);
}

TEST_F(SessionTest, InvalidHeartBeatHeaderIsAnError) {
  start();
  connect("accept-version:1.2\nheart-beat:fast\n");
  EXPECT_EQ(last().command, Command::error);
}

TEST_F(SessionTest, Stomp12AcksByAckHeader) {
  start();
  connect();
  feed(std::string("SUBSCRIBE\nid:s\ndestination:/queue/a\nack:client\n\n") + '\0');
  auto message = std::make_shared<broker::Message>("/queue/a", "m-1", "text/plain",
                                                   std::vector<Header>{}, "hi");
  session->on_delivery("s", "42", false, message);
  auto f = last();
  EXPECT_EQ(f.command, Command::message);
  EXPECT_EQ(f.header_or("ack", ""), "42");
  EXPECT_EQ(f.header_or("subscription", ""), "s");
  EXPECT_EQ(f.header_or("message-id", ""), "m-1");
  EXPECT_EQ(f.body, "hi");
  feed(std::string("ACK\nid:42\n\n") + '\0');
  EXPECT_EQ(broker.calls.back(), "ack 42");
}

TEST_F(SessionTest, Stomp11AcksByMessageIdAndSubscription) {
  start();
  connect("accept-version:1.1\n");
  feed(std::string("SUBSCRIBE\nid:s\ndestination:/queue/a\nack:client-individual\n\n") + '\0');
  auto message =
      std::make_shared<broker::Message>("/queue/a", "m-9", "", std::vector<Header>{}, "hi");
  session->on_delivery("s", "77", true, message);
  EXPECT_EQ(last().header_or("redelivered", ""), "true");
  feed(std::string("NACK\nsubscription:s\nmessage-id:m-9\n\n") + '\0');
  EXPECT_EQ(broker.calls.back(), "nack 77");
}

TEST_F(SessionTest, ShutdownSendsErrorAndCloses) {
  start();
  connect();
  session->shutdown();
  EXPECT_EQ(last().header_or("message", ""), "server shutting down");
  EXPECT_TRUE(output.closed);
}

TEST_F(SessionTest, ClientMaySendNoServerFrames) {
  start();
  connect();
  feed(std::string("MESSAGE\ndestination:/topic/a\n\n") + '\0');
  EXPECT_EQ(last().command, Command::error);
}

TEST_F(SessionTest, ClosedSessionLeavesBrokerOnce) {
  start();
  connect();
  session->on_closed();
  session->on_closed();
  EXPECT_EQ(std::count(broker.calls.begin(), broker.calls.end(), "disconnect"), 1);
  EXPECT_EQ(metrics.sessions.load(), 0);
}

// ---- Room tokens at CONNECT (docs/PROTOCOL.md "Access control and moderation") ----

class AuthSessionTest : public SessionTest {
 protected:
  static constexpr std::string_view kSecret = "0123456789abcdef0123456789abcdef";

  void SetUp() override {
    config.verifier =
        std::make_shared<const auth::Verifier>(auth::Verifier::hs256(std::string(kSecret)));
  }
  static long long unix_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  static std::string token(std::string_view role, long long exp_offset = 3600,
                           std::string_view secret = kSecret) {
    return auth::sign_hs256(secret, R"({"sub":"ann","room":"r1","role":")" + std::string(role) +
                                        R"(","exp":)" + std::to_string(unix_now() + exp_offset) +
                                        "}");
  }
  void expect_refused(std::string_view message) {
    const Frame f = last();
    EXPECT_EQ(f.command, Command::error);
    EXPECT_EQ(f.header_or("message", ""), message);
    EXPECT_TRUE(output.closed);
    EXPECT_FALSE(session->connected());
    for (const std::string& call : broker.calls) {
      EXPECT_FALSE(call.starts_with("authorize")) << "no grant may reach the broker";
    }
  }
};

TEST_F(AuthSessionTest, ValidTokenConnectsWithIdentityAndRole) {
  start();
  connect("accept-version:1.2\nlogin:parley\npasscode:" + token("moderator") + "\n");
  const Frame f = last();
  EXPECT_EQ(f.command, Command::connected);
  EXPECT_EQ(f.header_or("user-name", ""), "ann");
  EXPECT_EQ(f.header_or("x-parley-role", ""), "moderator");
  ASSERT_EQ(broker.calls.size(), 1u);
  EXPECT_EQ(broker.calls[0], "authorize ann r1 moderator");
}

TEST_F(AuthSessionTest, MissingTokenIsRefused) {
  start();
  connect("accept-version:1.2\n");
  expect_refused("authentication required: send a room token in the CONNECT passcode header");
}

TEST_F(AuthSessionTest, ExpiredTokenIsRefused) {
  start();
  connect("accept-version:1.2\npasscode:" + token("member", -3600) + "\n");
  expect_refused("invalid token: token expired");
}

TEST_F(AuthSessionTest, WrongSignatureIsRefused) {
  start();
  connect("accept-version:1.2\npasscode:" +
          token("member", 3600, "another-secret-of-at-least-32-bytes!") + "\n");
  expect_refused("invalid token: bad signature");
}

TEST_F(AuthSessionTest, GarbageTokenIsRefused) {
  start();
  connect("accept-version:1.2\npasscode:not-a-jwt\n");
  expect_refused("invalid token: malformed token: expected 3 segments");
}

TEST_F(SessionTest, WithoutVerifierPasscodeIsIgnored) {
  start();
  connect("accept-version:1.2\nlogin:guest\npasscode:whatever\n");
  EXPECT_EQ(last().command, Command::connected);
  EXPECT_FALSE(last().has("x-parley-role"));
}

TEST_F(SessionTest, SubscribePassesTheRoomPassword) {
  struct Recording final : broker::Broker {
    std::string password;
    void connect(broker::SessionId, std::shared_ptr<broker::Subscriber>) override {}
    void authorize(broker::SessionId, rooms::Access) override {}
    broker::Status subscribe(broker::SessionId, const broker::SubscribeRequest& r) override {
      password = r.password;
      return {};
    }
    broker::Status unsubscribe(broker::SessionId, std::string_view) override { return {}; }
    broker::Status send(broker::SessionId, const Frame&) override { return {}; }
    broker::Status ack(broker::SessionId, std::string_view) override { return {}; }
    broker::Status nack(broker::SessionId, std::string_view) override { return {}; }
    void disconnect(broker::SessionId) override {}
  } recording;
  Session s(9, recording, config, output, metrics);
  s.start(now);
  s.on_data(std::string("CONNECT\naccept-version:1.2\n\n") + '\0', now);
  s.on_data(std::string("SUBSCRIBE\nid:1\ndestination:/exchange/chat.exchange/room.r\n"
                        "x-room-password:pw\n\n") +
                '\0',
            now);
  EXPECT_EQ(recording.password, "pw");
}

}  // namespace
}  // namespace parley::stomp
