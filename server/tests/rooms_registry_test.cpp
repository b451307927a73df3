// One test per room rule (docs/PROTOCOL.md "Room messages" and "Server rules"), named after it.
#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "rooms/registry.hpp"
#include "rooms_frames.hpp"

namespace parley::rooms {
namespace {

namespace json = boost::json;
using namespace testing;  // NOLINT: the shared frame builders
using namespace std::chrono_literals;

constexpr SessionId kAlice = 1;
constexpr SessionId kBob = 2;
constexpr SessionId kCarol = 3;
constexpr std::string_view kRoom = "room-1";
const Clock::time_point t0 = Clock::time_point{} + 24h;

std::string join(std::string_view from, std::string_view nickname) {
  return json::serialize(json::object{{"type", "join"}, {"from", from}, {"nickname", nickname}});
}

std::string chat(std::string_view nickname, std::string_view msg) {
  return json::serialize(json::object{{"type", "message"}, {"nickname", nickname}, {"msg", msg}});
}

// Subscribes and joins, as the seed client does on entering a room.
void enter(Registry& r, SessionId session, const std::string& sub, std::string_view id,
           std::string_view key = kRoom) {
  const Outcome s = r.subscribe(session, key, sub, false, false, t0);
  ASSERT_TRUE(s.ok()) << s.error;
  const Outcome j = r.send(session, key, join(id, std::string(id) + "-nick"), t0);
  ASSERT_TRUE(j.ok()) << j.error;
}

// Alice (session 1, sub "a") and Bob (session 2, sub "b") joined in kRoom.
void two_members(Registry& r) {
  ASSERT_NO_FATAL_FAILURE(enter(r, kAlice, "a", "alice"));
  ASSERT_NO_FATAL_FAILURE(enter(r, kBob, "b", "bob"));
}

void expect_rejected(const Outcome& o, std::string_view error) {
  EXPECT_EQ(o.error, error);
  EXPECT_TRUE(o.posts.empty()) << "an errored frame must deliver nothing";
}

// --- Rule 1: room keys ------------------------------------------------------------------------

TEST(RoomRules, RoomKeyIsOneTo64CharsOfTheAlphabet) {
  EXPECT_TRUE(Registry::valid_key("a"));
  EXPECT_TRUE(Registry::valid_key("Az09_-"));
  EXPECT_TRUE(Registry::valid_key(std::string(64, 'k')));
  EXPECT_FALSE(Registry::valid_key(""));
  EXPECT_FALSE(Registry::valid_key(std::string(65, 'k')));
  EXPECT_FALSE(Registry::valid_key("a.b"));
  EXPECT_FALSE(Registry::valid_key("a b"));
  EXPECT_FALSE(Registry::valid_key("방"));
  EXPECT_FALSE(Registry::valid_key(std::string_view("a\0b", 3)));
}

TEST(RoomRules, InvalidRoomKeyIsRejected) {
  Registry r;
  constexpr std::string_view kError = "invalid room key: must be 1-64 characters of [A-Za-z0-9_-]";
  expect_rejected(r.subscribe(kAlice, "room/1", "a", true, true, t0), kError);
  expect_rejected(r.send(kAlice, "", join("alice", "A"), t0), kError);
  EXPECT_EQ(r.room_count(), 0u);
}

// --- Rule 2: subscribe ------------------------------------------------------------------------

TEST(RoomRules, SubscribeWithoutOptionsPostsNothing) {
  Registry r;
  const Outcome o = r.subscribe(kAlice, kRoom, "a", false, false, t0);
  ASSERT_TRUE(o.ok()) << o.error;
  EXPECT_TRUE(o.posts.empty());
  EXPECT_EQ(r.room_count(), 1u);
  EXPECT_EQ(r.member_count(), 0u);
}

TEST(RoomRules, DuplicateSubscriptionIdIsRejected) {
  Registry r;
  ASSERT_TRUE(r.subscribe(kAlice, kRoom, "a", false, false, t0).ok());
  expect_rejected(r.subscribe(kAlice, kRoom, "a", false, false, t0),
                  "duplicate subscription id 'a' on this session");
  // Subscription ids are per connection, so the same id in another room is a duplicate too.
  expect_rejected(r.subscribe(kAlice, "other", "a", false, false, t0),
                  "duplicate subscription id 'a' on this session");
  EXPECT_EQ(r.room_count(), 1u);
  // Another session may use the same id.
  EXPECT_TRUE(r.subscribe(kBob, kRoom, "a", false, false, t0).ok());
}

TEST(RoomRules, SessionMayHoldSeveralSubscriptions) {
  Registry r;
  ASSERT_TRUE(r.subscribe(kAlice, kRoom, "a1", false, false, t0).ok());
  ASSERT_TRUE(r.subscribe(kAlice, kRoom, "a2", false, false, t0).ok());
  const Outcome o = r.send(kAlice, kRoom, join("alice", "A"), t0);
  ASSERT_TRUE(o.ok()) << o.error;
  ASSERT_EQ(o.posts.size(), 1u);
  EXPECT_EQ(who(o.posts[0]), (Who{{kAlice, "a1"}, {kAlice, "a2"}}));
}

TEST(RoomRules, RoomLimitIsEnforced) {
  Registry r(Limits{.max_rooms = 2});
  ASSERT_TRUE(r.subscribe(kAlice, "r1", "a", false, false, t0).ok());
  ASSERT_TRUE(r.subscribe(kAlice, "r2", "b", false, false, t0).ok());
  expect_rejected(r.subscribe(kAlice, "r3", "c", false, false, t0),
                  "room limit reached (max 2 rooms per node)");
  EXPECT_EQ(r.room_count(), 2u);
  // Existing rooms still take subscribers, and the failed id is free to use.
  EXPECT_TRUE(r.subscribe(kBob, "r1", "c", false, false, t0).ok());
  EXPECT_TRUE(r.subscribe(kAlice, "r1", "c", false, false, t0).ok());
}

TEST(RoomRules, RoomsPerSessionLimitIsEnforcedAndNamed) {
  Registry r(Limits{.max_rooms_per_session = 2});
  ASSERT_TRUE(r.subscribe(kAlice, "r1", "a", false, false, t0).ok());
  ASSERT_TRUE(r.subscribe(kAlice, "r2", "b", false, false, t0).ok());
  // A second subscription to a room it is already in is not another room.
  ASSERT_TRUE(r.subscribe(kAlice, "r2", "b2", false, false, t0).ok());
  const Outcome third = r.subscribe(kAlice, "r3", "c", false, false, t0);
  expect_rejected(third, "room limit reached (max 2 rooms per session)");
  EXPECT_EQ(third.limit, "rooms_per_session");
  EXPECT_EQ(r.room_count(), 2u);
  // Other sessions are not affected; leaving a room frees a place.
  EXPECT_TRUE(r.subscribe(kBob, "r3", "c", false, false, t0).ok());
  ASSERT_TRUE(r.unsubscribe(kAlice, "a").ok());
  EXPECT_TRUE(r.subscribe(kAlice, "r3", "c", false, false, t0).ok());
}

TEST(RoomRules, LimitRefusalsNameTheirLimit) {
  Registry r(Limits{.max_members = 1, .max_rooms = 1});
  ASSERT_TRUE(r.subscribe(kAlice, "r1", "a", false, false, t0).ok());
  EXPECT_EQ(r.subscribe(kBob, "r2", "b", false, false, t0).limit, "rooms");
  ASSERT_TRUE(r.send(kAlice, "r1", join("alice", "A"), t0).ok());
  ASSERT_TRUE(r.subscribe(kBob, "r1", "b", false, false, t0).ok());
  EXPECT_EQ(r.send(kBob, "r1", join("bob", "B"), t0).limit, "members_per_room");
  // A rule that is not a limit names none.
  const Outcome spoof = r.send(kBob, "r1", join("alice", "A"), t0);
  EXPECT_FALSE(spoof.ok());
  EXPECT_TRUE(spoof.limit.empty());
}

TEST(RoomRules, PresenceListsBoundMembersExceptSelf) {
  Registry r;
  ASSERT_NO_FATAL_FAILURE(two_members(r));
  ASSERT_TRUE(r.subscribe(kCarol, kRoom, "c", false, false, t0).ok());  // subscribed, not joined
  const Outcome o = r.subscribe(kAlice, kRoom, "a2", true, false, t0);
  ASSERT_TRUE(o.ok()) << o.error;
  ASSERT_EQ(o.posts.size(), 1u);
  EXPECT_EQ(who(o.posts[0]), (Who{{kAlice, "a2"}}));
  EXPECT_EQ(*o.posts[0].body, R"({"type":"peers","peers":[{"from":"bob","nickname":"bob-nick"}]})");

  const Outcome carol = r.subscribe(kCarol, kRoom, "c2", true, false, t0);
  ASSERT_EQ(carol.posts.size(), 1u);
  EXPECT_EQ(*carol.posts[0].body,
            R"({"type":"peers","peers":[{"from":"alice","nickname":"alice-nick"},)"
            R"({"from":"bob","nickname":"bob-nick"}]})");
}

TEST(RoomRules, PresenceEscapesIdsAsJson) {
  Registry r;
  ASSERT_NO_FATAL_FAILURE(enter(r, kAlice, "a", "al\"ice\\\n"));
  const Outcome o = r.subscribe(kBob, kRoom, "b", true, false, t0);
  ASSERT_EQ(o.posts.size(), 1u);
  const json::object peers = parsed(o.posts[0]);
  EXPECT_EQ(peers.at("peers").at(0).at("from").as_string(), "al\"ice\\\n");
}

TEST(RoomRules, PresenceComesBeforeHistory) {
  Registry r;
  ASSERT_NO_FATAL_FAILURE(enter(r, kAlice, "a", "alice"));
  ASSERT_TRUE(r.send(kAlice, kRoom, chat("alice-nick", "hi"), t0).ok());
  const Outcome o = r.subscribe(kBob, kRoom, "b", true, true, t0);
  ASSERT_TRUE(o.ok()) << o.error;
  ASSERT_EQ(o.posts.size(), 2u);
  EXPECT_EQ(parsed(o.posts[0]).at("type"), "peers");
  EXPECT_EQ(parsed(o.posts[1]).at("type"), "history");
  EXPECT_EQ(who(o.posts[1]), (Who{{kBob, "b"}}));
}

TEST(RoomRules, HistoryReplaysOriginalBodiesOldestFirst) {
  Registry r;
  ASSERT_NO_FATAL_FAILURE(enter(r, kAlice, "a", "alice"));
  const std::string first = R"({ "type" : "message", "nickname":"alice-nick", "msg":"안녕" })";
  ASSERT_TRUE(r.send(kAlice, kRoom, first, t0).ok());
  ASSERT_TRUE(r.send(kAlice, kRoom, chat("alice-nick", "two"), t0 + 1s).ok());
  const Outcome o = r.subscribe(kBob, kRoom, "b", false, true, t0 + 2s);
  ASSERT_EQ(o.posts.size(), 1u);
  EXPECT_EQ(*o.posts[0].body,
            R"({"type":"history","messages":[)" + first + "," + chat("alice-nick", "two") + "]}");
  EXPECT_TRUE(json::parse(*o.posts[0].body).is_object());
}

TEST(RoomRules, HistoryIsEmptyArrayWhenNothingWasSaid) {
  Registry r;
  const Outcome o = r.subscribe(kBob, kRoom, "b", false, true, t0);
  ASSERT_EQ(o.posts.size(), 1u);
  EXPECT_EQ(*o.posts[0].body, R"({"type":"history","messages":[]})");
}

TEST(RoomRules, HistoryKeepsOnlyLastHistorySize) {
  Registry r(Limits{.history_size = 3});
  ASSERT_NO_FATAL_FAILURE(enter(r, kAlice, "a", "alice"));
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(r.send(kAlice, kRoom, chat("alice-nick", std::to_string(i)), t0).ok());
  }
  const Outcome o = r.subscribe(kBob, kRoom, "b", false, true, t0);
  ASSERT_EQ(o.posts.size(), 1u);
  const json::object history = parsed(o.posts[0]);
  const json::array& messages = history.at("messages").as_array();
  ASSERT_EQ(messages.size(), 3u);
  EXPECT_EQ(messages[0].at("msg"), "2");
  EXPECT_EQ(messages[2].at("msg"), "4");
}

TEST(RoomRules, HistoryOlderThanTtlIsNotReplayed) {
  Registry r(Limits{.history_ttl = std::chrono::seconds{60}});
  ASSERT_NO_FATAL_FAILURE(enter(r, kAlice, "a", "alice"));
  ASSERT_TRUE(r.send(kAlice, kRoom, chat("alice-nick", "old"), t0).ok());
  ASSERT_TRUE(r.send(kAlice, kRoom, chat("alice-nick", "new"), t0 + 30s).ok());
  const Outcome o = r.subscribe(kBob, kRoom, "b", false, true, t0 + 61s);
  ASSERT_EQ(o.posts.size(), 1u);
  const json::object history = parsed(o.posts[0]);
  const json::array& messages = history.at("messages").as_array();
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].at("msg"), "new");
}

