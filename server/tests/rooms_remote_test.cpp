// Scale-out rules of the room registry (issue 7): members on other nodes (remote sessions),
// how their frames reach local subscribers, how id conflicts between nodes settle, and what
// the registry reports for other nodes (Outcome::departed, Outcome::remote_target). One test
// per rule, named after it.
#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <algorithm>
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

// Local sessions.
constexpr SessionId kAlice = 1;
constexpr SessionId kBob = 2;
constexpr SessionId kCarol = 3;
// Remote sessions: ids the caller allocates for members on other nodes.
constexpr SessionId kDave = 1001;
constexpr SessionId kErin = 1002;

// This node is "node-b"; "node-a" sorts before it and "node-c" after it.
constexpr std::string_view kThisNode = "node-b";
constexpr std::string_view kSmallerNode = "node-a";
constexpr std::string_view kLargerNode = "node-c";

constexpr std::string_view kRoom = "room-1";
constexpr std::string_view kSecret = "0123456789abcdef-secret";
const Clock::time_point t0 = Clock::time_point{} + 24h;

using Departed = std::vector<std::pair<std::string, std::string>>;

Limits this_node() {
  return Limits{.node_id = std::string(kThisNode)};
}

std::string join(std::string_view from, std::string_view resume = {}) {
  json::object o{{"type", "join"}, {"from", from}, {"nickname", std::string(from) + "-nick"}};
  if (!resume.empty()) o["resume"] = resume;
  return json::serialize(o);
}

std::string chat(std::string_view from, std::string_view msg) {
  return json::serialize(json::object{{"type", "message"},
                                      {"from", from},
                                      {"nickname", std::string(from) + "-nick"},
                                      {"msg", msg}});
}

std::string leave_of(std::string_view from) {
  return json::serialize(json::object{{"type", "leave"}, {"from", from}, {"streamId", nullptr}});
}

// Subscribes and joins a local session, as the seed client does on entering a room.
void enter(Registry& r, SessionId session, const std::string& sub, std::string_view id,
           std::string_view key = kRoom, std::string_view resume = {}) {
  const Outcome s = r.subscribe(session, key, sub, false, false, t0);
  ASSERT_TRUE(s.ok()) << s.error;
  const Outcome j = r.send(session, key, join(id, resume), t0);
  ASSERT_TRUE(j.ok()) << j.error;
}

// A remote member's frame, relayed by its node.
Outcome remote(Registry& r, SessionId origin, std::string_view body,
               std::string_view node = kSmallerNode, std::string_view key = kRoom) {
  return r.remote_send(origin, node, key, body, t0);
}

// A remote join that must succeed.
void remote_enter(Registry& r, SessionId origin, std::string_view id,
                  std::string_view node = kSmallerNode) {
  const Outcome o = remote(r, origin, join(id), node);
  ASSERT_TRUE(o.ok()) << o.error;
}

// Alice (1, "a") and Bob (2, "b") joined locally in kRoom; Dave (1001) joined from node-a.
void mixed_room(Registry& r) {
  ASSERT_NO_FATAL_FAILURE(enter(r, kAlice, "a", "alice"));
  ASSERT_NO_FATAL_FAILURE(enter(r, kBob, "b", "bob"));
  ASSERT_NO_FATAL_FAILURE(remote_enter(r, kDave, "dave"));
}

std::vector<std::string> local_ids(const Registry& r, std::string_view key = kRoom) {
  std::vector<std::string> ids;
  for (const auto& m : r.local_members(key)) ids.push_back(m.id);
  std::sort(ids.begin(), ids.end());
  return ids;
}

std::vector<std::string> peer_ids(const Outcome& o) {
  std::vector<std::string> ids;
  if (o.posts.size() != 1) return ids;
  const json::object body = parsed(o.posts[0]);
  for (const auto& p : body.at("peers").as_array()) {
    ids.emplace_back(p.at("from").as_string());
  }
  return ids;
}

// --- Remote frames ----------------------------------------------------------------------------

TEST(RoomRemote, RemoteSendToRoomThisNodeDoesNotHaveIsIgnored) {
  Registry r(this_node());
  const Outcome o = remote(r, kDave, join("dave"));
  EXPECT_TRUE(o.ok()) << o.error;
  EXPECT_TRUE(o.posts.empty());
  EXPECT_EQ(r.room_count(), 0u);
  EXPECT_EQ(r.member_count(), 0u);
  // Nor does a sync create it.
  EXPECT_TRUE(r.remote_member(kDave, kSmallerNode, kRoom, "dave", "dave-nick").posts.empty());
  EXPECT_EQ(r.room_count(), 0u);
  EXPECT_EQ(r.member_count(), 0u);
  // A room this node had, but whose last subscriber left (no history), is gone as well.
  ASSERT_NO_FATAL_FAILURE(enter(r, kAlice, "a", "alice"));
  ASSERT_TRUE(r.disconnect(kAlice).ok());
  const Outcome late = remote(r, kDave, join("dave"));
  EXPECT_TRUE(late.ok()) << late.error;
  EXPECT_TRUE(late.posts.empty());
  EXPECT_EQ(r.room_count(), 0u);
  EXPECT_EQ(r.member_count(), 0u);
}

TEST(RoomRemote, RemoteSendNeedsTheSendersNodeId) {
  Registry r(this_node());
  ASSERT_NO_FATAL_FAILURE(enter(r, kAlice, "a", "alice"));
  const Outcome o = r.remote_send(kDave, "", kRoom, join("dave"), t0);
  EXPECT_EQ(o.error, "remote_send needs the sender's node id");
  EXPECT_TRUE(o.posts.empty());
  EXPECT_EQ(r.member_count(), 1u);
}

