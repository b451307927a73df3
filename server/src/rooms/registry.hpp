// Rooms: the seed's signaling rules, as a pure module (calls in, posts out; no sockets,
// no threads, no locks: the caller serializes access).
//
// A *room* is named by its key. A session *subscribes* to a room's stream; it becomes a
// *member* when its first `join` binds an id (`from`) and nickname to it. See
// docs/PROTOCOL.md "Room messages" and "Server rules".
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "rooms/access.hpp"

namespace parley::rooms {

using SessionId = std::uint64_t;
using Clock = std::chrono::steady_clock;

struct Limits {
  std::size_t max_members = 16;           // bound members per room
  std::size_t max_rooms = 10000;          // live rooms on this node
  std::size_t max_rooms_per_session = 8;  // rooms one session subscribes to at once
  std::size_t history_size = 50;          // chat messages kept per room
  std::chrono::seconds history_ttl{3600};
  // A kicked member's id may not join the room again for this long.
  std::chrono::seconds kick_ban{600};
  // Rooms that need a password (SUBSCRIBE header x-room-password) from anonymous sessions and
  // from tokens that do not grant the room by name or wildcard.
  std::map<std::string, std::string, std::less<>> passwords{};
  // Scale-out: this node's id. Two nodes that bound the same member id at the same time settle
  // it the same way on every node: the smaller node id keeps it.
  std::string node_id{};
};

struct Recipient {
  SessionId session;
  std::string subscription;  // the SUBSCRIBE id the session used for this room
};

// One body to deliver to some recipients (serialize once, send many).
struct Post {
  std::shared_ptr<const std::string> body;  // JSON
  std::vector<Recipient> to;
};

struct Outcome {
  std::vector<Post> posts;
  // Room subscriptions the registry ended on its own (a kicked member's): the caller forgets
  // them too. Delivered after `posts`, so the kicked member still gets the kick.
  std::vector<Recipient> dropped;
  // Scale-out: what other nodes must hear about. `departed`: (room key, member id) of members
  // that left without sending a frame (UNSUBSCRIBE, disconnect). `remote_target`: the remote
  // session a targeted signal is for (0: none); its node must deliver the frame.
  std::vector<std::pair<std::string, std::string>> departed;
  SessionId remote_target = 0;
  // A local session's frame that every node with the room must see (join, message, media,
  // kick, mute, leave): relay it as sent.
  bool replicate = false;
  std::string error;       // empty on success; otherwise names the broken rule (and the limit)
  std::string_view limit;  // when a limit broke it: its name (a literal), for /metrics
  bool ok() const { return error.empty(); }
};

class Registry {
 public:
  explicit Registry(Limits limits = {});
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // 1–64 chars of [A-Za-z0-9_-].
  static bool valid_key(std::string_view key);

  // SUBSCRIBE /exchange/chat.exchange/room.<key>. With `presence`, the subscriber first gets
  // {"type":"peers","peers":[{"from","nickname"}...]}; with `history`,
  // {"type":"history","messages":[...]} (last history_size chat messages within history_ttl).
  // A room with a password needs it in `password` unless the session's Access grants the room.
  Outcome subscribe(SessionId session, std::string_view key, std::string_view subscription,
                    bool presence, bool history, Clock::time_point now,
                    std::string_view password = {});

  // The session proved `access` (a verified room token). Call before its first subscribe;
  // from then on it may only enter rooms the access allows, must join as its identity, and
  // may send `kick` and `mute` when it is a moderator. Forgotten at disconnect().
  void authorize(SessionId session, Access access);

  // UNSUBSCRIBE. When it was the session's last subscription to a room it is a member of,
  // the member leaves: {"type":"leave","from":ID,"streamId":S} to every other subscriber.
  // Unknown subscription ids are not an error here (outcome ok, no posts).
  Outcome unsubscribe(SessionId session, std::string_view subscription);

  // SEND /chat/room.<key> with a JSON body: join / message / offer / answer / ice / leave,
  // and the Parley extensions media / kick / mute.
  Outcome send(SessionId session, std::string_view key, std::string_view body,
               Clock::time_point now);

  // The session's connection ended: it leaves every room (leave posts), subscriptions gone.
  Outcome disconnect(SessionId session);

  // Drops empty rooms whose history has expired. Call periodically.
  void sweep(Clock::time_point now);

  // ---- Scale-out (issue 7) ----
  // A member on another node is a *remote session*: an id the caller allocates (never a local
  // session's), with the node it lives on. It has no subscriptions, so it is never a
  // recipient; its frames were checked by its own node, so here they only update this node's
  // view of the room and reach local subscribers. disconnect(origin) makes it leave.

  // A frame a remote member sent to room `key` (join, message, media, kick, mute, leave, and
  // offer / answer / ice for a local target). Ignored when this node has no such room.
  Outcome remote_send(SessionId origin, std::string_view node, std::string_view key,
                      std::string_view body, Clock::time_point now);
  // A remote member learned from another node's state (sync): bound without a `join` post,
  // except to the local sessions in `tell` (members its node saw before it joined, whose
  // node was not yet bound to hear that join). When it wins an id conflict, the loser's
  // `leave` is posted.
  Outcome remote_member(SessionId origin, std::string_view node, std::string_view key,
                        std::string_view id, std::string_view nickname,
                        const std::vector<SessionId>& tell = {});
  // Answers a presence request later (subscribe with presence=false first), e.g. once remote
  // state has arrived: the `peers` post for that subscription, or none if it is gone.
  Outcome peers(SessionId session, std::string_view key, std::string_view subscription) const;
  // The same for x-history.
  Outcome history_replay(SessionId session, std::string_view key, std::string_view subscription,
                         Clock::time_point now) const;
  // Whether `session` (local or remote) is still in some room here.
  bool tracks(SessionId session) const;

  struct MemberInfo {
    SessionId session;
    std::string id;
    std::string nickname;
    std::uint64_t seq = 0;  // bind order in this node's view of the room
    bool local = true;
  };
  // Chat history of `key` (oldest first), for another node's sync; and adopting such a list
  // when this node has none yet for the room.
  std::vector<std::shared_ptr<const std::string>> history(std::string_view key,
                                                          Clock::time_point now) const;
  void adopt_history(std::string_view key, const std::vector<std::string>& bodies,
                     Clock::time_point now);

  // Members of `key` held by local sessions (for another node's sync).
  std::vector<MemberInfo> local_members(std::string_view key) const;
  // Every member of `key` this node knows, local or remote.
  std::vector<MemberInfo> members(std::string_view key) const;
  // Local sessions subscribed to `key`.
  std::size_t local_subscribers(std::string_view key) const;

  std::size_t room_count() const;
  std::size_t member_count() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// The stream id a member announced in its SDP: the first "a=msid:<streamId> <trackId>" line
// (not "a=msid-semantic"). Empty when there is none.
std::string stream_id_from_sdp(std::string_view sdp);

}  // namespace parley::rooms