// --- Rule 3: send -----------------------------------------------------------------------------

TEST(RoomRules, BodyMustBeJsonObject) {
  Registry r;
  ASSERT_NO_FATAL_FAILURE(enter(r, kAlice, "a", "alice"));
  constexpr std::string_view kError = "invalid room message: body must be a JSON object";
  for (std::string_view body : {"", "not json", "[1,2]", "\"join\"", "null", R"({"type":"join")",
                                R"({"type":"join"} trailing)"}) {
    expect_rejected(r.send(kAlice, kRoom, body, t0), kError);
  }
}

TEST(RoomRules, TypeMustBeAString) {
  Registry r;
  ASSERT_NO_FATAL_FAILURE(enter(r, kAlice, "a", "alice"));
  expect_rejected(r.send(kAlice, kRoom, R"({"from":"alice"})", t0),
                  "room message needs a string 'type'");
  expect_rejected(r.send(kAlice, kRoom, R"({"type":1})", t0), "room message needs a string 'type'");
}

TEST(RoomRules, UnknownTypeIsRejected) {
  Registry r;
  ASSERT_NO_FATAL_FAILURE(enter(r, kAlice, "a", "alice"));
  expect_rejected(r.send(kAlice, kRoom, R"({"type":"peers"})", t0),
                  "unknown room message type 'peers'");
}