TEST(RoomRemote, RemoteJoinReachesEveryLocalSubscriber) {
  Registry r(this_node());
  ASSERT_NO_FATAL_FAILURE(enter(r, kAlice, "a", "alice"));
  ASSERT_TRUE(r.subscribe(kBob, kRoom, "b", false, false, t0).ok());  // subscribed, not joined
  const std::string body = join("dave");
  const Outcome o = remote(r, kDave, body);
  ASSERT_TRUE(o.ok()) << o.error;
  ASSERT_EQ(o.posts.size(), 1u);
  EXPECT_EQ(*o.posts[0].body, body);
  // The remote session has no subscriptions: never a recipient.
  EXPECT_EQ(who(o.posts[0]), (Who{{kAlice, "a"}, {kBob, "b"}}));
  EXPECT_TRUE(o.dropped.empty());
  EXPECT_TRUE(o.departed.empty());
  EXPECT_EQ(o.remote_target, 0u);
  EXPECT_EQ(r.member_count(), 2u);
  EXPECT_EQ(r.room_count(), 1u);
}

TEST(RoomRemote, RemoteMemberIsListedInPeersExceptToItself) {
  Registry r(this_node());
  ASSERT_NO_FATAL_FAILURE(mixed_room(r));
  // A presence request answered later, once remote state has arrived.
  ASSERT_TRUE(r.subscribe(kCarol, kRoom, "c", false, false, t0).ok());
  const Outcome carol = r.peers(kCarol, kRoom, "c");
  ASSERT_TRUE(carol.ok()) << carol.error;
  ASSERT_EQ(carol.posts.size(), 1u);
  EXPECT_EQ(who(carol.posts[0]), (Who{{kCarol, "c"}}));
  EXPECT_EQ(*carol.posts[0].body,
            R"({"type":"peers","peers":[{"from":"alice","nickname":"alice-nick"},)"
            R"({"from":"bob","nickname":"bob-nick"},{"from":"dave","nickname":"dave-nick"}]})");

  // The asker is left out.
  const Outcome alice = r.peers(kAlice, kRoom, "a");
  ASSERT_EQ(alice.posts.size(), 1u);
  EXPECT_EQ(who(alice.posts[0]), (Who{{kAlice, "a"}}));
  EXPECT_EQ(peer_ids(alice), (std::vector<std::string>{"bob", "dave"}));

  // The same list as a presence SUBSCRIBE gets.
  const Outcome presence = r.subscribe(kCarol, kRoom, "c2", true, false, t0);
  ASSERT_EQ(presence.posts.size(), 1u);
  EXPECT_EQ(*presence.posts[0].body, *carol.posts[0].body);
}

TEST(RoomRemote, PeersForAGoneSubscriptionPostsNothing) {
  Registry r(this_node());
  ASSERT_NO_FATAL_FAILURE(mixed_room(r));
  EXPECT_TRUE(r.peers(kAlice, kRoom, "nope").posts.empty());     // not this session's id
  EXPECT_TRUE(r.peers(kAlice, "elsewhere", "a").posts.empty());  // no such room
  EXPECT_TRUE(r.peers(kCarol, kRoom, "a").posts.empty());        // another session's id
  EXPECT_TRUE(r.peers(kDave, kRoom, "a").posts.empty());         // remote: never a recipient
  ASSERT_TRUE(r.unsubscribe(kAlice, "a").ok());
  const Outcome o = r.peers(kAlice, kRoom, "a");
  EXPECT_TRUE(o.ok()) << o.error;
  EXPECT_TRUE(o.posts.empty());
}

TEST(RoomRemote, LocalJoinWithARemoteMembersIdIsRefused) {
  Registry r(this_node());
  ASSERT_NO_FATAL_FAILURE(mixed_room(r));
  ASSERT_TRUE(r.subscribe(kCarol, kRoom, "c", false, false, t0).ok());
  const Outcome o = r.send(kCarol, kRoom, join("dave"), t0);
  EXPECT_EQ(o.error, "identity taken: 'dave' is already in room room-1");
  EXPECT_TRUE(o.posts.empty());
  EXPECT_EQ(r.member_count(), 3u);
}

TEST(RoomRemote, LocalMembersListsOnlyLocalMembers) {
  Registry r(this_node());
  ASSERT_NO_FATAL_FAILURE(mixed_room(r));
  ASSERT_TRUE(r.remote_member(kErin, kLargerNode, kRoom, "erin", "Erin").ok());
  ASSERT_TRUE(r.subscribe(kCarol, kRoom, "c", false, false, t0).ok());  // not a member
  std::vector<Registry::MemberInfo> members = r.local_members(kRoom);
  std::sort(members.begin(), members.end(),
            [](const auto& x, const auto& y) { return x.session < y.session; });
  ASSERT_EQ(members.size(), 2u);
  EXPECT_EQ(members[0].session, kAlice);
  EXPECT_EQ(members[0].id, "alice");
  EXPECT_EQ(members[0].nickname, "alice-nick");
  EXPECT_EQ(members[1].session, kBob);
  EXPECT_EQ(members[1].id, "bob");
  EXPECT_EQ(r.member_count(), 4u);
  EXPECT_TRUE(r.local_members("elsewhere").empty());
}

TEST(RoomRemote, LocalSubscribersCountsLocalSessionsOnly) {
  Registry r(this_node());
  ASSERT_NO_FATAL_FAILURE(mixed_room(r));
  ASSERT_TRUE(r.subscribe(kAlice, kRoom, "a2", false, false, t0).ok());  // a second tab
  ASSERT_TRUE(r.subscribe(kCarol, kRoom, "c", false, false, t0).ok());   // not joined
  EXPECT_EQ(r.local_subscribers(kRoom), 3u);
  EXPECT_EQ(r.local_subscribers("elsewhere"), 0u);
  ASSERT_TRUE(r.disconnect(kCarol).ok());
  EXPECT_EQ(r.local_subscribers(kRoom), 2u);
}

