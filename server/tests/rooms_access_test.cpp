// Access control and moderation in the room rules (docs/PROTOCOL.md "Access control and
// moderation"): room tokens' grants, room passwords, kick and mute.
#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <string>

#include "rooms/registry.hpp"
#include "rooms_frames.hpp"

namespace parley::rooms {
namespace {

namespace json = boost::json;
using namespace testing;  // NOLINT: the shared frame builders
using namespace std::chrono_literals;

constexpr SessionId kMod = 1;
constexpr SessionId kBob = 2;
constexpr SessionId kCarol = 3;
constexpr std::string_view kRoom = "room-1";
const Clock::time_point t0 = Clock::time_point{} + 24h;

std::string join(std::string_view from) {
  return json::serialize(json::object{{"type", "join"}, {"from", from}, {"nickname", from}});
}

void expect_rejected(const Outcome& o, std::string_view error) {
  EXPECT_FALSE(o.ok());
  EXPECT_NE(o.error.find(error), std::string::npos) << "error was: " << o.error;
  EXPECT_TRUE(o.posts.empty());
}

void enter(Registry& r, SessionId session, std::string_view sub, std::string_view id,
           Clock::time_point now = t0) {
  const Outcome s = r.subscribe(session, kRoom, sub, false, false, now);
  ASSERT_TRUE(s.ok()) << s.error;
  const Outcome j = r.send(session, kRoom, join(id), now);
  ASSERT_TRUE(j.ok()) << j.error;
}

// A moderator "mod" (session 1, sub "m"), and members bob (2, "b") and carol (3, "c").
void moderated_room(Registry& r) {
  r.authorize(kMod, Access{std::string(kRoom), "mod", true});
  r.authorize(kBob, Access{"*", "bob", false});
  ASSERT_NO_FATAL_FAILURE(enter(r, kMod, "m", "mod"));
  ASSERT_NO_FATAL_FAILURE(enter(r, kBob, "b", "bob"));
  ASSERT_NO_FATAL_FAILURE(enter(r, kCarol, "c", "carol"));
}

TEST(RoomAccess, TokenForAnotherRoomCannotSubscribe) {
  Registry r;
  r.authorize(kBob, Access{"other", "bob", false});
  expect_rejected(r.subscribe(kBob, kRoom, "b", false, false, t0),
                  "token does not grant room 'room-1'");
  EXPECT_TRUE(r.subscribe(kBob, "other", "b", false, false, t0).ok());
}

TEST(RoomAccess, WildcardTokenEntersEveryRoom) {
  Registry r;
  r.authorize(kBob, Access{"*", "bob", false});
  EXPECT_TRUE(r.subscribe(kBob, kRoom, "b1", false, false, t0).ok());
  EXPECT_TRUE(r.subscribe(kBob, "elsewhere", "b2", false, false, t0).ok());
}

TEST(RoomAccess, TokenHolderMustJoinAsItsIdentity) {
  Registry r;
  r.authorize(kBob, Access{"*", "bob", false});
  ASSERT_TRUE(r.subscribe(kBob, kRoom, "b", false, false, t0).ok());
  expect_rejected(r.send(kBob, kRoom, join("mallory"), t0),
                  "identity mismatch: the token is for 'bob'");
  EXPECT_TRUE(r.send(kBob, kRoom, join("bob"), t0).ok());
}

TEST(RoomAccess, TokenHolderCannotChatUnderAnotherNameBeforeJoining) {
  Registry r;
  r.authorize(kBob, Access{"*", "bob", false});
  ASSERT_TRUE(r.subscribe(kBob, kRoom, "b", false, false, t0).ok());
  const std::string body =
      json::serialize(json::object{{"type", "message"}, {"from", "alice"}, {"msg", "hi"}});
  expect_rejected(r.send(kBob, kRoom, body, t0), "spoofed from: the token is for 'bob'");
}

TEST(RoomAccess, AuthorizationEndsWithTheSession) {
  Registry r;
  r.authorize(kBob, Access{"other", "bob", false});
  r.disconnect(kBob);
  // The id is reused by an anonymous session: no grant applies to it any more.
  EXPECT_TRUE(r.subscribe(kBob, kRoom, "b", false, false, t0).ok());
}

TEST(RoomPasswords, AnonymousSessionNeedsThePassword) {
  Limits limits;
  limits.passwords.emplace(std::string(kRoom), "s3cret");
  Registry r(limits);
  expect_rejected(r.subscribe(kBob, kRoom, "b", false, false, t0),
                  "room 'room-1' requires a password");
  expect_rejected(r.subscribe(kBob, kRoom, "b", false, false, t0, "s3cret!"),
                  "wrong password for room 'room-1'");
  expect_rejected(r.subscribe(kBob, kRoom, "b", false, false, t0, "s3cre"),
                  "wrong password for room 'room-1'");
  EXPECT_TRUE(r.subscribe(kBob, kRoom, "b", false, false, t0, "s3cret").ok());
  EXPECT_EQ(r.room_count(), 1u);
}

TEST(RoomPasswords, OtherRoomsStayOpen) {
  Limits limits;
  limits.passwords.emplace("locked", "pw");
  Registry r(limits);
  EXPECT_TRUE(r.subscribe(kBob, kRoom, "b", false, false, t0).ok());
}

TEST(RoomPasswords, RejectedSubscribeCreatesNoRoom) {
  Limits limits;
  limits.passwords.emplace(std::string(kRoom), "pw");
  Registry r(limits);
  EXPECT_FALSE(r.subscribe(kBob, kRoom, "b", false, false, t0, "nope").ok());
  EXPECT_EQ(r.room_count(), 0u);
}

TEST(RoomPasswords, TokenThatGrantsTheRoomSkipsThePassword) {
  Limits limits;
  limits.passwords.emplace(std::string(kRoom), "pw");
  Registry r(limits);
  r.authorize(kBob, Access{std::string(kRoom), "bob", false});
  EXPECT_TRUE(r.subscribe(kBob, kRoom, "b", false, false, t0).ok());
}

TEST(Moderation, KickRemovesTheMemberEverywhereAndEndsItsSubscription) {
  Registry r;
  ASSERT_NO_FATAL_FAILURE(moderated_room(r));
  const Outcome o = r.send(kMod, kRoom, kick("mod", "bob"), t0);
  ASSERT_TRUE(o.ok()) << o.error;
  ASSERT_EQ(o.posts.size(), 2u);
  // The kick to everyone, the kicked member included; then its leave to the others.
  EXPECT_EQ(json::parse(*o.posts[0].body).at("type"), "kick");
  EXPECT_EQ(o.posts[0].to.size(), 3u);
  const json::value leave = json::parse(*o.posts[1].body);
  EXPECT_EQ(leave.at("type"), "leave");
  EXPECT_EQ(leave.at("from"), "bob");
  ASSERT_EQ(o.posts[1].to.size(), 2u);
  for (const auto& to : o.posts[1].to) EXPECT_NE(to.session, kBob);
  ASSERT_EQ(o.dropped.size(), 1u);
  EXPECT_EQ(o.dropped[0].session, kBob);
  EXPECT_EQ(o.dropped[0].subscription, "b");
  EXPECT_EQ(r.member_count(), 2u);
  // Bob no longer hears the room nor may send to it.
  const Outcome chat = r.send(kCarol, kRoom, R"({"type":"message","msg":"bye"})", t0);
  ASSERT_EQ(chat.posts.size(), 1u);
  EXPECT_EQ(chat.posts[0].to.size(), 2u);
  expect_rejected(r.send(kBob, kRoom, join("bob"), t0), "not subscribed to room room-1");
  // Its later UNSUBSCRIBE and disconnect produce no second leave.
  EXPECT_TRUE(r.unsubscribe(kBob, "b").posts.empty());
  EXPECT_TRUE(r.disconnect(kBob).posts.empty());
}

TEST(Moderation, KickedIdIsBannedForKickBan) {
  Limits limits;
  limits.kick_ban = 60s;
  Registry r(limits);
  ASSERT_NO_FATAL_FAILURE(moderated_room(r));
  ASSERT_TRUE(r.send(kMod, kRoom, kick("mod", "carol"), t0).ok());
  ASSERT_TRUE(r.subscribe(kCarol, kRoom, "c2", false, false, t0).ok());
  expect_rejected(r.send(kCarol, kRoom, join("carol"), t0 + 10s),
                  "removed from room 'room-1' by a moderator");
  EXPECT_TRUE(r.send(kCarol, kRoom, join("carol"), t0 + 61s).ok());
}

TEST(Moderation, BansOutliveAnEmptyRoomUntilTheyExpire) {
  Limits limits;
  limits.kick_ban = 60s;
  limits.history_size = 0;
  Registry r(limits);
  ASSERT_NO_FATAL_FAILURE(moderated_room(r));
  ASSERT_TRUE(r.send(kMod, kRoom, kick("mod", "carol"), t0).ok());
  r.disconnect(kMod);
  r.disconnect(kBob);
  r.sweep(t0 + 1s);
  EXPECT_EQ(r.room_count(), 1u);
  r.sweep(t0 + 61s);
  EXPECT_EQ(r.room_count(), 0u);
}

TEST(Moderation, MemberCannotKickOrMute) {
  Registry r;
  ASSERT_NO_FATAL_FAILURE(moderated_room(r));
  expect_rejected(r.send(kBob, kRoom, kick("bob", "carol"), t0),
                  "kick requires the moderator role");
  expect_rejected(r.send(kBob, kRoom, mute("bob", "carol", "audio"), t0),
                  "mute requires the moderator role");
  // Anonymous sessions neither.
  expect_rejected(r.send(kCarol, kRoom, kick("carol", "bob"), t0),
                  "kick requires the moderator role");
  EXPECT_EQ(r.member_count(), 3u);
}

TEST(Moderation, ModeratorOfAnotherRoomCannotKickHere) {
  Registry r;
  r.authorize(kMod, Access{"*", "mod", true});
  r.authorize(kBob, Access{"other", "boss", true});
  ASSERT_NO_FATAL_FAILURE(enter(r, kMod, "m", "mod"));
  // kBob's token does not even let it in; a wildcard moderator can act anywhere.
  EXPECT_FALSE(r.subscribe(kBob, kRoom, "b", false, false, t0).ok());
  ASSERT_NO_FATAL_FAILURE(enter(r, kCarol, "c", "carol"));
  EXPECT_TRUE(r.send(kMod, kRoom, kick("mod", "carol"), t0).ok());
}

TEST(Moderation, KickNeedsJoinOwnFromAndATargetOtherThanSelf) {
  Registry r;
  ASSERT_NO_FATAL_FAILURE(moderated_room(r));
  expect_rejected(r.send(kMod, kRoom, kick("bob", "carol"), t0), "spoofed from");
  expect_rejected(r.send(kMod, kRoom, R"({"type":"kick","from":"mod"})", t0),
                  "invalid kick: 'target' must be a string");
  expect_rejected(r.send(kMod, kRoom, kick("mod", "mod"), t0), "cannot kick yourself");
  Registry fresh;
  fresh.authorize(kMod, Access{"*", "mod", true});
  ASSERT_TRUE(fresh.subscribe(kMod, kRoom, "m", false, false, t0).ok());
  expect_rejected(fresh.send(kMod, kRoom, kick("mod", "bob"), t0),
                  "join the room before sending kick");
}

TEST(Moderation, KickOfAbsentMemberIsQuiet) {
  Registry r;
  ASSERT_NO_FATAL_FAILURE(moderated_room(r));
  const Outcome o = r.send(kMod, kRoom, kick("mod", "gone"), t0);
  EXPECT_TRUE(o.ok());
  EXPECT_TRUE(o.posts.empty());
  EXPECT_TRUE(o.dropped.empty());
}

TEST(Moderation, MuteGoesToEveryoneAndRemovesNobody) {
  Registry r;
  ASSERT_NO_FATAL_FAILURE(moderated_room(r));
  const Outcome o = r.send(kMod, kRoom, mute("mod", "bob", "video"), t0);
  ASSERT_TRUE(o.ok()) << o.error;
  ASSERT_EQ(o.posts.size(), 1u);
  EXPECT_EQ(o.posts[0].to.size(), 3u);
  EXPECT_EQ(json::parse(*o.posts[0].body).at("kind"), "video");
  EXPECT_TRUE(o.dropped.empty());
  EXPECT_EQ(r.member_count(), 3u);
  expect_rejected(r.send(kMod, kRoom, mute("mod", "bob", "screen"), t0),
                  "invalid mute: 'kind' must be 'audio' or 'video'");
}

}  // namespace
}  // namespace parley::rooms