TEST(RoomRules, SenderMustBeSubscribed) {
  Registry r;
  ASSERT_NO_FATAL_FAILURE(enter(r, kAlice, "a", "alice"));
  expect_rejected(r.send(kBob, kRoom, join("bob", "B"), t0), "not subscribed to room room-1");
  expect_rejected(r.send(kBob, "nowhere", join("bob", "B"), t0), "not subscribed to room nowhere");
  EXPECT_EQ(r.room_count(), 1u);
  EXPECT_EQ(r.member_count(), 1u);
}

TEST(RoomRules, JoinIsEchoedToSender) {
  Registry r;
  ASSERT_TRUE(r.subscribe(kAlice, kRoom, "a", false, false, t0).ok());
  ASSERT_TRUE(r.subscribe(kBob, kRoom, "b", false, false, t0).ok());
  // Odd spacing and key order: the bytes must be forwarded untouched.
  const std::string body = R"({ "nickname":"앨리스", "type":"join","from" : "alice" })";
  const Outcome o = r.send(kAlice, kRoom, body, t0);
  ASSERT_TRUE(o.ok()) << o.error;
  ASSERT_EQ(o.posts.size(), 1u);
  EXPECT_EQ(*o.posts[0].body, body);
  EXPECT_EQ(who(o.posts[0]), (Who{{kAlice, "a"}, {kBob, "b"}}));
  EXPECT_EQ(r.member_count(), 1u);
}

TEST(RoomRules, JoinNeedsNonEmptyFromOfAtMost128Bytes) {
  Registry r;
  ASSERT_TRUE(r.subscribe(kAlice, kRoom, "a", false, false, t0).ok());
  constexpr std::string_view kError =
      "invalid join: 'from' must be a non-empty string of at most 128 bytes";
  expect_rejected(r.send(kAlice, kRoom, R"({"type":"join","nickname":"A"})", t0), kError);
  expect_rejected(r.send(kAlice, kRoom, R"({"type":"join","from":7})", t0), kError);
  expect_rejected(r.send(kAlice, kRoom, join("", "A"), t0), kError);
  expect_rejected(r.send(kAlice, kRoom, join(std::string(129, 'x'), "A"), t0), kError);
  EXPECT_TRUE(r.send(kAlice, kRoom, join(std::string(128, 'x'), "A"), t0).ok());
}

TEST(RoomRules, JoinNicknameIsAStringOfAtMost128BytesOrMissing) {
  Registry r;
  ASSERT_TRUE(r.subscribe(kAlice, kRoom, "a", false, false, t0).ok());
  constexpr std::string_view kError =
      "invalid join: 'nickname' must be a string of at most 128 bytes";
  expect_rejected(r.send(kAlice, kRoom, R"({"type":"join","from":"alice","nickname":null})", t0),
                  kError);
  expect_rejected(r.send(kAlice, kRoom, join("alice", std::string(129, 'n')), t0), kError);
  ASSERT_TRUE(r.send(kAlice, kRoom, R"({"type":"join","from":"alice"})", t0).ok());
  const Outcome o = r.subscribe(kBob, kRoom, "b", true, false, t0);
  ASSERT_EQ(o.posts.size(), 1u);
  EXPECT_EQ(*o.posts[0].body, R"({"type":"peers","peers":[{"from":"alice","nickname":""}]})");
}

TEST(RoomRules, IdentityMismatchIsRejected) {
  Registry r;
  ASSERT_NO_FATAL_FAILURE(enter(r, kAlice, "a", "alice"));
  expect_rejected(r.send(kAlice, kRoom, join("mallory", "M"), t0),
                  "identity mismatch: this session joined as 'alice'");
  EXPECT_EQ(r.member_count(), 1u);
}

TEST(RoomRules, IdentityTakenIsRejected) {
  Registry r;
  ASSERT_NO_FATAL_FAILURE(enter(r, kAlice, "a", "alice"));
  ASSERT_TRUE(r.subscribe(kBob, kRoom, "b", false, false, t0).ok());
  expect_rejected(r.send(kBob, kRoom, join("alice", "fake"), t0),
                  "identity taken: 'alice' is already in room room-1");
  EXPECT_EQ(r.member_count(), 1u);
}