// --- Id conflicts between nodes -------------------------------------------------------------

TEST(RoomRemote, RemoteJoinFromSmallerNodeTakesTheIdFromTheLocalMember) {
  Registry r(this_node());
  ASSERT_NO_FATAL_FAILURE(enter(r, kAlice, "a", "alice"));
  ASSERT_NO_FATAL_FAILURE(enter(r, kBob, "b", "bob"));
  const std::string body = join("alice");
  const Outcome o = remote(r, kDave, body, kSmallerNode);
  ASSERT_TRUE(o.ok()) << o.error;
  ASSERT_EQ(o.posts.size(), 2u);
  // The local loser's leave to the other locals, then the winner's join to everyone.
  EXPECT_EQ(*o.posts[0].body, leave_of("alice"));
  EXPECT_EQ(who(o.posts[0]), (Who{{kBob, "b"}}));
  EXPECT_EQ(*o.posts[1].body, body);
  EXPECT_EQ(who(o.posts[1]), (Who{{kAlice, "a"}, {kBob, "b"}}));
  EXPECT_EQ(local_ids(r), (std::vector<std::string>{"bob"}));
  EXPECT_EQ(r.member_count(), 2u);
  // The id now belongs to the remote member.
  ASSERT_TRUE(r.subscribe(kCarol, kRoom, "c", false, false, t0).ok());
  EXPECT_EQ(r.send(kCarol, kRoom, join("alice"), t0).error,
            "identity taken: 'alice' is already in room room-1");
}

TEST(RoomRemote, RemoteJoinFromLargerNodeIsIgnoredWhileALocalMemberHoldsTheId) {
  Registry r(this_node());
  ASSERT_NO_FATAL_FAILURE(enter(r, kAlice, "a", "alice"));
  ASSERT_NO_FATAL_FAILURE(enter(r, kBob, "b", "bob"));
  for (std::string_view node : {kLargerNode, kThisNode}) {  // equal ids: the holder keeps it
    const Outcome o = remote(r, kDave, join("alice"), node);
    EXPECT_TRUE(o.ok()) << o.error;
    EXPECT_TRUE(o.posts.empty()) << node;
  }
  EXPECT_EQ(local_ids(r), (std::vector<std::string>{"alice", "bob"}));
  EXPECT_EQ(r.member_count(), 2u);
  const Outcome peers = r.peers(kBob, kRoom, "b");
  EXPECT_EQ(peer_ids(peers), (std::vector<std::string>{"alice"}));
  // The local member still signals as itself.
  const Outcome signal = r.send(kAlice, kRoom, ice("alice", "bob"), t0);
  ASSERT_TRUE(signal.ok()) << signal.error;
  ASSERT_EQ(signal.posts.size(), 1u);
  EXPECT_EQ(who(signal.posts[0]), (Who{{kBob, "b"}}));
}

TEST(RoomRemote, RemoteJoinConflictBetweenTwoRemoteNodesKeepsTheSmallerNode) {
  Registry r(this_node());
  ASSERT_NO_FATAL_FAILURE(enter(r, kAlice, "a", "alice"));
  ASSERT_NO_FATAL_FAILURE(remote_enter(r, kErin, "zed", kLargerNode));
  // The larger node cannot take it back from the smaller one...
  ASSERT_NO_FATAL_FAILURE(remote_enter(r, kDave, "zed", kSmallerNode));
  const Outcome back = remote(r, 1003, join("zed"), "node-d");
  EXPECT_TRUE(back.ok()) << back.error;
  EXPECT_TRUE(back.posts.empty());
  // ...and the smaller node's member is the one that leaves at its disconnect.
  const Outcome gone = r.disconnect(kDave);
  ASSERT_EQ(gone.posts.size(), 1u);
  EXPECT_EQ(*gone.posts[0].body, leave_of("zed"));
  EXPECT_EQ(r.member_count(), 1u);
}

TEST(RoomRemote, RemoteJoinFromSmallerNodeReplacesALargerNodesMember) {
  Registry r(this_node());
  ASSERT_NO_FATAL_FAILURE(enter(r, kAlice, "a", "alice"));
  ASSERT_NO_FATAL_FAILURE(remote_enter(r, kErin, "zed", kLargerNode));
  const std::string body = join("zed");
  const Outcome o = remote(r, kDave, body, kSmallerNode);
  ASSERT_TRUE(o.ok()) << o.error;
  ASSERT_EQ(o.posts.size(), 2u);
  EXPECT_EQ(*o.posts[0].body, leave_of("zed"));
  EXPECT_EQ(who(o.posts[0]), (Who{{kAlice, "a"}}));
  EXPECT_EQ(*o.posts[1].body, body);
  EXPECT_EQ(r.member_count(), 2u);
  // The loser's disconnect is no longer anyone's leave.
  EXPECT_TRUE(r.disconnect(kErin).posts.empty());
  EXPECT_EQ(r.member_count(), 2u);
}

