// The SockJS session state machine, driven with explicit times: no sockets, no clocks.
#include "sockjs/session.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace parley::sockjs {
namespace {

using namespace std::chrono_literals;
using Frames = std::vector<std::string>;

const Clock::time_point t0{};

SessionConfig small_limits() {
  SessionConfig config;
  config.response_limit = 4096;  // what the sockjs-protocol test server uses
  config.max_buffered_bytes = 100;
  return config;
}

class SockjsSession : public ::testing::Test {
 protected:
  Session session{SessionConfig{}, t0};

  // A session whose first receiver has come and gone: open, nothing attached.
  void open_with_polling(Clock::time_point at = t0) {
    const Delivery d = session.attach(ReceiverKind::polling, at);
    ASSERT_EQ(d.frames, Frames{"o"});
    ASSERT_TRUE(d.end);
  }
};

// ---- opening ----

TEST_F(SockjsSession, StartsConnectingWithoutReceiver) {
  EXPECT_EQ(session.state(), Session::State::connecting);
  EXPECT_FALSE(session.receiver_attached());
  EXPECT_FALSE(session.closed());
}

TEST_F(SockjsSession, FirstReceiverGetsTheOpenFrame) {
  const Delivery d = session.attach(ReceiverKind::streaming, t0);
  EXPECT_EQ(d.frames, Frames{"o"});
  EXPECT_FALSE(d.end);
  EXPECT_EQ(session.state(), Session::State::open);
  EXPECT_TRUE(session.receiver_attached());
}

TEST_F(SockjsSession, OpenFrameIsSentOnlyOnce) {
  open_with_polling();
  const Delivery d = session.attach(ReceiverKind::streaming, t0 + 1s);
  EXPECT_TRUE(d.frames.empty());
  EXPECT_FALSE(d.end);
}

TEST_F(SockjsSession, PollingReceiverEndsAfterTheOpenFrameEvenWithMessagesQueued) {
  ASSERT_EQ(session.send("early"), SendResult::queued);
  const Delivery d = session.attach(ReceiverKind::polling, t0);
  EXPECT_EQ(d.frames, Frames{"o"});
  EXPECT_TRUE(d.end);
  EXPECT_FALSE(session.receiver_attached());
  EXPECT_EQ(session.attach(ReceiverKind::polling, t0).frames, Frames{R"(a["early"])"});
}

TEST_F(SockjsSession, StreamingReceiverGetsOpenFrameThenQueuedMessages) {
  ASSERT_EQ(session.send("early"), SendResult::queued);
  const Delivery d = session.attach(ReceiverKind::streaming, t0);
  EXPECT_EQ(d.frames, (Frames{"o", R"(a["early"])"}));
  EXPECT_FALSE(d.end);
}

// ---- delivering messages ----

TEST_F(SockjsSession, MessagesQueuedWithoutReceiverArriveAsOneBatch) {
  open_with_polling();
  ASSERT_EQ(session.send("a"), SendResult::queued);
  ASSERT_EQ(session.send("b"), SendResult::queued);
  ASSERT_EQ(session.send("c"), SendResult::queued);
  const Delivery d = session.attach(ReceiverKind::polling, t0 + 1s);
  EXPECT_EQ(d.frames, Frames{R"(a["a","b","c"])"});
  EXPECT_TRUE(d.end);
}

TEST_F(SockjsSession, PollingReceiverWaitsForTheNextMessage) {
  open_with_polling();
  const Delivery waiting = session.attach(ReceiverKind::polling, t0 + 1s);
  EXPECT_TRUE(waiting.frames.empty());
  EXPECT_FALSE(waiting.end);
  EXPECT_TRUE(session.receiver_attached());

  ASSERT_EQ(session.send("x"), SendResult::queued);
  const Delivery d = session.pull(t0 + 2s);
  EXPECT_EQ(d.frames, Frames{R"(a["x"])"});
  EXPECT_TRUE(d.end);
  EXPECT_FALSE(session.receiver_attached());
}

TEST_F(SockjsSession, StreamingReceiverStaysAttachedAcrossMessages) {
  session.attach(ReceiverKind::streaming, t0);
  for (const char* m : {"one", "two", "three"}) {
    ASSERT_EQ(session.send(m), SendResult::queued);
    const Delivery d = session.pull(t0 + 1s);
    EXPECT_EQ(d.frames, Frames{"a[\"" + std::string(m) + "\"]"});
    EXPECT_FALSE(d.end);
  }
  EXPECT_TRUE(session.receiver_attached());
}

TEST_F(SockjsSession, PullBatchesWhatWasSentSinceTheLastWrite) {
  session.attach(ReceiverKind::streaming, t0);
  session.send("a");
  session.send("b");
  EXPECT_EQ(session.pull(t0).frames, Frames{R"(a["a","b"])"});
  EXPECT_TRUE(session.pull(t0).frames.empty());
}

TEST_F(SockjsSession, PullWithoutReceiverKeepsMessagesQueued) {
  open_with_polling();
  session.send("a");
  EXPECT_TRUE(session.pull(t0).frames.empty());
  EXPECT_EQ(session.attach(ReceiverKind::polling, t0).frames, Frames{R"(a["a"])"});
}

TEST_F(SockjsSession, MessagesAreEscapedTheSockjsWay) {
  session.attach(ReceiverKind::streaming, t0);
  session.send("\"\xe2\x80\xa8\"");
  EXPECT_EQ(session.pull(t0).frames, Frames{R"(a["\"\u2028\""])"});
}

// ---- one receiver at a time ----

TEST_F(SockjsSession, SecondReceiverGetsAnotherConnectionStillOpen) {
  session.attach(ReceiverKind::streaming, t0);
  const Delivery d = session.attach(ReceiverKind::streaming, t0 + 1s);
  EXPECT_EQ(d.frames, Frames{R"(c[2010,"Another connection still open"])"});
  EXPECT_TRUE(d.end);
}

TEST_F(SockjsSession, SecondReceiverLeavesTheFirstOneInCharge) {
  session.attach(ReceiverKind::polling, t0);  // "o", ends
  session.attach(ReceiverKind::polling, t0);  // waits
  session.attach(ReceiverKind::polling, t0);  // rejected
  EXPECT_EQ(session.state(), Session::State::open);
  EXPECT_TRUE(session.receiver_attached());
  session.send("x");
  EXPECT_EQ(session.pull(t0).frames, Frames{R"(a["x"])"});
}

// ---- closing ----

TEST_F(SockjsSession, CloseSendsPendingMessagesThenTheCloseFrameToTheReceiver) {
  session.attach(ReceiverKind::streaming, t0);
  session.send("bye");
  const Delivery d = session.close(3000, "Go away!", t0);
  EXPECT_EQ(d.frames, (Frames{R"(a["bye"])", R"(c[3000,"Go away!"])"}));
  EXPECT_TRUE(d.end);
  EXPECT_EQ(session.state(), Session::State::closing);
  EXPECT_FALSE(session.receiver_attached());
}

TEST_F(SockjsSession, ClosingSessionAnswersEveryReceiverWithTheCloseFrame) {
  open_with_polling();
  EXPECT_TRUE(session.close(3000, "Go away!", t0).frames.empty());
  for (int i = 0; i < 3; ++i) {
    const Delivery d = session.attach(ReceiverKind::polling, t0 + 1s);
    EXPECT_EQ(d.frames, Frames{R"(c[3000,"Go away!"])"});
    EXPECT_TRUE(d.end);
  }
  EXPECT_FALSE(session.receiver_attached());
}

TEST_F(SockjsSession, CloseFrameCarriesTheApplicationCodeAndReason) {
  open_with_polling();
  session.close(4001, "room \"a\" is full", t0);
  EXPECT_EQ(session.attach(ReceiverKind::streaming, t0).frames,
            Frames{R"(c[4001,"room \"a\" is full"])"});
}

TEST_F(SockjsSession, MessagesQueuedBeforeCloseReachTheNextReceiverOnce) {
  open_with_polling();
  session.send("last");
  session.close(3000, "Go away!", t0);
  EXPECT_EQ(session.attach(ReceiverKind::streaming, t0).frames,
            (Frames{R"(a["last"])", R"(c[3000,"Go away!"])"}));
  EXPECT_EQ(session.attach(ReceiverKind::streaming, t0).frames, Frames{R"(c[3000,"Go away!"])"});
}

TEST_F(SockjsSession, PollingResponseFromAClosingSessionCarriesOneFrame) {
  open_with_polling();
  session.send("last");
  session.close(3000, "Go away!", t0);
  EXPECT_EQ(session.attach(ReceiverKind::polling, t0).frames, Frames{R"(a["last"])"});
  EXPECT_EQ(session.attach(ReceiverKind::polling, t0).frames, Frames{R"(c[3000,"Go away!"])"});
}

TEST_F(SockjsSession, CloseWhileAPollingReceiverWaitsOnUnpulledMessagesSendsThemFirst) {
  open_with_polling();
  session.attach(ReceiverKind::polling, t0);
  session.send("unpulled");
  const Delivery d = session.close(3000, "Go away!", t0);
  EXPECT_EQ(d.frames, Frames{R"(a["unpulled"])"});
  EXPECT_TRUE(d.end);
  EXPECT_EQ(session.attach(ReceiverKind::polling, t0).frames, Frames{R"(c[3000,"Go away!"])"});
}

TEST_F(SockjsSession, SendAfterCloseIsRefused) {
  open_with_polling();
  session.close(3000, "Go away!", t0);
  EXPECT_EQ(session.send("late"), SendResult::not_open);
  EXPECT_EQ(session.buffered_bytes(), 0u);
}

TEST_F(SockjsSession, SecondCloseIsIgnored) {
  open_with_polling();
  session.close(3000, "Go away!", t0);
  EXPECT_TRUE(session.close(1000, "Normal closure", t0).frames.empty());
  EXPECT_EQ(session.attach(ReceiverKind::polling, t0).frames, Frames{R"(c[3000,"Go away!"])"});
}

TEST_F(SockjsSession, CloseBeforeAnyReceiverSendsNoOpenFrame) {
  session.close(3000, "Go away!", t0);
  EXPECT_EQ(session.attach(ReceiverKind::streaming, t0).frames, Frames{R"(c[3000,"Go away!"])"});
}

TEST_F(SockjsSession, InterruptedHttpReceiverClosesWithConnectionInterrupted) {
  open_with_polling();
  session.attach(ReceiverKind::streaming, t0);
  session.detach(t0 + 1s, DetachCause::interrupted);
  EXPECT_EQ(session.state(), Session::State::closing);
  EXPECT_EQ(session.send("x"), SendResult::not_open);
  EXPECT_EQ(session.attach(ReceiverKind::polling, t0 + 2s).frames,
            Frames{R"(c[1002,"Connection interrupted"])"});
}

TEST_F(SockjsSession, FinishedHttpReceiverLeavesTheSessionOpen) {
  session.attach(ReceiverKind::streaming, t0);
  session.detach(t0 + 1s, DetachCause::finished);
  EXPECT_EQ(session.state(), Session::State::open);
  EXPECT_FALSE(session.receiver_attached());
}

TEST_F(SockjsSession, DetachWithoutReceiverDoesNothing) {
  open_with_polling();
  session.detach(t0, DetachCause::interrupted);
  EXPECT_EQ(session.state(), Session::State::open);
}

// ---- WebSocket receivers ----

TEST_F(SockjsSession, WebsocketSessionClosesWhenItsReceiverGoes) {
  EXPECT_EQ(session.attach(ReceiverKind::websocket, t0).frames, Frames{"o"});
  session.detach(t0 + 1s, DetachCause::finished);
  EXPECT_TRUE(session.closed());
  EXPECT_EQ(session.next_deadline(), std::nullopt);
}

TEST_F(SockjsSession, WebsocketSessionClosesAfterSendingTheCloseFrame) {
  session.attach(ReceiverKind::websocket, t0);
  const Delivery d = session.close(3000, "Go away!", t0);
  EXPECT_EQ(d.frames, Frames{R"(c[3000,"Go away!"])"});
  EXPECT_TRUE(d.end);
  EXPECT_TRUE(session.closed());
}

TEST(SockjsSessionLimits, WebsocketReceiverHasNoResponseLimit) {
  Session session(small_limits(), t0);
  session.attach(ReceiverKind::websocket, t0);
  const std::string message(80, 'x');
  for (int i = 0; i < 200; ++i) {
    ASSERT_EQ(session.send(message), SendResult::queued);
    ASSERT_FALSE(session.pull(t0).end) << i;
  }
  EXPECT_TRUE(session.receiver_attached());
}

// ---- heartbeats ----

TEST_F(SockjsSession, HeartbeatAfterTwentyFiveSecondsOfSilence) {
  session.attach(ReceiverKind::streaming, t0);
  EXPECT_EQ(session.next_deadline(), t0 + 25s);
  EXPECT_TRUE(session.on_timer(t0 + 24s).frames.empty());
  const Delivery d = session.on_timer(t0 + 25s);
  EXPECT_EQ(d.frames, Frames{"h"});
  EXPECT_FALSE(d.end);
  EXPECT_EQ(session.next_deadline(), t0 + 50s);
}

TEST_F(SockjsSession, WritingAMessagePostponesTheHeartbeat) {
  session.attach(ReceiverKind::streaming, t0);
  session.send("x");
  session.pull(t0 + 10s);
  EXPECT_EQ(session.next_deadline(), t0 + 35s);
  EXPECT_TRUE(session.on_timer(t0 + 25s).frames.empty());
  EXPECT_EQ(session.on_timer(t0 + 35s).frames, Frames{"h"});
}

TEST_F(SockjsSession, HeartbeatEndsAWaitingPollingResponse) {
  open_with_polling();
  session.attach(ReceiverKind::polling, t0 + 1s);
  const Delivery d = session.on_timer(t0 + 26s);
  EXPECT_EQ(d.frames, Frames{"h"});
  EXPECT_TRUE(d.end);
  EXPECT_FALSE(session.receiver_attached());
}

TEST_F(SockjsSession, NoHeartbeatWithoutReceiver) {
  open_with_polling();
  EXPECT_EQ(session.next_deadline(), t0 + 5s);  // the disconnect clock runs instead
  EXPECT_TRUE(session.on_timer(t0 + 4s).frames.empty());
}

TEST(SockjsSessionConfig, HeartbeatIntervalIsConfigurable) {
  SessionConfig config;
  config.heartbeat_interval = 2s;
  Session session(config, t0);
  session.attach(ReceiverKind::websocket, t0);
  EXPECT_EQ(session.next_deadline(), t0 + 2s);
  EXPECT_EQ(session.on_timer(t0 + 2s).frames, Frames{"h"});
}

// ---- disconnect timeout ----

TEST_F(SockjsSession, SessionExpiresFiveSecondsAfterItsReceiverLeft) {
  open_with_polling(t0);
  EXPECT_EQ(session.next_deadline(), t0 + 5s);
  session.on_timer(t0 + 4999ms);
  EXPECT_FALSE(session.closed());
  session.on_timer(t0 + 5s);
  EXPECT_TRUE(session.closed());
  EXPECT_EQ(session.next_deadline(), std::nullopt);
}

TEST_F(SockjsSession, SessionNobodyAttachedToExpires) {
  EXPECT_EQ(session.next_deadline(), t0 + 5s);
  session.on_timer(t0 + 5s);
  EXPECT_TRUE(session.closed());
}

TEST_F(SockjsSession, AttachedReceiverPreventsExpiry) {
  session.attach(ReceiverKind::streaming, t0);
  for (auto t = t0; t < t0 + 120s; t += 1s) session.on_timer(t);
  EXPECT_FALSE(session.closed());
}

TEST_F(SockjsSession, DisconnectDelayCountsFromTheDetach) {
  session.attach(ReceiverKind::streaming, t0);
  session.detach(t0 + 60s);
  EXPECT_EQ(session.next_deadline(), t0 + 65s);
  session.on_timer(t0 + 64s);
  EXPECT_FALSE(session.closed());
  session.on_timer(t0 + 65s);
  EXPECT_TRUE(session.closed());
}

TEST_F(SockjsSession, ReattachWithinTheDelayKeepsTheSession) {
  open_with_polling(t0);
  session.send("kept");
  EXPECT_EQ(session.attach(ReceiverKind::polling, t0 + 4s).frames, Frames{R"(a["kept"])"});
  session.on_timer(t0 + 5s);
  EXPECT_FALSE(session.closed());
  EXPECT_EQ(session.next_deadline(), t0 + 9s);
}

TEST_F(SockjsSession, ClosingSessionExpiresTooAndEachVisitRestartsTheWait) {
  open_with_polling(t0);
  session.close(3000, "Go away!", t0);
  session.attach(ReceiverKind::polling, t0 + 3s);
  session.on_timer(t0 + 5s);
  EXPECT_FALSE(session.closed());
  session.on_timer(t0 + 8s);
  EXPECT_TRUE(session.closed());
}

TEST_F(SockjsSession, ExpiryDropsQueuedMessages) {
  open_with_polling();
  session.send("never read");
  session.on_timer(t0 + 5s);
  EXPECT_TRUE(session.closed());
  EXPECT_EQ(session.buffered_bytes(), 0u);
  EXPECT_EQ(session.send("x"), SendResult::not_open);
}

// ---- streaming response limit ----

TEST(SockjsSessionLimits, StreamingResponseEndsOnceResponseLimitBytesWereWritten) {
  Session session(small_limits(), t0);
  ASSERT_EQ(session.attach(ReceiverKind::streaming, t0).frames, Frames{"o"});
  const std::string message(90, 'x');  // a["x…x"]: 95 bytes per frame
  int frames = 0;
  bool ended = false;
  while (!ended) {
    ASSERT_EQ(session.send(message), SendResult::queued);
    const Delivery d = session.pull(t0);
    ASSERT_EQ(d.frames.size(), 1u);
    ++frames;
    ended = d.end;
  }
  EXPECT_EQ(frames, 44);  // 1 + 43×95 = 4086 < 4096 <= 1 + 44×95
  EXPECT_FALSE(session.receiver_attached());
  EXPECT_EQ(session.state(), Session::State::open);
}

TEST(SockjsSessionLimits, ResponseLimitMatchesTheProtocolTestSuite) {
  SessionConfig config = small_limits();
  config.max_buffered_bytes = 1024 * 1024;
  Session session(config, t0);
  session.attach(ReceiverKind::streaming, t0);
  const std::string message(128, 'x');
  for (int i = 1; i <= 30; ++i) {
    session.send(message);
    ASSERT_FALSE(session.pull(t0).end) << i;
  }
  session.send(message);
  EXPECT_TRUE(session.pull(t0).end);  // the 31st message closes the response
}

TEST(SockjsSessionLimits, OneLargeBatchEndsTheResponseAfterIt) {
  SessionConfig config = small_limits();
  config.max_buffered_bytes = 1024 * 1024;
  Session session(config, t0);
  session.attach(ReceiverKind::streaming, t0);
  session.send(std::string(4096, 'x'));
  const Delivery d = session.pull(t0);
  EXPECT_EQ(d.frames.size(), 1u);
  EXPECT_TRUE(d.end);
}

TEST(SockjsSessionLimits, ResponseLimitCountsPerResponse) {
  SessionConfig config = small_limits();
  config.max_buffered_bytes = 1024 * 1024;
  Session session(config, t0);
  session.attach(ReceiverKind::streaming, t0);
  session.send(std::string(5000, 'x'));
  ASSERT_TRUE(session.pull(t0).end);
  EXPECT_FALSE(session.attach(ReceiverKind::streaming, t0).end);
  session.send("small");
  EXPECT_FALSE(session.pull(t0).end);
}

TEST(SockjsSessionLimits, HeartbeatsCountTowardsTheResponseLimit) {
  SessionConfig config;
  config.response_limit = 3;
  Session session(config, t0);
  session.attach(ReceiverKind::streaming, t0);   // "o": 1 byte
  EXPECT_FALSE(session.on_timer(t0 + 25s).end);  // 2 bytes
  EXPECT_TRUE(session.on_timer(t0 + 50s).end);   // 3 bytes: full
}

// ---- outgoing back-pressure ----

TEST(SockjsSessionLimits, SendBeyondTheBufferLimitOverflows) {
  Session session(small_limits(), t0);  // 100 bytes
  session.attach(ReceiverKind::polling, t0);
  EXPECT_EQ(session.send(std::string(60, 'a')), SendResult::queued);
  EXPECT_EQ(session.send(std::string(40, 'b')), SendResult::queued);
  EXPECT_EQ(session.buffered_bytes(), 100u);
  EXPECT_EQ(session.send("c"), SendResult::overflow);
  EXPECT_EQ(session.buffered_bytes(), 100u);
}

TEST(SockjsSessionLimits, DeliveryFreesTheBuffer) {
  Session session(small_limits(), t0);
  session.attach(ReceiverKind::polling, t0);
  session.send(std::string(100, 'a'));
  ASSERT_EQ(session.send("b"), SendResult::overflow);
  session.attach(ReceiverKind::polling, t0);
  EXPECT_EQ(session.buffered_bytes(), 0u);
  EXPECT_EQ(session.send("b"), SendResult::queued);
}

TEST(SockjsSessionLimits, OneMessageLargerThanTheBufferOverflows) {
  Session session(small_limits(), t0);
  EXPECT_EQ(session.send(std::string(101, 'a')), SendResult::overflow);
}

TEST(SockjsSessionConfig, DefaultsFollowTheProtocol) {
  const SessionConfig config;
  EXPECT_EQ(config.heartbeat_interval, 25s);
  EXPECT_EQ(config.disconnect_delay, 5s);
  EXPECT_EQ(config.response_limit, 128u * 1024u);
}

}  // namespace
}  // namespace parley::sockjs