TEST(RoomRules, RoomFullIsRejected) {
  Registry r(Limits{.max_members = 2});
  ASSERT_NO_FATAL_FAILURE(two_members(r));
  ASSERT_TRUE(r.subscribe(kCarol, kRoom, "c", false, false, t0).ok());
  expect_rejected(r.send(kCarol, kRoom, join("carol", "C"), t0), "room full (max 2 members)");
  EXPECT_EQ(r.member_count(), 2u);
  // Existing members may still re-join; a freed seat can be taken.
  EXPECT_TRUE(r.send(kAlice, kRoom, join("alice", "A"), t0).ok());
  ASSERT_TRUE(r.send(kBob, kRoom, leave("bob"), t0).ok());
  EXPECT_TRUE(r.send(kCarol, kRoom, join("carol", "C"), t0).ok());
}

TEST(RoomRules, RejoinWithSameIdUpdatesNicknameAndRebroadcasts) {
  Registry r;
  ASSERT_NO_FATAL_FAILURE(two_members(r));
  const Outcome o = r.send(kAlice, kRoom, join("alice", "Alice2"), t0);
  ASSERT_TRUE(o.ok()) << o.error;
  ASSERT_EQ(o.posts.size(), 1u);
  EXPECT_EQ(who(o.posts[0]), (Who{{kAlice, "a"}, {kBob, "b"}}));
  EXPECT_EQ(r.member_count(), 2u);
  EXPECT_TRUE(r.send(kAlice, kRoom, chat("Alice2", "renamed"), t0).ok());
  EXPECT_FALSE(r.send(kAlice, kRoom, chat("alice-nick", "old name"), t0).ok());
}

TEST(RoomRules, MessageIsEchoedToSender) {
  Registry r;
  ASSERT_NO_FATAL_FAILURE(two_members(r));
  ASSERT_TRUE(r.subscribe(kCarol, kRoom, "c", false, false, t0).ok());
  const std::string body = chat("alice-nick", "hello \"world\"");
  const Outcome o = r.send(kAlice, kRoom, body, t0);
  ASSERT_TRUE(o.ok()) << o.error;
  ASSERT_EQ(o.posts.size(), 1u);
  EXPECT_EQ(*o.posts[0].body, body);
  EXPECT_EQ(who(o.posts[0]), (Who{{kAlice, "a"}, {kBob, "b"}, {kCarol, "c"}}));
}

TEST(RoomRules, MessageFromSubscriberWhoHasNotJoinedIsDelivered) {
  Registry r;
  ASSERT_NO_FATAL_FAILURE(enter(r, kAlice, "a", "alice"));
  ASSERT_TRUE(r.subscribe(kBob, kRoom, "b", false, false, t0).ok());
  const Outcome o = r.send(kBob, kRoom, chat("anyone", "hi"), t0);
  ASSERT_TRUE(o.ok()) << o.error;
  ASSERT_EQ(o.posts.size(), 1u);
  EXPECT_EQ(who(o.posts[0]), (Who{{kAlice, "a"}, {kBob, "b"}}));
}

TEST(RoomRules, UnjoinedSenderCannotChatAsAMember) {
  Registry r;
  ASSERT_NO_FATAL_FAILURE(enter(r, kAlice, "a", "alice"));
  ASSERT_TRUE(r.subscribe(kBob, kRoom, "b", false, false, t0).ok());
  const std::string body = R"({"type":"message","from":"alice","nickname":"x","msg":"hi"})";
  expect_rejected(r.send(kBob, kRoom, body, t0),
                  "spoofed from: 'alice' is another session's id in room room-1");
}

TEST(RoomRules, MessageNeedsStringMsgOfAtMost16KiB) {
  Registry r;
  ASSERT_NO_FATAL_FAILURE(enter(r, kAlice, "a", "alice"));
  constexpr std::string_view kError =
      "invalid message: 'msg' must be a string of at most 16384 bytes";
  expect_rejected(r.send(kAlice, kRoom, R"({"type":"message","nickname":"alice-nick"})", t0),
                  kError);
  expect_rejected(
      r.send(kAlice, kRoom, R"({"type":"message","nickname":"alice-nick","msg":1})", t0), kError);
  expect_rejected(r.send(kAlice, kRoom, chat("alice-nick", std::string(16385, 'm')), t0), kError);
  EXPECT_TRUE(r.send(kAlice, kRoom, chat("alice-nick", std::string(16384, 'm')), t0).ok());
}

TEST(RoomRules, SpoofedFromIsRejected) {
  Registry r;
  ASSERT_NO_FATAL_FAILURE(two_members(r));
  const std::string body = R"({"type":"message","from":"bob","nickname":"alice-nick","msg":"x"})";
  expect_rejected(r.send(kAlice, kRoom, body, t0),
                  "spoofed from: session joined as 'alice', frame says 'bob'");
  // A matching from is fine.
  EXPECT_TRUE(r.send(kAlice, kRoom,
                     R"({"type":"message","from":"alice","nickname":"alice-nick","msg":"x"})", t0)
                  .ok());
}

TEST(RoomRules, SpoofedNicknameIsRejected) {
  Registry r;
  ASSERT_NO_FATAL_FAILURE(two_members(r));
  expect_rejected(r.send(kAlice, kRoom, chat("bob-nick", "x"), t0),
                  "spoofed nickname: session joined as 'alice-nick', frame says 'bob-nick'");
}

TEST(RoomRules, OfferReachesOnlyTarget) {
  Registry r;
  ASSERT_NO_FATAL_FAILURE(two_members(r));
  ASSERT_NO_FATAL_FAILURE(enter(r, kCarol, "c", "carol"));
  ASSERT_TRUE(r.subscribe(kBob, kRoom, "b2", false, false, t0).ok());
  const std::string body = offer("alice", "bob", sdp_with_stream("s-alice"));
  const Outcome o = r.send(kAlice, kRoom, body, t0);
  ASSERT_TRUE(o.ok()) << o.error;
  ASSERT_EQ(o.posts.size(), 1u);
  EXPECT_EQ(*o.posts[0].body, body);
  EXPECT_EQ(who(o.posts[0]), (Who{{kBob, "b"}, {kBob, "b2"}}));
}

TEST(RoomRules, AnswerReachesOnlyTarget) {
  Registry r;
  ASSERT_NO_FATAL_FAILURE(two_members(r));
  ASSERT_NO_FATAL_FAILURE(enter(r, kCarol, "c", "carol"));
  const Outcome o = r.send(kBob, kRoom, offer("bob", "alice", "v=0\r\n", "answer"), t0);
  ASSERT_TRUE(o.ok()) << o.error;
  ASSERT_EQ(o.posts.size(), 1u);
  EXPECT_EQ(who(o.posts[0]), (Who{{kAlice, "a"}}));
}