TEST(RoomRemote, RemoteMemberIsBoundSilently) {
  Registry r(this_node());
  ASSERT_NO_FATAL_FAILURE(enter(r, kAlice, "a", "alice"));
  const Outcome o = r.remote_member(kDave, kSmallerNode, kRoom, "dave", "Dave");
  ASSERT_TRUE(o.ok()) << o.error;
  EXPECT_TRUE(o.posts.empty());
  EXPECT_EQ(r.member_count(), 2u);
  const Outcome peers = r.peers(kAlice, kRoom, "a");
  ASSERT_EQ(peers.posts.size(), 1u);
  EXPECT_EQ(*peers.posts[0].body,
            R"({"type":"peers","peers":[{"from":"dave","nickname":"Dave"}]})");
  // A second sync of the same member only renames it.
  EXPECT_TRUE(r.remote_member(kDave, kSmallerNode, kRoom, "dave", "D2").posts.empty());
  EXPECT_EQ(r.member_count(), 2u);
  EXPECT_EQ(*r.peers(kAlice, kRoom, "a").posts[0].body,
            R"({"type":"peers","peers":[{"from":"dave","nickname":"D2"}]})");
  // An empty id is no member.
  EXPECT_TRUE(r.remote_member(kErin, kSmallerNode, kRoom, "", "nobody").posts.empty());
  EXPECT_EQ(r.member_count(), 2u);
  // It leaves like a member that joined with a frame.
  const Outcome gone = r.disconnect(kDave);
  ASSERT_EQ(gone.posts.size(), 1u);
  EXPECT_EQ(*gone.posts[0].body, leave_of("dave"));
}

TEST(RoomRemote, RemoteMemberSettlesIdConflictsLikeRemoteJoin) {
  Registry r(this_node());
  ASSERT_NO_FATAL_FAILURE(enter(r, kAlice, "a", "alice"));
  ASSERT_NO_FATAL_FAILURE(enter(r, kBob, "b", "bob"));
  // A larger node loses: nothing changes.
  const Outcome lost = r.remote_member(kErin, kLargerNode, kRoom, "alice", "Other");
  EXPECT_TRUE(lost.ok()) << lost.error;
  EXPECT_TRUE(lost.posts.empty());
  EXPECT_EQ(local_ids(r), (std::vector<std::string>{"alice", "bob"}));
  EXPECT_EQ(r.member_count(), 2u);
  // A smaller node wins: the local loser's leave is posted, the winner is bound silently.
  const Outcome won = r.remote_member(kDave, kSmallerNode, kRoom, "bob", "Bob elsewhere");
  ASSERT_TRUE(won.ok()) << won.error;
  ASSERT_EQ(won.posts.size(), 1u);
  EXPECT_EQ(*won.posts[0].body, leave_of("bob"));
  EXPECT_EQ(who(won.posts[0]), (Who{{kAlice, "a"}}));
  EXPECT_EQ(local_ids(r), (std::vector<std::string>{"alice"}));
  EXPECT_EQ(r.member_count(), 2u);
  const Outcome peers = r.peers(kAlice, kRoom, "a");
  ASSERT_EQ(peers.posts.size(), 1u);
  EXPECT_EQ(*peers.posts[0].body,
            R"({"type":"peers","peers":[{"from":"bob","nickname":"Bob elsewhere"}]})");
}

TEST(RoomRemote, RemoteJoinWithTheResumeSecretTakesOverTheLocalMember) {
  Registry r(this_node());
  ASSERT_NO_FATAL_FAILURE(enter(r, kAlice, "a", "alice", kRoom, kSecret));
  ASSERT_NO_FATAL_FAILURE(enter(r, kBob, "b", "bob"));
  // A wrong secret from a larger node does not.
  const Outcome wrong = remote(r, kDave, join("alice", "another-secret-0123"), kLargerNode);
  EXPECT_TRUE(wrong.ok()) << wrong.error;
  EXPECT_TRUE(wrong.posts.empty());
  EXPECT_EQ(local_ids(r), (std::vector<std::string>{"alice", "bob"}));
  // The right one does, whatever the node order: the client moved to another node.
  const Outcome o = remote(r, kDave, join("alice", kSecret), kLargerNode);
  ASSERT_TRUE(o.ok()) << o.error;
  ASSERT_EQ(o.posts.size(), 2u);
  EXPECT_EQ(*o.posts[0].body, leave_of("alice"));
  EXPECT_EQ(who(o.posts[0]), (Who{{kBob, "b"}}));
  EXPECT_EQ(who(o.posts[1]), (Who{{kAlice, "a"}, {kBob, "b"}}));
  // The secret is for the servers only.
  EXPECT_EQ(o.posts[1].body->find(kSecret), std::string::npos) << *o.posts[1].body;
  EXPECT_EQ(parsed(o.posts[1]),
            (json::object{{"type", "join"}, {"from", "alice"}, {"nickname", "alice-nick"}}));
  EXPECT_EQ(local_ids(r), (std::vector<std::string>{"bob"}));
  EXPECT_EQ(r.member_count(), 2u);
}

// --- Signals ---------------------------------------------------------------------------------

TEST(RoomRemote, RemoteSignalReachesOnlyItsLocalTarget) {
  Registry r(this_node());
  ASSERT_NO_FATAL_FAILURE(mixed_room(r));
  ASSERT_TRUE(r.subscribe(kAlice, kRoom, "a2", false, false, t0).ok());
  for (const std::string& body :
       {offer("dave", "alice"), offer("dave", "alice", "v=0", "answer"), ice("dave", "alice")}) {
    const Outcome o = remote(r, kDave, body);
    ASSERT_TRUE(o.ok()) << o.error;
    ASSERT_EQ(o.posts.size(), 1u) << body;
    EXPECT_EQ(*o.posts[0].body, body);
    EXPECT_EQ(who(o.posts[0]), (Who{{kAlice, "a"}, {kAlice, "a2"}}));
    EXPECT_EQ(o.remote_target, 0u);
  }
  // To someone who is not here: dropped quietly.
  const Outcome absent = remote(r, kDave, ice("dave", "nobody"));
  EXPECT_TRUE(absent.ok()) << absent.error;
  EXPECT_TRUE(absent.posts.empty());
}