TEST(RoomRules, IceReachesOnlyTarget) {
  Registry r;
  ASSERT_NO_FATAL_FAILURE(two_members(r));
  ASSERT_NO_FATAL_FAILURE(enter(r, kCarol, "c", "carol"));
  const std::string candidate =
      R"({"type":"ice","from":"alice","target":"carol","iceCandidate":{"candidate":"candidate:1 1 udp 1 10.0.0.1 5000 typ host","sdpMid":"0"}})";
  Outcome o = r.send(kAlice, kRoom, candidate, t0);
  ASSERT_TRUE(o.ok()) << o.error;
  ASSERT_EQ(o.posts.size(), 1u);
  EXPECT_EQ(*o.posts[0].body, candidate);
  EXPECT_EQ(who(o.posts[0]), (Who{{kCarol, "c"}}));
  // End of candidates is null.
  o = r.send(kAlice, kRoom, ice("alice", "carol"), t0);
  ASSERT_TRUE(o.ok()) << o.error;
  ASSERT_EQ(o.posts.size(), 1u);
  EXPECT_EQ(who(o.posts[0]), (Who{{kCarol, "c"}}));
}

TEST(RoomRules, SignalingRequiresJoin) {
  Registry r;
  ASSERT_NO_FATAL_FAILURE(enter(r, kAlice, "a", "alice"));
  ASSERT_TRUE(r.subscribe(kBob, kRoom, "b", false, false, t0).ok());
  expect_rejected(r.send(kBob, kRoom, offer("bob", "alice", "v=0"), t0),
                  "join the room before sending offer");
  expect_rejected(r.send(kBob, kRoom, offer("bob", "alice", "v=0", "answer"), t0),
                  "join the room before sending answer");
  expect_rejected(r.send(kBob, kRoom, ice("bob", "alice"), t0), "join the room before sending ice");
  expect_rejected(r.send(kBob, kRoom, leave("bob"), t0), "join the room before sending leave");
}

TEST(RoomRules, SignalingWithSpoofedFromIsRejected) {
  Registry r;
  ASSERT_NO_FATAL_FAILURE(two_members(r));
  ASSERT_NO_FATAL_FAILURE(enter(r, kCarol, "c", "carol"));
  expect_rejected(r.send(kCarol, kRoom, offer("alice", "bob", "v=0"), t0),
                  "spoofed from: session joined as 'carol', frame says 'alice'");
  expect_rejected(r.send(kCarol, kRoom, ice("bob", "alice"), t0),
                  "spoofed from: session joined as 'carol', frame says 'bob'");
  expect_rejected(r.send(kCarol, kRoom, R"({"type":"ice","target":"bob","iceCandidate":null})", t0),
                  "spoofed from: session joined as 'carol', frame has no 'from'");
  expect_rejected(r.send(kCarol, kRoom, leave("alice"), t0),
                  "spoofed from: session joined as 'carol', frame says 'alice'");
  EXPECT_EQ(r.member_count(), 3u);
}

TEST(RoomRules, SignalingToAbsentTargetIsDroppedQuietly) {
  Registry r;
  ASSERT_NO_FATAL_FAILURE(two_members(r));
  const Outcome o = r.send(kAlice, kRoom, ice("alice", "ghost"), t0);
  EXPECT_TRUE(o.ok()) << o.error;
  EXPECT_TRUE(o.posts.empty());
}

TEST(RoomRules, SignalingFieldsAreValidated) {
  Registry r;
  ASSERT_NO_FATAL_FAILURE(two_members(r));
  expect_rejected(
      r.send(kAlice, kRoom, R"({"type":"offer","from":"alice","target":1,"sdp":"v=0"})", t0),
      "invalid offer: 'target' must be a string");
  expect_rejected(
      r.send(kAlice, kRoom, R"({"type":"offer","from":"alice","target":"bob","sdp":5})", t0),
      "invalid offer: 'sdp' must be a string or an object with a string 'sdp'");
  expect_rejected(
      r.send(kAlice, kRoom, R"({"type":"answer","from":"alice","target":"bob","sdp":{}})", t0),
      "invalid answer: 'sdp' must be a string or an object with a string 'sdp'");
  expect_rejected(r.send(kAlice, kRoom, R"({"type":"ice","from":"alice","target":"bob"})", t0),
                  "invalid ice: 'iceCandidate' must be an object or null");
  expect_rejected(
      r.send(kAlice, kRoom,
             R"({"type":"ice","from":"alice","target":"bob","iceCandidate":"candidate:1"})", t0),
      "invalid ice: 'iceCandidate' must be an object or null");
}

TEST(RoomRules, SdpMayBeAPlainString) {
  Registry r;
  ASSERT_NO_FATAL_FAILURE(two_members(r));
  const std::string body = json::serialize(json::object{
      {"type", "offer"}, {"from", "alice"}, {"target", "bob"}, {"sdp", sdp_with_stream("s1")}});
  ASSERT_TRUE(r.send(kAlice, kRoom, body, t0).ok());
  const Outcome o = r.disconnect(kAlice);
  ASSERT_EQ(o.posts.size(), 1u);
  EXPECT_EQ(parsed(o.posts[0]).at("streamId"), "s1");
}

TEST(RoomRules, LeaveCarriesStreamIdLearnedFromOfferSdp) {
  Registry r;
  ASSERT_NO_FATAL_FAILURE(two_members(r));
  ASSERT_TRUE(r.send(kAlice, kRoom, offer("alice", "bob", sdp_with_stream("stream-A")), t0).ok());
  const Outcome o = r.send(kAlice, kRoom, leave("alice"), t0);
  ASSERT_TRUE(o.ok()) << o.error;
  ASSERT_EQ(o.posts.size(), 1u);
  EXPECT_EQ(*o.posts[0].body, R"({"type":"leave","from":"alice","streamId":"stream-A"})");
}

TEST(RoomRules, LeaveWithoutLearnedStreamIdCarriesNull) {
  Registry r;
  ASSERT_NO_FATAL_FAILURE(two_members(r));
  const Outcome o = r.send(kAlice, kRoom, leave("alice"), t0);
  ASSERT_EQ(o.posts.size(), 1u);
  EXPECT_EQ(*o.posts[0].body, R"({"type":"leave","from":"alice","streamId":null})");
}

TEST(RoomRules, LatestAnnouncedStreamIdWins) {
  Registry r;
  ASSERT_NO_FATAL_FAILURE(two_members(r));
  ASSERT_TRUE(r.send(kAlice, kRoom, offer("alice", "bob", sdp_with_stream("first")), t0).ok());
  ASSERT_TRUE(
      r.send(kAlice, kRoom, offer("alice", "bob", sdp_with_stream("second"), "answer"), t0).ok());
  // An SDP announcing no stream does not forget the one already learned.
  ASSERT_TRUE(r.send(kAlice, kRoom, offer("alice", "bob", "v=0\r\n"), t0).ok());
  const Outcome o = r.disconnect(kAlice);
  ASSERT_EQ(o.posts.size(), 1u);
  EXPECT_EQ(parsed(o.posts[0]).at("streamId"), "second");
}

TEST(RoomRules, ExplicitLeaveGoesToOthersAndKeepsSubscription) {
  Registry r;
  ASSERT_NO_FATAL_FAILURE(two_members(r));
  ASSERT_TRUE(r.subscribe(kCarol, kRoom, "c", false, false, t0).ok());
  const Outcome o = r.send(kAlice, kRoom, R"({"type":"leave","from":"alice","streamId":"x"})", t0);
  ASSERT_TRUE(o.ok()) << o.error;
  ASSERT_EQ(o.posts.size(), 1u);
  EXPECT_EQ(who(o.posts[0]), (Who{{kBob, "b"}, {kCarol, "c"}}));
  // The client-claimed streamId is not trusted: nothing was announced in SDP.
  EXPECT_EQ(parsed(o.posts[0]).at("streamId"), nullptr);
  EXPECT_EQ(r.member_count(), 1u);
  // Still subscribed: it receives room traffic and may join again, even under a new id.
  const Outcome again = r.send(kAlice, kRoom, join("alice2", "A"), t0);
  ASSERT_TRUE(again.ok()) << again.error;
  ASSERT_EQ(again.posts.size(), 1u);
  EXPECT_TRUE(who(again.posts[0]).contains({kAlice, "a"}));
}

// --- Rule 4: unsubscribe ----------------------------------------------------------------------

TEST(RoomRules, UnsubscribeOfOneOfTwoSubscriptionsDoesNotLeave) {
  Registry r;
  ASSERT_NO_FATAL_FAILURE(two_members(r));
  ASSERT_TRUE(r.subscribe(kAlice, kRoom, "a2", false, false, t0).ok());
  const Outcome o = r.unsubscribe(kAlice, "a");
  ASSERT_TRUE(o.ok()) << o.error;
  EXPECT_TRUE(o.posts.empty());
  EXPECT_EQ(r.member_count(), 2u);
  const Outcome echo = r.send(kAlice, kRoom, chat("alice-nick", "still here"), t0);
  ASSERT_EQ(echo.posts.size(), 1u);
  EXPECT_EQ(who(echo.posts[0]), (Who{{kAlice, "a2"}, {kBob, "b"}}));
}

TEST(RoomRules, UnsubscribeOfLastSubscriptionLeaves) {
  Registry r;
  ASSERT_NO_FATAL_FAILURE(two_members(r));
  ASSERT_TRUE(r.send(kAlice, kRoom, offer("alice", "bob", sdp_with_stream("sa")), t0).ok());
  const Outcome o = r.unsubscribe(kAlice, "a");
  ASSERT_TRUE(o.ok()) << o.error;
  ASSERT_EQ(o.posts.size(), 1u);
  EXPECT_EQ(*o.posts[0].body, R"({"type":"leave","from":"alice","streamId":"sa"})");
  EXPECT_EQ(who(o.posts[0]), (Who{{kBob, "b"}}));
  EXPECT_EQ(r.member_count(), 1u);
  expect_rejected(r.send(kAlice, kRoom, chat("alice-nick", "x"), t0),
                  "not subscribed to room room-1");
  // The id is free again.
  ASSERT_TRUE(r.subscribe(kCarol, kRoom, "c", false, false, t0).ok());
  EXPECT_TRUE(r.send(kCarol, kRoom, join("alice", "A"), t0).ok());
}

TEST(RoomRules, UnsubscribeOfUnknownIdIsOk) {
  Registry r;
  EXPECT_TRUE(r.unsubscribe(kAlice, "nope").ok());
  ASSERT_NO_FATAL_FAILURE(enter(r, kAlice, "a", "alice"));
  const Outcome o = r.unsubscribe(kAlice, "nope");
  EXPECT_TRUE(o.ok());
  EXPECT_TRUE(o.posts.empty());
  EXPECT_EQ(r.member_count(), 1u);
}

TEST(RoomRules, UnsubscribeOfSubscriberOnlyPostsNothing) {
  Registry r;
  ASSERT_NO_FATAL_FAILURE(enter(r, kAlice, "a", "alice"));
  ASSERT_TRUE(r.subscribe(kBob, kRoom, "b", false, false, t0).ok());
  const Outcome o = r.unsubscribe(kBob, "b");
  EXPECT_TRUE(o.ok());
  EXPECT_TRUE(o.posts.empty());
}

// --- Rule 5: disconnect and empty rooms -------------------------------------------------------

TEST(RoomRules, DisconnectLeavesEveryRoom) {
  Registry r;
  ASSERT_NO_FATAL_FAILURE(enter(r, kAlice, "a", "alice", "r1"));
  ASSERT_NO_FATAL_FAILURE(enter(r, kAlice, "a2", "alice", "r2"));
  ASSERT_TRUE(r.subscribe(kAlice, "r2", "a3", false, false, t0).ok());
  ASSERT_NO_FATAL_FAILURE(enter(r, kBob, "b1", "bob", "r1"));
  ASSERT_NO_FATAL_FAILURE(enter(r, kBob, "b2", "bob", "r2"));
  const Outcome o = r.disconnect(kAlice);
  ASSERT_TRUE(o.ok()) << o.error;
  ASSERT_EQ(o.posts.size(), 2u);  // one leave per room, not per subscription
  Who all;
  for (const auto& p : o.posts) {
    EXPECT_EQ(*p.body, R"({"type":"leave","from":"alice","streamId":null})");
    for (const auto& w : who(p)) all.insert(w);
  }
  EXPECT_EQ(all, (Who{{kBob, "b1"}, {kBob, "b2"}}));
  EXPECT_EQ(r.member_count(), 2u);
  EXPECT_TRUE(r.disconnect(kAlice).posts.empty());
  // Subscription ids are free again for a new connection reusing the session id.
  EXPECT_TRUE(r.subscribe(kAlice, "r1", "a", false, false, t0).ok());
}