TEST(RoomRemote, RemoteSignalFromAnUnseenSenderAdoptsIt) {
  Registry r(this_node());
  ASSERT_NO_FATAL_FAILURE(enter(r, kAlice, "a", "alice"));
  ASSERT_NO_FATAL_FAILURE(enter(r, kBob, "b", "bob"));
  // Erin's join has not arrived yet (its node's sync is under way); its ICE has.
  const std::string body = ice("erin", "alice");
  const Outcome o = remote(r, kErin, body, kLargerNode);
  ASSERT_TRUE(o.ok()) << o.error;
  ASSERT_EQ(o.posts.size(), 1u);
  EXPECT_EQ(*o.posts[0].body, body);
  EXPECT_EQ(who(o.posts[0]), (Who{{kAlice, "a"}}));
  EXPECT_EQ(r.member_count(), 3u);
  EXPECT_EQ(peer_ids(r.peers(kAlice, kRoom, "a")), (std::vector<std::string>{"bob", "erin"}));
  EXPECT_EQ(local_ids(r), (std::vector<std::string>{"alice", "bob"}));
  // Erin is a member now: its id is taken, and its disconnect is a leave.
  ASSERT_TRUE(r.subscribe(kCarol, kRoom, "c", false, false, t0).ok());
  EXPECT_EQ(r.send(kCarol, kRoom, join("erin"), t0).error,
            "identity taken: 'erin' is already in room room-1");
  const Outcome gone = r.disconnect(kErin);
  ASSERT_EQ(gone.posts.size(), 1u);
  EXPECT_EQ(*gone.posts[0].body, leave_of("erin"));
}

TEST(RoomRemote, RemoteSignalFromAnUnseenSenderWithALocalIdIsIgnored) {
  Registry r(this_node());
  ASSERT_NO_FATAL_FAILURE(enter(r, kAlice, "a", "alice"));
  ASSERT_NO_FATAL_FAILURE(enter(r, kBob, "b", "bob"));
  const Outcome o = remote(r, kErin, ice("alice", "bob"));
  EXPECT_TRUE(o.ok()) << o.error;
  EXPECT_TRUE(o.posts.empty());
  EXPECT_EQ(local_ids(r), (std::vector<std::string>{"alice", "bob"}));
  EXPECT_EQ(r.member_count(), 2u);
  // Nor is a frame without a usable `from` adopted.
  const Outcome anonymous =
      remote(r, kErin, R"({"type":"ice","target":"bob","iceCandidate":null})");
  EXPECT_TRUE(anonymous.ok()) << anonymous.error;
  EXPECT_TRUE(anonymous.posts.empty());
  EXPECT_EQ(r.member_count(), 2u);
}

TEST(RoomRemote, RemoteLeaveFromAnUnseenSenderIsIgnored) {
  Registry r(this_node());
  ASSERT_NO_FATAL_FAILURE(enter(r, kAlice, "a", "alice"));
  const Outcome o = remote(r, kErin, leave("erin"));
  EXPECT_TRUE(o.ok()) << o.error;
  EXPECT_TRUE(o.posts.empty());
  EXPECT_EQ(r.member_count(), 1u);
  EXPECT_EQ(peer_ids(r.peers(kAlice, kRoom, "a")), std::vector<std::string>{});
}

TEST(RoomRemote, RemoteLeaveOfARemoteMemberReachesLocals) {
  Registry r(this_node());
  ASSERT_NO_FATAL_FAILURE(mixed_room(r));
  const Outcome o = remote(r, kDave, leave("dave"));
  ASSERT_TRUE(o.ok()) << o.error;
  ASSERT_EQ(o.posts.size(), 1u);
  EXPECT_EQ(*o.posts[0].body, leave_of("dave"));
  EXPECT_EQ(who(o.posts[0]), (Who{{kAlice, "a"}, {kBob, "b"}}));
  EXPECT_TRUE(o.departed.empty());  // a frame: its node relays it
  EXPECT_EQ(r.member_count(), 2u);
}

TEST(RoomRemote, LocalSignalToARemoteMemberSetsRemoteTarget) {
  Registry r(this_node());
  ASSERT_NO_FATAL_FAILURE(mixed_room(r));
  for (const std::string& body :
       {offer("alice", "dave"), offer("alice", "dave", "v=0", "answer"), ice("alice", "dave")}) {
    const Outcome o = r.send(kAlice, kRoom, body, t0);
    ASSERT_TRUE(o.ok()) << o.error;
    EXPECT_TRUE(o.posts.empty()) << body;
    EXPECT_EQ(o.remote_target, kDave) << body;
  }
  // A local target is delivered here.
  const Outcome local = r.send(kAlice, kRoom, ice("alice", "bob"), t0);
  ASSERT_TRUE(local.ok()) << local.error;
  ASSERT_EQ(local.posts.size(), 1u);
  EXPECT_EQ(who(local.posts[0]), (Who{{kBob, "b"}}));
  EXPECT_EQ(local.remote_target, 0u);
  // Nobody: nothing to deliver anywhere.
  const Outcome absent = r.send(kAlice, kRoom, ice("alice", "nobody"), t0);
  EXPECT_TRUE(absent.posts.empty());
  EXPECT_EQ(absent.remote_target, 0u);
}

TEST(RoomRemote, RemoteSignalToAnotherRemoteMemberIsNotForwarded) {
  Registry r(this_node());
  ASSERT_NO_FATAL_FAILURE(mixed_room(r));
  ASSERT_NO_FATAL_FAILURE(remote_enter(r, kErin, "erin", kLargerNode));
  // Dave's node delivers it to Erin's node itself: this node does nothing.
  const Outcome o = remote(r, kDave, offer("dave", "erin"));
  ASSERT_TRUE(o.ok()) << o.error;
  EXPECT_TRUE(o.posts.empty());
  EXPECT_EQ(o.remote_target, 0u);
}

// --- Departures other nodes must hear about ---------------------------------------------------

TEST(RoomRemote, DisconnectReportsTheMembersDeparture) {
  Registry r(this_node());
  ASSERT_NO_FATAL_FAILURE(mixed_room(r));
  ASSERT_NO_FATAL_FAILURE(enter(r, kAlice, "a-other", "alice", "other"));
  ASSERT_TRUE(r.subscribe(kAlice, "third", "a-third", false, false, t0).ok());  // not joined
  const Outcome o = r.disconnect(kAlice);
  ASSERT_TRUE(o.ok()) << o.error;
  Departed departed = o.departed;
  std::sort(departed.begin(), departed.end());
  EXPECT_EQ(departed, (Departed{{"other", "alice"}, {"room-1", "alice"}}));
  ASSERT_EQ(o.posts.size(), 1u);  // "other" has no one else to tell
  EXPECT_EQ(*o.posts[0].body, leave_of("alice"));
  EXPECT_EQ(who(o.posts[0]), (Who{{kBob, "b"}}));
}

TEST(RoomRemote, LastUnsubscribeReportsTheMembersDeparture) {
  Registry r(this_node());
  ASSERT_NO_FATAL_FAILURE(mixed_room(r));
  ASSERT_TRUE(r.subscribe(kAlice, kRoom, "a2", false, false, t0).ok());
  const Outcome first = r.unsubscribe(kAlice, "a");
  ASSERT_TRUE(first.ok()) << first.error;
  EXPECT_TRUE(first.departed.empty());  // still in the room through "a2"
  EXPECT_TRUE(first.posts.empty());
  const Outcome last = r.unsubscribe(kAlice, "a2");
  ASSERT_TRUE(last.ok()) << last.error;
  EXPECT_EQ(last.departed, (Departed{{"room-1", "alice"}}));
  ASSERT_EQ(last.posts.size(), 1u);
  EXPECT_EQ(who(last.posts[0]), (Who{{kBob, "b"}}));
}

TEST(RoomRemote, ExplicitLeaveIsRelayedNotReportedAsDeparture) {
  Registry r(this_node());
  ASSERT_NO_FATAL_FAILURE(mixed_room(r));
  const Outcome o = r.send(kAlice, kRoom, leave("alice"), t0);
  ASSERT_TRUE(o.ok()) << o.error;
  EXPECT_TRUE(o.departed.empty());
  ASSERT_EQ(o.posts.size(), 1u);
  EXPECT_EQ(*o.posts[0].body, leave_of("alice"));
  // Already gone: its disconnect reports nothing more.
  EXPECT_TRUE(r.disconnect(kAlice).departed.empty());
}

TEST(RoomRemote, SessionThatNeverJoinedDepartsSilently) {
  Registry r(this_node());
  ASSERT_NO_FATAL_FAILURE(mixed_room(r));
  ASSERT_TRUE(r.subscribe(kCarol, kRoom, "c1", false, false, t0).ok());
  ASSERT_TRUE(r.subscribe(kCarol, kRoom, "c2", false, false, t0).ok());
  const Outcome unsub = r.unsubscribe(kCarol, "c1");
  EXPECT_TRUE(unsub.departed.empty());
  EXPECT_TRUE(unsub.posts.empty());
  const Outcome gone = r.disconnect(kCarol);
  EXPECT_TRUE(gone.ok()) << gone.error;
  EXPECT_TRUE(gone.departed.empty());
  EXPECT_TRUE(gone.posts.empty());
}

// --- Remote disconnect ------------------------------------------------------------------------

TEST(RoomRemote, RemoteDisconnectMakesTheRemoteMemberLeave) {
  Registry r(this_node());
  ASSERT_NO_FATAL_FAILURE(mixed_room(r));
  ASSERT_NO_FATAL_FAILURE(enter(r, kAlice, "a-other", "alice", "other"));
  ASSERT_TRUE(remote(r, kDave, join("dave"), kSmallerNode, "other").ok());
  EXPECT_EQ(r.member_count(), 5u);
  const Outcome o = r.disconnect(kDave);
  ASSERT_TRUE(o.ok()) << o.error;
  ASSERT_EQ(o.posts.size(), 2u);  // one per room
  Who everyone;
  for (const Post& p : o.posts) {
    EXPECT_EQ(*p.body, leave_of("dave"));
    for (const auto& to : p.to) everyone.emplace(to.session, to.subscription);
  }
  EXPECT_EQ(everyone, (Who{{kAlice, "a"}, {kBob, "b"}, {kAlice, "a-other"}}));
  EXPECT_EQ(r.member_count(), 3u);
  // Forgotten: a second disconnect does nothing.
  EXPECT_TRUE(r.disconnect(kDave).posts.empty());
}

TEST(RoomRemote, RemoteLeaveCarriesTheStreamIdFromTheRemoteMembersSdp) {
  Registry r(this_node());
  ASSERT_NO_FATAL_FAILURE(mixed_room(r));
  ASSERT_NO_FATAL_FAILURE(remote_enter(r, kErin, "erin", kLargerNode));
  ASSERT_TRUE(remote(r, kDave, offer("dave", "alice", sdp_with_stream("stream-d"))).ok());
  // A bare-string SDP in an answer counts too.
  const std::string answer = json::serialize(json::object{{"type", "answer"},
                                                          {"from", "erin"},
                                                          {"target", "bob"},
                                                          {"sdp", sdp_with_stream("stream-e")}});
  ASSERT_TRUE(remote(r, kErin, answer, kLargerNode).ok());

  const Outcome dave = r.disconnect(kDave);
  ASSERT_EQ(dave.posts.size(), 1u);
  EXPECT_EQ(*dave.posts[0].body, R"({"type":"leave","from":"dave","streamId":"stream-d"})");
  EXPECT_EQ(who(dave.posts[0]), (Who{{kAlice, "a"}, {kBob, "b"}}));
  const Outcome erin = r.remote_send(kErin, kLargerNode, kRoom, leave("erin"), t0);
  ASSERT_EQ(erin.posts.size(), 1u);
  EXPECT_EQ(*erin.posts[0].body, R"({"type":"leave","from":"erin","streamId":"stream-e"})");
}