TEST(RoomRules, EmptyRoomWithoutHistoryIsErased) {
  Registry r;
  ASSERT_NO_FATAL_FAILURE(two_members(r));
  ASSERT_TRUE(r.subscribe(kCarol, "lurk", "c", false, false, t0).ok());
  EXPECT_EQ(r.room_count(), 2u);
  r.disconnect(kAlice);
  r.unsubscribe(kBob, "b");
  r.unsubscribe(kCarol, "c");
  EXPECT_EQ(r.room_count(), 0u);
  EXPECT_EQ(r.member_count(), 0u);
}

TEST(RoomRules, SweepDropsEmptyRoomsOnceHistoryExpires) {
  Registry r(Limits{.history_ttl = std::chrono::seconds{60}});
  ASSERT_NO_FATAL_FAILURE(enter(r, kAlice, "a", "alice"));
  ASSERT_NO_FATAL_FAILURE(enter(r, kBob, "b", "bob", "busy"));
  ASSERT_TRUE(r.send(kAlice, kRoom, chat("alice-nick", "remember me"), t0).ok());
  r.disconnect(kAlice);
  EXPECT_EQ(r.room_count(), 2u);  // kept: its history is still worth replaying
  r.sweep(t0 + 60s);
  EXPECT_EQ(r.room_count(), 2u);
  const Outcome back = r.subscribe(kCarol, kRoom, "c", false, true, t0 + 60s);
  ASSERT_EQ(back.posts.size(), 1u);
  EXPECT_EQ(parsed(back.posts[0]).at("messages").as_array().size(), 1u);
  r.unsubscribe(kCarol, "c");
  r.sweep(t0 + 61s);
  EXPECT_EQ(r.room_count(), 1u);  // the busy room stays: it has members
}

TEST(RoomRules, EmptyRoomsCountTowardRoomLimitUntilSwept) {
  Registry r(Limits{.max_rooms = 1, .history_ttl = std::chrono::seconds{10}});
  ASSERT_NO_FATAL_FAILURE(enter(r, kAlice, "a", "alice"));
  ASSERT_TRUE(r.send(kAlice, kRoom, chat("alice-nick", "x"), t0).ok());
  r.disconnect(kAlice);
  EXPECT_FALSE(r.subscribe(kBob, "other", "b", false, false, t0).ok());
  r.sweep(t0 + 11s);
  EXPECT_TRUE(r.subscribe(kBob, "other", "b", false, false, t0 + 11s).ok());
}

// --- Rule 6: stream id from SDP ---------------------------------------------------------------

TEST(RoomRules, StreamIdIsFirstMsidLineToken) {
  EXPECT_EQ(
      stream_id_from_sdp("v=0\r\na=msid-semantic: WMS s0\r\na=msid:s1 t1\r\na=msid:s2 t2\r\n"),
      "s1");
  EXPECT_EQ(stream_id_from_sdp("v=0\na=msid-semantic:WMS x\na=msid:{a-b} t\n"), "{a-b}");
  EXPECT_EQ(stream_id_from_sdp("a=msid:first track"), "first");
  EXPECT_EQ(stream_id_from_sdp("v=0\r\na=msid:lonely\r\n"), "lonely");
  EXPECT_EQ(stream_id_from_sdp("v=0\na=msid:eof"), "eof");
  EXPECT_EQ(stream_id_from_sdp("v=0\r\nx=ya=msid:no\r\n"), "");
  EXPECT_EQ(stream_id_from_sdp("v=0\r\na=msid-semantic: WMS s\r\n"), "");
  EXPECT_EQ(stream_id_from_sdp(""), "");
}

// --- Rule 7: counts ---------------------------------------------------------------------------

TEST(RoomRules, CountsRoomsAndBoundMembers) {
  Registry r;
  EXPECT_EQ(r.room_count(), 0u);
  ASSERT_NO_FATAL_FAILURE(two_members(r));
  ASSERT_NO_FATAL_FAILURE(enter(r, kCarol, "c", "carol", "r2"));
  ASSERT_TRUE(r.subscribe(kCarol, "r3", "c3", false, false, t0).ok());  // subscribed, no join
  EXPECT_EQ(r.room_count(), 3u);
  EXPECT_EQ(r.member_count(), 3u);
  r.send(kBob, kRoom, leave("bob"), t0);
  EXPECT_EQ(r.member_count(), 2u);
  r.disconnect(kCarol);
  EXPECT_EQ(r.room_count(), 1u);
  EXPECT_EQ(r.member_count(), 1u);
}

// --- Cross-cutting ----------------------------------------------------------------------------

TEST(RoomRules, ErroredFramesDeliverNothingAndChangeNothing) {
  Registry r(Limits{.max_members = 2});
  ASSERT_NO_FATAL_FAILURE(two_members(r));
  ASSERT_TRUE(r.subscribe(kCarol, kRoom, "c", false, false, t0).ok());
  const std::vector<std::pair<SessionId, std::string>> bad = {
      {kAlice, "{"},
      {kAlice, R"({"type":"message","nickname":"bob-nick","msg":"spoof"})"},
      {kAlice, R"({"type":"message","from":"bob","msg":"spoof"})"},
      {kAlice, join("bob", "B")},
      {kCarol, join("carol", "C")},
      {kCarol, offer("carol", "alice", "v=0")},
      {kBob, offer("alice", "alice", sdp_with_stream("evil"))},
      {kBob, leave("alice")},
      {kAlice, R"({"type":"bogus"})"},
  };
  for (const auto& [session, body] : bad) {
    const Outcome o = r.send(session, kRoom, body, t0);
    EXPECT_FALSE(o.ok()) << body;
    EXPECT_TRUE(o.posts.empty()) << body;
  }
  EXPECT_EQ(r.member_count(), 2u);
  const Outcome h = r.subscribe(kCarol, kRoom, "c2", true, true, t0);
  ASSERT_EQ(h.posts.size(), 2u);
  EXPECT_EQ(parsed(h.posts[1]).at("messages").as_array().size(), 0u);  // spoofs not stored
  // Bob's rejected offer must not have taught him (or Alice) a stream id.
  const Outcome gone = r.disconnect(kBob);
  ASSERT_EQ(gone.posts.size(), 1u);
  EXPECT_EQ(parsed(gone.posts[0]).at("streamId"), nullptr);
}