// --- Moderation from other nodes ------------------------------------------------------------

TEST(RoomRemote, RemoteKickEvictsTheLocalMember) {
  Registry r(this_node());
  ASSERT_NO_FATAL_FAILURE(enter(r, kAlice, "a", "alice"));
  ASSERT_NO_FATAL_FAILURE(enter(r, kBob, "b", "bob"));
  ASSERT_TRUE(r.subscribe(kBob, kRoom, "b2", false, false, t0).ok());
  ASSERT_NO_FATAL_FAILURE(remote_enter(r, kDave, "mod"));
  // No Access here: the moderator's node checked its token.
  const std::string body = kick("mod", "bob");
  const Outcome o = remote(r, kDave, body);
  ASSERT_TRUE(o.ok()) << o.error;
  ASSERT_EQ(o.posts.size(), 2u);
  EXPECT_EQ(*o.posts[0].body, body);
  EXPECT_EQ(who(o.posts[0]), (Who{{kAlice, "a"}, {kBob, "b"}, {kBob, "b2"}}));
  EXPECT_EQ(*o.posts[1].body, leave_of("bob"));
  EXPECT_EQ(who(o.posts[1]), (Who{{kAlice, "a"}}));
  std::vector<std::pair<SessionId, std::string>> dropped;
  for (const auto& d : o.dropped) dropped.emplace_back(d.session, d.subscription);
  std::sort(dropped.begin(), dropped.end());
  EXPECT_EQ(dropped, (std::vector<std::pair<SessionId, std::string>>{{kBob, "b"}, {kBob, "b2"}}));
  EXPECT_EQ(local_ids(r), (std::vector<std::string>{"alice"}));
  EXPECT_EQ(r.local_subscribers(kRoom), 1u);
  // The kicked id is banned here too.
  ASSERT_TRUE(r.subscribe(kBob, kRoom, "b3", false, false, t0).ok());
  const Outcome again = r.send(kBob, kRoom, join("bob"), t0 + 1s);
  EXPECT_NE(again.error.find("removed from room 'room-1' by a moderator"), std::string::npos)
      << again.error;
}

TEST(RoomRemote, RemoteKickFromAnUnseenModeratorIsAdopted) {
  Registry r(this_node());
  ASSERT_NO_FATAL_FAILURE(enter(r, kAlice, "a", "alice"));
  ASSERT_NO_FATAL_FAILURE(enter(r, kBob, "b", "bob"));
  const Outcome o = remote(r, kDave, kick("mod", "bob"));
  ASSERT_TRUE(o.ok()) << o.error;
  ASSERT_EQ(o.posts.size(), 2u);
  ASSERT_EQ(o.dropped.size(), 1u);
  EXPECT_EQ(o.dropped[0].session, kBob);
  EXPECT_EQ(local_ids(r), (std::vector<std::string>{"alice"}));
  EXPECT_EQ(peer_ids(r.peers(kAlice, kRoom, "a")), (std::vector<std::string>{"mod"}));
}

TEST(RoomRemote, RemoteMuteIsRelayedToLocalSubscribers) {
  Registry r(this_node());
  ASSERT_NO_FATAL_FAILURE(mixed_room(r));
  const std::string body = mute("dave", "bob", "audio");
  const Outcome o = remote(r, kDave, body);
  ASSERT_TRUE(o.ok()) << o.error;
  ASSERT_EQ(o.posts.size(), 1u);
  EXPECT_EQ(*o.posts[0].body, body);
  EXPECT_EQ(who(o.posts[0]), (Who{{kAlice, "a"}, {kBob, "b"}}));
  EXPECT_TRUE(o.dropped.empty());
  EXPECT_EQ(local_ids(r), (std::vector<std::string>{"alice", "bob"}));
}

TEST(RoomRemote, RemoteMediaStateIsRelayedToLocalSubscribers) {
  Registry r(this_node());
  ASSERT_NO_FATAL_FAILURE(mixed_room(r));
  const std::string body =
      json::serialize(json::object{{"type", "media"}, {"from", "dave"}, {"audio", false}});
  const Outcome o = remote(r, kDave, body);
  ASSERT_TRUE(o.ok()) << o.error;
  ASSERT_EQ(o.posts.size(), 1u);
  EXPECT_EQ(*o.posts[0].body, body);
  EXPECT_EQ(who(o.posts[0]), (Who{{kAlice, "a"}, {kBob, "b"}}));
}

// --- Forgetting remote state ------------------------------------------------------------------