TEST(RoomRules, BroadcastSharesOneSerializedBody) {
  Registry r;
  ASSERT_NO_FATAL_FAILURE(two_members(r));
  ASSERT_NO_FATAL_FAILURE(enter(r, kCarol, "c", "carol"));
  const Outcome o = r.disconnect(kAlice);
  ASSERT_EQ(o.posts.size(), 1u);
  EXPECT_EQ(o.posts[0].to.size(), 2u);
}

TEST(RoomRules, ErrorQuotesAreCapped) {
  Registry r;
  ASSERT_NO_FATAL_FAILURE(enter(r, kAlice, "a", "alice"));
  const std::string type(1000, 't');
  const Outcome o = r.send(kAlice, kRoom, R"({"type":")" + type + R"("})", t0);
  EXPECT_FALSE(o.ok());
  EXPECT_LT(o.error.size(), 120u);
}

// --- Extension: media state ------------------------------------------------------------------

TEST(RoomRules, MediaStateReachesEveryOtherMemberNotTheSender) {
  Registry r;
  ASSERT_NO_FATAL_FAILURE(two_members(r));
  ASSERT_NO_FATAL_FAILURE(enter(r, kCarol, "c", "carol"));
  const std::string body =
      R"({"type":"media","from":"alice","audio":false,"video":true,"screen":false})";
  const Outcome o = r.send(kAlice, kRoom, body, t0);
  ASSERT_TRUE(o.ok()) << o.error;
  ASSERT_EQ(o.posts.size(), 1u);
  EXPECT_EQ(*o.posts[0].body, body);
  EXPECT_EQ(who(o.posts[0]), (Who{{kBob, "b"}, {kCarol, "c"}}));
}

TEST(RoomRules, MediaStateNeedsJoinBoundFromAndBooleans) {
  Registry r;
  ASSERT_NO_FATAL_FAILURE(two_members(r));
  ASSERT_TRUE(r.subscribe(kCarol, kRoom, "c", false, false, t0).ok());
  expect_rejected(r.send(kCarol, kRoom, R"({"type":"media","from":"carol","audio":true})", t0),
                  "join the room before sending media");
  const Outcome spoofed =
      r.send(kAlice, kRoom, R"({"type":"media","from":"bob","audio":true})", t0);
  EXPECT_TRUE(spoofed.error.starts_with("spoofed from")) << spoofed.error;
  EXPECT_TRUE(spoofed.posts.empty());
  expect_rejected(r.send(kAlice, kRoom, R"({"type":"media","from":"alice","audio":"off"})", t0),
                  "invalid media: 'audio' must be true or false");
}

// --- Rule 1 (resume): a reconnecting client takes its id back ---------------------------------

std::string join_with_resume(std::string_view from, std::string_view resume) {
  return json::serialize(
      json::object{{"type", "join"}, {"from", from}, {"nickname", "Alice"}, {"resume", resume}});
}

constexpr std::string_view kToken = "0123456789abcdef-secret";

TEST(RoomRules, ResumeTokenTakesOverAnIdStillHeldByADeadConnection) {
  Registry r;
  ASSERT_TRUE(r.subscribe(kAlice, kRoom, "a", false, false, t0).ok());
  ASSERT_TRUE(r.send(kAlice, kRoom, join_with_resume("alice", kToken), t0).ok());
  ASSERT_NO_FATAL_FAILURE(enter(r, kBob, "b", "bob"));
  // Alice's new connection (session 4); the old one (session 1) is not yet known to be dead.
  constexpr SessionId kAliceAgain = 4;
  ASSERT_TRUE(r.subscribe(kAliceAgain, kRoom, "a2", false, false, t0).ok());
  const Outcome o = r.send(kAliceAgain, kRoom, join_with_resume("alice", kToken), t0);
  ASSERT_TRUE(o.ok()) << o.error;
  ASSERT_EQ(o.posts.size(), 2u);
  // Bob learns the old Alice left (so he drops that peer connection)...
  EXPECT_EQ(parsed(o.posts[0]).at("type").as_string(), "leave");
  EXPECT_EQ(who(o.posts[0]), (Who{{kBob, "b"}}));
  // ...then sees her join again, like every subscriber (the old connection is still
  // subscribed until the server notices it died); the secret itself is never relayed.
  EXPECT_EQ(who(o.posts[1]), (Who{{kAlice, "a"}, {kAliceAgain, "a2"}, {kBob, "b"}}));
  EXPECT_FALSE(parsed(o.posts[1]).contains("resume"));
  EXPECT_EQ(parsed(o.posts[1]).at("from").as_string(), "alice");
  EXPECT_EQ(r.member_count(), 2u);
  // The old connection finally dies: no second leave for Alice.
  EXPECT_TRUE(r.disconnect(kAlice).posts.empty());
}

TEST(RoomRules, WrongOrMissingResumeTokenLeavesTheIdTaken) {
  Registry r;
  ASSERT_TRUE(r.subscribe(kAlice, kRoom, "a", false, false, t0).ok());
  ASSERT_TRUE(r.send(kAlice, kRoom, join_with_resume("alice", kToken), t0).ok());
  ASSERT_TRUE(r.subscribe(kCarol, kRoom, "c", false, false, t0).ok());
  const std::string taken = "identity taken: 'alice' is already in room room-1";
  expect_rejected(r.send(kCarol, kRoom, join_with_resume("alice", "another-secret-0123"), t0),
                  taken);
  expect_rejected(r.send(kCarol, kRoom, join("alice", "Alice"), t0), taken);
  expect_rejected(r.send(kCarol, kRoom, join_with_resume("carol", "short"), t0),
                  "invalid join: 'resume' must be a string of 16 to 128 bytes");
}

}  // namespace
}  // namespace parley::rooms