TEST(RoomRemote, RemoteMembersAreForgottenWhenTheLastLocalSubscriberLeaves) {
  Registry r(this_node());
  ASSERT_NO_FATAL_FAILURE(enter(r, kAlice, "a", "alice"));
  ASSERT_NO_FATAL_FAILURE(remote_enter(r, kDave, "dave"));
  ASSERT_TRUE(r.remote_member(kErin, kLargerNode, kRoom, "erin", "Erin").ok());
  EXPECT_EQ(r.member_count(), 3u);  // remote members count until then
  const Outcome o = r.disconnect(kAlice);
  ASSERT_TRUE(o.ok()) << o.error;
  EXPECT_TRUE(o.posts.empty());  // nobody left here to tell
  EXPECT_EQ(o.departed, (Departed{{"room-1", "alice"}}));
  EXPECT_EQ(r.member_count(), 0u);
  EXPECT_EQ(r.room_count(), 0u);
  // Silently: their later disconnects tell nobody, and their frames find no room.
  EXPECT_TRUE(r.disconnect(kDave).posts.empty());
  EXPECT_TRUE(r.disconnect(kErin).departed.empty());
  EXPECT_TRUE(remote(r, kDave, chat("dave", "anyone?")).posts.empty());
  EXPECT_EQ(r.room_count(), 0u);
}

TEST(RoomRemote, RemoteMembersAreForgottenAtTheLastUnsubscribeWhileHistoryKeepsTheRoom) {
  Registry r(this_node());
  ASSERT_NO_FATAL_FAILURE(enter(r, kAlice, "a", "alice"));
  ASSERT_NO_FATAL_FAILURE(remote_enter(r, kDave, "dave"));
  ASSERT_TRUE(r.send(kAlice, kRoom, chat("alice", "hi"), t0).ok());
  ASSERT_TRUE(r.subscribe(kBob, kRoom, "b", false, false, t0).ok());  // watching, not joined
  ASSERT_TRUE(r.unsubscribe(kAlice, "a").ok());
  EXPECT_EQ(r.member_count(), 1u);  // Bob still watches: Dave stays
  ASSERT_TRUE(r.unsubscribe(kBob, "b").ok());
  EXPECT_EQ(r.member_count(), 0u);
  EXPECT_EQ(r.room_count(), 1u);  // lingers for its history
  EXPECT_EQ(r.local_subscribers(kRoom), 0u);
  // A returning local sees no stale remote member.
  ASSERT_TRUE(r.subscribe(kCarol, kRoom, "c", true, false, t0).ok());
  EXPECT_EQ(peer_ids(r.peers(kCarol, kRoom, "c")), std::vector<std::string>{});
  // The forgotten remote member may join again from scratch.
  const Outcome back = remote(r, kDave, join("dave"));
  ASSERT_EQ(back.posts.size(), 1u);
  EXPECT_EQ(who(back.posts[0]), (Who{{kCarol, "c"}}));
}

TEST(RoomRemote, RemoteJoinIsIgnoredInARoomNoLocalSessionWatches) {
  // A room whose last local subscriber left lingers for its history (or a kick ban). Nobody
  // here listens to it, so remote frames and sync state for it should be ignored like those for
  // a room this node does not have; otherwise the remote members are never forgotten (only the
  // last local UNSUBSCRIBE / disconnect forgets them, and none is left to come) and keep the
  // room from being swept.
  Registry r(Limits{.history_ttl = 60s, .node_id = std::string(kThisNode)});
  ASSERT_NO_FATAL_FAILURE(enter(r, kAlice, "a", "alice"));
  ASSERT_TRUE(r.send(kAlice, kRoom, chat("alice", "hi"), t0).ok());
  ASSERT_TRUE(r.disconnect(kAlice).ok());
  ASSERT_EQ(r.room_count(), 1u);  // lingers for its history
  const Outcome o = remote(r, kDave, join("dave"));
  EXPECT_TRUE(o.ok()) << o.error;
  EXPECT_TRUE(o.posts.empty());
  EXPECT_EQ(r.member_count(), 0u);
  // Nor should a late sync reply (to the remote state asked for when Alice subscribed).
  EXPECT_TRUE(r.remote_member(kErin, kLargerNode, kRoom, "erin", "Erin").posts.empty());
  EXPECT_EQ(r.member_count(), 0u);
  r.sweep(t0 + 61s);
  EXPECT_EQ(r.room_count(), 0u) << "the history expired, yet the room is kept";
}

// --- Chat -------------------------------------------------------------------------------------

TEST(RoomRemote, RemoteChatIsKeptInHistory) {
  Registry r(this_node());
  ASSERT_NO_FATAL_FAILURE(mixed_room(r));
  const std::string body = chat("dave", "from afar");
  const Outcome o = remote(r, kDave, body);
  ASSERT_TRUE(o.ok()) << o.error;
  ASSERT_EQ(o.posts.size(), 1u);
  EXPECT_EQ(*o.posts[0].body, body);
  EXPECT_EQ(who(o.posts[0]), (Who{{kAlice, "a"}, {kBob, "b"}}));
  const Outcome later = r.subscribe(kCarol, kRoom, "c", false, true, t0 + 1s);
  ASSERT_EQ(later.posts.size(), 1u);
  EXPECT_EQ(*later.posts[0].body, R"({"type":"history","messages":[)" + body + "]}");
  EXPECT_EQ(who(later.posts[0]), (Who{{kCarol, "c"}}));
}

TEST(RoomRemote, RemoteChatDoesNotMakeTheSenderAMember) {
  Registry r(this_node());
  ASSERT_NO_FATAL_FAILURE(enter(r, kAlice, "a", "alice"));
  const Outcome o = remote(r, kErin, chat("erin", "lurking"));
  ASSERT_TRUE(o.ok()) << o.error;
  ASSERT_EQ(o.posts.size(), 1u);
  EXPECT_EQ(r.member_count(), 1u);
  // And it may not chat as a member it is not.
  const Outcome spoof = remote(r, kErin, chat("alice", "not me"));
  EXPECT_EQ(spoof.error, "spoofed from: 'alice' is another session's id in room room-1");
  EXPECT_TRUE(spoof.posts.empty());
}

}  // namespace
}  // namespace parley::rooms
