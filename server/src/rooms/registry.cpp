// Rooms: the seed's signaling rules (docs/PROTOCOL.md "Room messages", "Server rules").
//
// Hot path: every signaling frame goes through send(). Bodies the protocol forwards verbatim
// are copied once into a shared buffer that every recipient (and the chat history) shares;
// only server-built bodies (peers, history, leave) are serialized here.
#include "rooms/registry.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <boost/container/devector.hpp>
#include <functional>
#include <set>
#include <unordered_map>
#include <utility>

namespace parley::rooms {
namespace {

namespace json = boost::json;

constexpr std::size_t kMaxKeyLength = 64;
constexpr const char* kInvalidKey = "invalid room key: must be 1-64 characters of [A-Za-z0-9_-]";
constexpr std::size_t kMaxIdBytes = 128;     // `from` and `nickname`
constexpr std::size_t kMinResumeBytes = 16;  // a guessable resume token is no secret
constexpr std::size_t kMaxMsgBytes = 16 * 1024;
constexpr std::size_t kMaxQuotedBytes = 64;
// Most signaling bodies (join, ice, chat) parse without touching the heap; SDP spills over.
constexpr std::size_t kParseBufferBytes = 4096;

using Body = std::shared_ptr<const std::string>;

struct StringHash {
  using is_transparent = void;  // lets string_view keys look up without allocating
  std::size_t operator()(std::string_view s) const noexcept {
    return std::hash<std::string_view>{}(s);
  }
};
template <class V>
using StringMap = std::unordered_map<std::string, V, StringHash, std::equal_to<>>;

struct Member {
  std::string id;
  std::string nickname;
  std::string stream_id;  // from the member's last SDP that announced one; empty if none
  std::uint64_t seq = 0;  // join order, so presence lists peers deterministically
  std::string resume;     // the join's secret `resume` token; empty if none
};

struct Chat {
  Clock::time_point at;
  Body body;  // the original bytes, already validated as a JSON object
};

struct Room {
  std::unordered_map<SessionId, std::vector<std::string>> subscribers;  // -> subscription ids
  std::unordered_map<SessionId, Member> members;
  StringMap<SessionId> member_by_id;
  boost::container::devector<Chat> history;  // oldest first; empty rooms allocate nothing
  StringMap<Clock::time_point> banned;       // kicked member id -> when it may join again

  bool idle() const { return subscribers.empty() && members.empty(); }
  bool unused() const { return idle() && history.empty() && banned.empty(); }
};

// Everything a room-message handler needs about the frame being sent.
struct Frame {
  SessionId session;
  std::string_view key;
  std::string_view type;
  const json::object& fields;
  std::string_view raw;
  Clock::time_point now;
  bool remote;            // sent by a member on another node, which checked it
  std::string_view node;  // that node's id (remote frames only)
};

std::string_view view(const json::string& s) {
  return {s.data(), s.size()};
}

const json::string* string_field(const json::object& o, std::string_view name) {
  const json::value* v = o.if_contains(name);
  return v ? v->if_string() : nullptr;
}

// User-supplied text ends up in an ERROR frame header: cap it (on a UTF-8 boundary) so a
// hostile frame cannot inflate the error it provokes.
std::string quoted(std::string_view s) {
  if (s.size() <= kMaxQuotedBytes) return "'" + std::string(s) + "'";
  std::size_t n = kMaxQuotedBytes;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return "'" + std::string(s.substr(0, n)) + "...'";
}

Outcome fail(std::string error) {
  Outcome out;
  out.error = std::move(error);
  return out;
}

Outcome fail_limit(std::string_view limit, std::string error) {
  Outcome out = fail(std::move(error));
  out.limit = limit;
  return out;
}

Body share(std::string_view bytes) {
  return std::make_shared<const std::string>(bytes);
}

void post(Outcome& out, Body body, std::vector<Recipient> to) {
  if (!to.empty()) out.posts.push_back(Post{std::move(body), std::move(to)});
}

void add_session(std::vector<Recipient>& to, SessionId session,
                 const std::vector<std::string>& subscriptions) {
  for (const auto& sub : subscriptions) to.push_back(Recipient{session, sub});
}

std::vector<Recipient> everyone(const Room& room) {
  std::vector<Recipient> to;
  to.reserve(room.subscribers.size());
  for (const auto& [session, subs] : room.subscribers) add_session(to, session, subs);
  return to;
}

std::vector<Recipient> everyone_but(const Room& room, SessionId except) {
  std::vector<Recipient> to;
  to.reserve(room.subscribers.size());
  for (const auto& [session, subs] : room.subscribers) {
    if (session != except) add_session(to, session, subs);
  }
  return to;
}

void add_recipients(std::vector<Recipient>& to, std::vector<Recipient> more) {
  to.insert(to.end(), std::make_move_iterator(more.begin()), std::make_move_iterator(more.end()));
}

std::vector<Recipient> session_of(const Room& room, SessionId session) {
  std::vector<Recipient> to;
  if (auto it = room.subscribers.find(session); it != room.subscribers.end()) {
    add_session(to, session, it->second);
  }
  return to;
}

Body serialized(const json::value& v) {
  return std::make_shared<const std::string>(json::serialize(v));
}

Body leave_body(const Member& m) {
  json::object o;
  o["type"] = "leave";
  o["from"] = m.id;
  // The seed does remoteStreams.delete(json.streamId): null is harmless when nothing was learned.
  if (m.stream_id.empty()) {
    o["streamId"] = nullptr;
  } else {
    o["streamId"] = m.stream_id;
  }
  return serialized(o);
}

Body peers_body(const Room& room, SessionId self) {
  std::vector<const Member*> peers;
  peers.reserve(room.members.size());
  for (const auto& [session, m] : room.members) {
    if (session != self) peers.push_back(&m);
  }
  std::sort(peers.begin(), peers.end(),
            [](const Member* a, const Member* b) { return a->seq < b->seq; });
  json::array list;
  list.reserve(peers.size());
  for (const Member* m : peers) {
    json::object peer;
    peer["from"] = m->id;
    peer["nickname"] = m->nickname;
    list.push_back(std::move(peer));
  }
  json::object o;
  o["type"] = "peers";
  o["peers"] = std::move(list);
  return serialized(o);
}

// Compares every byte whatever the first difference, so response time does not reveal how much
// of a guessed password was right.
bool same_secret(std::string_view a, std::string_view b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  const std::size_t n = std::max(a.size(), b.size());
  for (std::size_t i = 0; i < n; ++i) {
    const auto x = static_cast<unsigned char>(i < a.size() ? a[i] : 0);
    const auto y = static_cast<unsigned char>(i < b.size() ? b[i] : 0);
    diff = static_cast<unsigned char>(diff | (x ^ y));
  }
  return diff == 0;
}

bool expired(const Chat& chat, Clock::time_point now, std::chrono::seconds ttl) {
  return now - chat.at > ttl;
}

void prune(boost::container::devector<Chat>& history, Clock::time_point now,
           std::chrono::seconds ttl) {
  while (!history.empty() && expired(history.front(), now, ttl)) history.pop_front();
}

// The stored bodies were parsed as JSON objects when sent, so they are spliced in verbatim:
// replay shows exactly what members saw, and nothing is re-serialized.
Body history_body(const boost::container::devector<Chat>& history, Clock::time_point now,
                  std::chrono::seconds ttl) {
  constexpr std::string_view kHead = R"({"type":"history","messages":[)";
  constexpr std::string_view kTail = "]}";
  std::size_t size = kHead.size() + kTail.size() + history.size();
  for (const auto& chat : history) size += chat.body->size();
  std::string out;
  out.reserve(size);
  out += kHead;
  bool first = true;
  for (const auto& chat : history) {
    if (expired(chat, now, ttl)) continue;
    if (!first) out += ',';
    out += *chat.body;
    first = false;
  }
  out += kTail;
  return std::make_shared<const std::string>(std::move(out));
}

// A bound member's frame must carry its own id. `required` is false for chat, where the seed
// omits `from`.
std::string check_from(const Member& m, const json::object& fields, bool required) {
  const json::value* from = fields.if_contains("from");
  if (!from && !required) return {};
  const std::string prefix = "spoofed from: session joined as " + quoted(m.id) + ", frame ";
  if (!from) return prefix + "has no 'from'";
  if (!from->is_string()) return prefix + "has a non-string 'from'";
  if (view(from->get_string()) != m.id) return prefix + "says " + quoted(view(from->get_string()));
  return {};
}

std::string check_nickname(const Member& m, const json::object& fields) {
  const json::value* nick = fields.if_contains("nickname");
  if (!nick) return {};
  const std::string prefix =
      "spoofed nickname: session joined as " + quoted(m.nickname) + ", frame ";
  if (!nick->is_string()) return prefix + "has a non-string 'nickname'";
  if (view(nick->get_string()) != m.nickname) {
    return prefix + "says " + quoted(view(nick->get_string()));
  }
  return {};
}

// The SDP text of an offer/answer: the seed sends RTCSessionDescription.toJSON() ({type, sdp});
// other clients send the bare string. Null when the field is neither.
const json::string* sdp_text(const json::object& fields) {
  const json::value* sdp = fields.if_contains("sdp");
  if (!sdp) return nullptr;
  if (sdp->is_string()) return &sdp->get_string();
  if (sdp->is_object()) return string_field(sdp->get_object(), "sdp");
  return nullptr;
}

}  // namespace

struct Registry::State {
  Limits limits;
  StringMap<Room> rooms;
  // Per session: subscription id -> room key. STOMP subscription ids are per connection, so
  // UNSUBSCRIBE names one without a room.
  std::unordered_map<SessionId, StringMap<std::string>> subscriptions;
  std::unordered_map<SessionId, Access> access;             // sessions that proved a room token
  std::unordered_map<SessionId, std::string> remote_nodes;  // remote session -> its node
  std::size_t members = 0;
  std::uint64_t next_seq = 0;

  void bind(Room& room, SessionId session, std::string_view id, std::string_view nickname) {
    room.member_by_id.emplace(std::string(id), session);
    room.members.emplace(session,
                         Member{std::string(id), std::string(nickname), {}, next_seq++, {}});
    ++members;
  }

  Member unbind(Room& room, SessionId session) {  // NOLINT: used by Registry too
    auto node = room.members.extract(session);
    room.member_by_id.erase(node.mapped().id);
    --members;
    return std::move(node.mapped());
  }

  // Unbinds `session` if it is a member and tells everyone else it left.
  void leave(Room& room, SessionId session, Outcome& out) {
    if (!room.members.contains(session)) return;
    const Member gone = unbind(room, session);
    post(out, leave_body(gone), everyone_but(room, session));
  }

  // leave(), and other nodes must hear of it (the member sent no frame they could relay).
  void leave_and_record(Room& room, std::string_view key, SessionId session, Outcome& out) {
    auto member = room.members.find(session);
    if (member == room.members.end()) return;
    if (!is_remote(session)) out.departed.emplace_back(std::string(key), member->second.id);
    leave(room, session, out);
  }

  // Idle rooms with history linger so a returning member can still ask for it; sweep() drops
  // them once it expires.
  void drop_if_unused(StringMap<Room>::iterator it) {
    if (it->second.unused()) rooms.erase(it);
  }

  bool is_remote(SessionId session) const { return remote_nodes.contains(session); }

  std::string_view node_of(SessionId session) const {
    auto it = remote_nodes.find(session);
    return it == remote_nodes.end() ? std::string_view(limits.node_id) : it->second;
  }

  // A remote session takes part in `key`; disconnect() finds its rooms like a local one's.
  void track_remote(SessionId origin, std::string_view node, std::string_view key) {
    remote_nodes.insert_or_assign(origin, std::string(node));
    subscriptions[origin].try_emplace(std::string(key), std::string(key));
  }

  // Once no local session listens to a room, this node stops hearing about it from the others:
  // its view of their members would only go stale, so it is dropped (nobody to tell).
  void forget_remote_if_unwatched(Room& room, std::string_view key) {
    if (!room.subscribers.empty()) return;
    std::vector<SessionId> remote;
    for (const auto& [session, member] : room.members) {
      if (is_remote(session)) remote.push_back(session);
    }
    for (SessionId origin : remote) {
      unbind(room, origin);
      auto mine = subscriptions.find(origin);
      if (mine == subscriptions.end()) continue;
      mine->second.erase(std::string(key));
      if (mine->second.empty()) {
        subscriptions.erase(mine);
        remote_nodes.erase(origin);
      }
    }
  }

  const Access* access_of(SessionId session) const {
    auto it = access.find(session);
    return it == access.end() ? nullptr : &it->second;
  }

  void remember(Room& room, Body body, Clock::time_point now) {
    if (limits.history_size == 0) return;
    room.history.push_back(Chat{now, std::move(body)});
    while (room.history.size() > limits.history_size) room.history.pop_front();
  }

  Outcome join(Room& room, const Frame& f) {
    const json::string* from = string_field(f.fields, "from");
    if (!from || from->empty() || from->size() > kMaxIdBytes) {
      return fail("invalid join: 'from' must be a non-empty string of at most 128 bytes");
    }
    std::string_view nickname;
    if (const json::value* nick = f.fields.if_contains("nickname")) {
      if (!nick->is_string() || nick->get_string().size() > kMaxIdBytes) {
        return fail("invalid join: 'nickname' must be a string of at most 128 bytes");
      }
      nickname = view(nick->get_string());
    }
    std::string_view resume;
    if (const json::value* token = f.fields.if_contains("resume")) {
      if (!token->is_string() || token->get_string().size() < kMinResumeBytes ||
          token->get_string().size() > kMaxIdBytes) {
        return fail("invalid join: 'resume' must be a string of 16 to 128 bytes");
      }
      resume = view(token->get_string());
    }
    const std::string_view id = view(*from);
    if (const Access* granted = access_of(f.session); granted && granted->identity != id) {
      return fail("identity mismatch: the token is for " + quoted(granted->identity));
    }
    if (auto ban = room.banned.find(id); !f.remote && ban != room.banned.end()) {
      if (f.now < ban->second) {
        const auto left = std::chrono::ceil<std::chrono::seconds>(ban->second - f.now);
        return fail("removed from room " + quoted(f.key) + " by a moderator: " + quoted(id) +
                    " may join again in " + std::to_string(left.count()) + " s");
      }
      room.banned.erase(ban);
    }
    Outcome out;
    if (auto self = room.members.find(f.session); self != room.members.end()) {
      if (self->second.id != id) {
        return fail("identity mismatch: this session joined as " + quoted(self->second.id));
      }
      self->second.nickname = nickname;  // re-join: the client renamed itself
      if (!resume.empty()) self->second.resume = resume;
    } else {
      if (auto held = room.member_by_id.find(id); held != room.member_by_id.end()) {
        // A reconnecting client takes its id back from a connection the server has not yet
        // seen die, by proving it is the same client: the secret its first join carried.
        const Member& old = room.members.at(held->second);
        if (resume.empty() || old.resume != resume) {
          if (!f.remote) {
            return fail("identity taken: " + quoted(id) + " is already in room " +
                        std::string(f.key));
          }
          // Two nodes bound the id at once: every node keeps the smaller node id's member.
          if (!(f.node < node_of(held->second))) return {};
        }
        const SessionId old_session = held->second;
        const Member gone = unbind(room, old_session);
        std::vector<Recipient> others = everyone_but(room, old_session);
        std::erase_if(others, [&](const Recipient& r) { return r.session == f.session; });
        post(out, leave_body(gone), std::move(others));
      }
      if (!f.remote && room.members.size() >= limits.max_members) {
        return fail_limit("members_per_room",
                          "room full (max " + std::to_string(limits.max_members) + " members)");
      }
      bind(room, f.session, id, nickname);
      room.members.at(f.session).resume = resume;
    }
    // The echo to the sender is how the seed learns its subscription is live. The resume
    // secret is for the server only.
    Body body = share(f.raw);
    if (!resume.empty()) {
      json::object relayed = f.fields;
      relayed.erase("resume");
      body = share(json::serialize(relayed));
    }
    post(out, std::move(body), everyone(room));
    return out;
  }

  Outcome chat(Room& room, const Frame& f) {
    const json::string* msg = string_field(f.fields, "msg");
    if (!msg || msg->size() > kMaxMsgBytes) {
      return fail("invalid message: 'msg' must be a string of at most 16384 bytes");
    }
    if (std::string error = check_chat_identity(room, f); !error.empty()) return fail(error);
    Body body = share(f.raw);
    remember(room, body, f.now);
    // Echoed to the sender too: the seed shows a chat line only when it comes back.
    Outcome out;
    post(out, std::move(body), everyone(room));
    return out;
  }

  std::string check_chat_identity(const Room& room, const Frame& f) const {
    if (auto self = room.members.find(f.session); self != room.members.end()) {
      if (std::string error = check_from(self->second, f.fields, false); !error.empty()) {
        return error;
      }
      return check_nickname(self->second, f.fields);
    }
    // Not joined yet: it may chat, but not in the name of someone who has.
    const json::value* nick = f.fields.if_contains("nickname");
    if (nick && (!nick->is_string() || nick->get_string().size() > kMaxIdBytes)) {
      return "invalid message: 'nickname' must be a string of at most 128 bytes";
    }
    const json::string* from = string_field(f.fields, "from");
    const Access* granted = access_of(f.session);
    if (from && granted && view(*from) != granted->identity) {
      return "spoofed from: the token is for " + quoted(granted->identity) + ", frame says " +
             quoted(view(*from));
    }
    if (from && room.member_by_id.contains(view(*from))) {
      return "spoofed from: " + quoted(view(*from)) + " is another session's id in room " +
             std::string(f.key);
    }
    return {};
  }

  // offer / answer / ice: point-to-point, because SDP and ICE carry IP addresses.
  Outcome signal(Room& room, const Frame& f) {
    auto self = room.members.find(f.session);
    if (self == room.members.end()) {
      return fail("join the room before sending " + std::string(f.type));
    }
    if (std::string error = check_from(self->second, f.fields, true); !error.empty()) {
      return fail(error);
    }
    const json::string* target = string_field(f.fields, "target");
    if (!target) return fail("invalid " + std::string(f.type) + ": 'target' must be a string");
    if (f.type == "ice") {
      const json::value* candidate = f.fields.if_contains("iceCandidate");
      if (!candidate || !(candidate->is_null() || candidate->is_object())) {
        return fail("invalid ice: 'iceCandidate' must be an object or null");
      }
    } else {
      const json::string* sdp = sdp_text(f.fields);
      if (!sdp) {
        return fail("invalid " + std::string(f.type) +
                    ": 'sdp' must be a string or an object with a string 'sdp'");
      }
      if (std::string stream = stream_id_from_sdp(view(*sdp)); !stream.empty()) {
        self->second.stream_id = std::move(stream);
      }
    }
    // An absent target is normal (it just left; ICE trickles after leave): drop quietly.
    Outcome out;
    if (auto to = room.member_by_id.find(view(*target)); to != room.member_by_id.end()) {
      if (!is_remote(to->second)) {
        post(out, share(f.raw), session_of(room, to->second));
      } else if (!f.remote) {
        out.remote_target = to->second;  // its node delivers it
      }
    }
    return out;
  }

  Outcome explicit_leave(Room& room, const Frame& f) {
    auto self = room.members.find(f.session);
    if (self == room.members.end()) return fail("join the room before sending leave");
    if (std::string error = check_from(self->second, f.fields, true); !error.empty()) {
      return fail(error);
    }
    // Server-built so streamId is the one the member really announced; the session keeps its
    // subscriptions and may join again.
    Outcome out;
    leave(room, f.session, out);
    return out;
  }

  // Parley extension: {"type":"media","from",audio,video,screen} — a member's own mute /
  // camera / screen-share state, to every other member.
  Outcome media(Room& room, const Frame& f) {
    auto self = room.members.find(f.session);
    if (self == room.members.end()) return fail("join the room before sending media");
    if (std::string error = check_from(self->second, f.fields, true); !error.empty()) {
      return fail(error);
    }
    for (std::string_view key : {"audio", "video", "screen"}) {
      if (const json::value* v = f.fields.if_contains(key); v && !v->is_bool()) {
        return fail("invalid media: '" + std::string(key) + "' must be true or false");
      }
    }
    Outcome out;
    post(out, share(f.raw), everyone_but(room, f.session));
    return out;
  }

  // Parley extension, moderators only: {"type":"kick","from","target"} removes a member (the
  // kick goes to everyone, then its `leave`; its subscriptions end and its id is banned for
  // kick_ban); {"type":"mute","from","target","kind":"audio"|"video"} asks the member to turn
  // that off (media is peer-to-peer: the server relays, clients obey).
  Outcome moderate(Room& room, const Frame& f) {
    const std::string type(f.type);
    auto self = room.members.find(f.session);
    if (self == room.members.end()) return fail("join the room before sending " + type);
    if (std::string error = check_from(self->second, f.fields, true); !error.empty()) {
      return fail(error);
    }
    const Access* granted = access_of(f.session);
    if (!f.remote && (granted == nullptr || !granted->moderator || !granted->allows(f.key))) {
      return fail(type + " requires the moderator role (a room token with role 'moderator')");
    }
    const json::string* target = string_field(f.fields, "target");
    if (!target) return fail("invalid " + type + ": 'target' must be a string");
    if (f.type == "mute") {
      const json::string* kind = string_field(f.fields, "kind");
      if (!kind || (*kind != "audio" && *kind != "video")) {
        return fail("invalid mute: 'kind' must be 'audio' or 'video'");
      }
    }
    if (view(*target) == self->second.id) return fail("cannot " + type + " yourself");
    // Like a signal to someone who just left: nothing to do.
    auto victim = room.member_by_id.find(view(*target));
    if (victim == room.member_by_id.end()) return {};
    Outcome out;
    post(out, share(f.raw), everyone(room));
    if (f.type == "kick") evict(room, victim->second, f.now, out);
    return out;
  }

  void evict(Room& room, SessionId session, Clock::time_point now, Outcome& out) {
    const Member gone = unbind(room, session);
    post(out, leave_body(gone), everyone_but(room, session));
    room.banned[gone.id] = now + limits.kick_ban;
    auto subs = room.subscribers.find(session);
    if (subs == room.subscribers.end()) return;
    auto mine = subscriptions.find(session);
    for (const std::string& sub : subs->second) {
      out.dropped.push_back(Recipient{session, sub});
      if (mine != subscriptions.end()) mine->second.erase(sub);
    }
    if (mine != subscriptions.end() && mine->second.empty()) subscriptions.erase(mine);
    room.subscribers.erase(subs);
  }

  // `node` is empty for a local session's frame, else the remote sender's node.
  Outcome parse_and_dispatch(Room& room, SessionId session, std::string_view key,
                             std::string_view body, Clock::time_point now,
                             std::string_view node = {}) {
    unsigned char buffer[kParseBufferBytes];
    json::monotonic_resource arena(buffer, sizeof buffer);
    json::error_code ec;
    const json::value parsed = json::parse(body, ec, &arena);
    if (ec || !parsed.is_object()) {
      return fail("invalid room message: body must be a JSON object");
    }
    const json::object& fields = parsed.get_object();
    const json::string* type = string_field(fields, "type");
    if (!type) return fail("room message needs a string 'type'");
    const Frame f{session, key, view(*type), fields, body, now, !node.empty(), node};
    if (f.remote && !adopt_remote_sender(room, f)) return {};
    Outcome out = dispatch(room, f);
    out.replicate =
        !f.remote && out.ok() && f.type != "offer" && f.type != "answer" && f.type != "ice";
    return out;
  }

  // A remote member's signal can arrive before this node learned of its join (the sync with
  // its node is still under way): its node vouches for it, so it becomes a member here.
  // False when the frame should be ignored.
  bool adopt_remote_sender(Room& room, const Frame& f) {
    if (f.type == "join" || f.type == "message" || room.members.contains(f.session)) return true;
    if (f.type == "leave") return false;  // never joined here: nothing to undo
    const json::string* from = string_field(f.fields, "from");
    if (!from || from->empty() || from->size() > kMaxIdBytes) return false;
    if (room.member_by_id.contains(view(*from))) return false;
    const json::string* nick = string_field(f.fields, "nickname");
    bind(room, f.session, view(*from), nick ? view(*nick) : std::string_view{});
    return true;
  }

  Outcome dispatch(Room& room, const Frame& f) {
    if (f.type == "join") return join(room, f);
    if (f.type == "message") return chat(room, f);
    if (f.type == "offer" || f.type == "answer" || f.type == "ice") return signal(room, f);
    if (f.type == "leave") return explicit_leave(room, f);
    if (f.type == "media") return media(room, f);
    if (f.type == "kick" || f.type == "mute") return moderate(room, f);
    return fail("unknown room message type " + quoted(f.type));
  }
};

Registry::Registry(Limits limits) : state_(std::make_unique<State>()) {
  state_->limits = limits;
}

Registry::~Registry() = default;

bool Registry::valid_key(std::string_view key) {
  if (key.empty() || key.size() > kMaxKeyLength) return false;
  return std::all_of(key.begin(), key.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
  });
}

Outcome Registry::subscribe(SessionId session, std::string_view key, std::string_view subscription,
                            bool presence, bool history, Clock::time_point now,
                            std::string_view password) {
  State& s = *state_;
  if (!valid_key(key)) return fail(kInvalidKey);
  // A token names its rooms, so it needs no room password; anonymous sessions do.
  if (const Access* granted = s.access_of(session)) {
    if (!granted->allows(key)) return fail("token does not grant room " + quoted(key));
  } else if (auto needed = s.limits.passwords.find(key); needed != s.limits.passwords.end()) {
    if (password.empty()) {
      return fail("room " + quoted(key) +
                  " requires a password: send it in the SUBSCRIBE header x-room-password");
    }
    if (!same_secret(password, needed->second)) {
      return fail("wrong password for room " + quoted(key));
    }
  }
  if (auto mine = s.subscriptions.find(session);
      mine != s.subscriptions.end() && mine->second.contains(subscription)) {
    return fail("duplicate subscription id " + quoted(subscription) + " on this session");
  }
  if (auto mine = s.subscriptions.find(session); mine != s.subscriptions.end()) {
    std::set<std::string_view> keys;
    for (const auto& [id, room_key] : mine->second) keys.insert(room_key);
    if (!keys.contains(key) && keys.size() >= s.limits.max_rooms_per_session) {
      return fail_limit("rooms_per_session", "room limit reached (max " +
                                                 std::to_string(s.limits.max_rooms_per_session) +
                                                 " rooms per session)");
    }
  }
  auto room_it = s.rooms.find(key);
  if (room_it == s.rooms.end()) {
    if (s.rooms.size() >= s.limits.max_rooms) {
      return fail_limit("rooms", "room limit reached (max " + std::to_string(s.limits.max_rooms) +
                                     " rooms per node)");
    }
    room_it = s.rooms.emplace(std::string(key), Room{}).first;
  }
  Room& room = room_it->second;
  room.subscribers[session].emplace_back(subscription);
  s.subscriptions[session].emplace(std::string(subscription), std::string(key));

  Outcome out;
  const Recipient me{session, std::string(subscription)};
  if (presence) post(out, peers_body(room, session), {me});
  if (history) {
    prune(room.history, now, s.limits.history_ttl);
    post(out, history_body(room.history, now, s.limits.history_ttl), {me});
  }
  return out;
}

Outcome Registry::unsubscribe(SessionId session, std::string_view subscription) {
  State& s = *state_;
  auto mine = s.subscriptions.find(session);
  if (mine == s.subscriptions.end()) return {};
  auto sub = mine->second.find(subscription);
  if (sub == mine->second.end()) return {};
  const std::string key = std::move(sub->second);
  mine->second.erase(sub);
  if (mine->second.empty()) s.subscriptions.erase(mine);

  auto room_it = s.rooms.find(key);
  if (room_it == s.rooms.end()) return {};  // unreachable while the two indexes agree
  Room& room = room_it->second;
  auto subs = room.subscribers.find(session);
  if (subs == room.subscribers.end()) return {};
  std::erase(subs->second, subscription);
  Outcome out;
  // Another subscription to the same room keeps the member in it (e.g. a second tab component).
  if (subs->second.empty()) {
    room.subscribers.erase(subs);
    s.leave_and_record(room, key, session, out);
    s.forget_remote_if_unwatched(room, key);
  }
  s.drop_if_unused(room_it);
  return out;
}

Outcome Registry::send(SessionId session, std::string_view key, std::string_view body,
                       Clock::time_point now) {
  State& s = *state_;
  if (!valid_key(key)) return fail(kInvalidKey);
  auto room_it = s.rooms.find(key);
  if (room_it == s.rooms.end() || (!room_it->second.subscribers.contains(session) &&
                                   !room_it->second.members.contains(session))) {
    return fail("not subscribed to room " + std::string(key));
  }
  return s.parse_and_dispatch(room_it->second, session, key, body, now);
}

Outcome Registry::remote_send(SessionId origin, std::string_view node, std::string_view key,
                              std::string_view body, Clock::time_point now) {
  State& s = *state_;
  auto room_it = s.rooms.find(key);
  // Nobody here listens to that room (any more): its remote members were forgotten.
  if (room_it == s.rooms.end() || room_it->second.subscribers.empty()) return {};
  if (node.empty()) return fail("remote_send needs the sender's node id");
  s.track_remote(origin, node, key);
  return s.parse_and_dispatch(room_it->second, origin, key, body, now, node);
}

Outcome Registry::remote_member(SessionId origin, std::string_view node, std::string_view key,
                                std::string_view id, std::string_view nickname,
                                const std::vector<SessionId>& tell) {
  State& s = *state_;
  auto room_it = s.rooms.find(key);
  if (room_it == s.rooms.end() || room_it->second.subscribers.empty() || id.empty()) return {};
  Room& room = room_it->second;
  s.track_remote(origin, node, key);
  if (auto self = room.members.find(origin); self != room.members.end()) {
    self->second.nickname = nickname;
    return {};
  }
  Outcome out;
  if (auto held = room.member_by_id.find(id); held != room.member_by_id.end()) {
    if (!(node < s.node_of(held->second))) return {};
    const SessionId loser = held->second;
    const Member gone = s.unbind(room, loser);
    post(out, leave_body(gone), everyone_but(room, loser));
  }
  s.bind(room, origin, id, nickname);
  std::vector<Recipient> to;
  for (SessionId session : tell) {
    if (session != origin && !s.is_remote(session)) add_recipients(to, session_of(room, session));
  }
  if (!to.empty()) {
    post(out, serialized(json::object{{"type", "join"}, {"from", id}, {"nickname", nickname}}),
         std::move(to));
  }
  return out;
}

// The room `key` if `session` is subscribed to it as `subscription`, else null.
static const Room* subscribed_room(const StringMap<Room>& rooms, SessionId session,
                                   std::string_view key, std::string_view subscription) {
  auto room_it = rooms.find(key);
  if (room_it == rooms.end()) return nullptr;
  auto subs = room_it->second.subscribers.find(session);
  if (subs == room_it->second.subscribers.end() ||
      std::find(subs->second.begin(), subs->second.end(), subscription) == subs->second.end()) {
    return nullptr;
  }
  return &room_it->second;
}

Outcome Registry::peers(SessionId session, std::string_view key,
                        std::string_view subscription) const {
  Outcome out;
  if (const Room* room = subscribed_room(state_->rooms, session, key, subscription)) {
    post(out, peers_body(*room, session), {Recipient{session, std::string(subscription)}});
  }
  return out;
}

Outcome Registry::history_replay(SessionId session, std::string_view key,
                                 std::string_view subscription, Clock::time_point now) const {
  Outcome out;
  if (const Room* room = subscribed_room(state_->rooms, session, key, subscription)) {
    post(out, history_body(room->history, now, state_->limits.history_ttl),
         {Recipient{session, std::string(subscription)}});
  }
  return out;
}

bool Registry::tracks(SessionId session) const {
  return state_->subscriptions.contains(session);
}

std::vector<Registry::MemberInfo> Registry::members(std::string_view key) const {
  const State& s = *state_;
  std::vector<MemberInfo> out;
  auto room_it = s.rooms.find(key);
  if (room_it == s.rooms.end()) return out;
  for (const auto& [session, member] : room_it->second.members) {
    out.push_back({session, member.id, member.nickname, member.seq, !s.is_remote(session)});
  }
  return out;
}

std::vector<Registry::MemberInfo> Registry::local_members(std::string_view key) const {
  const State& s = *state_;
  std::vector<MemberInfo> out;
  auto room_it = s.rooms.find(key);
  if (room_it == s.rooms.end()) return out;
  for (const auto& [session, member] : room_it->second.members) {
    if (!s.is_remote(session)) out.push_back({session, member.id, member.nickname, member.seq});
  }
  return out;
}

std::vector<std::shared_ptr<const std::string>> Registry::history(std::string_view key,
                                                                  Clock::time_point now) const {
  std::vector<std::shared_ptr<const std::string>> out;
  auto room_it = state_->rooms.find(key);
  if (room_it == state_->rooms.end()) return out;
  for (const Chat& chat : room_it->second.history) {
    if (!expired(chat, now, state_->limits.history_ttl)) out.push_back(chat.body);
  }
  return out;
}

void Registry::adopt_history(std::string_view key, const std::vector<std::string>& bodies,
                             Clock::time_point now) {
  auto room_it = state_->rooms.find(key);
  if (room_it == state_->rooms.end() || !room_it->second.history.empty()) return;
  for (const std::string& body : bodies) {
    json::error_code ec;
    const json::value parsed = json::parse(body, ec);
    if (ec || !parsed.is_object()) continue;  // only chat lines as members sent them
    state_->remember(room_it->second, share(body), now);
  }
}

std::size_t Registry::local_subscribers(std::string_view key) const {
  auto room_it = state_->rooms.find(key);
  return room_it == state_->rooms.end() ? 0 : room_it->second.subscribers.size();
}

void Registry::authorize(SessionId session, Access access) {
  state_->access.insert_or_assign(session, std::move(access));
}

Outcome Registry::disconnect(SessionId session) {
  State& s = *state_;
  s.access.erase(session);
  auto mine = s.subscriptions.find(session);
  if (mine == s.subscriptions.end()) {
    s.remote_nodes.erase(session);
    return {};
  }
  std::vector<std::string> keys;
  keys.reserve(mine->second.size());
  for (auto& [sub, key] : mine->second) keys.push_back(std::move(key));
  s.subscriptions.erase(mine);
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());

  Outcome out;
  for (const auto& key : keys) {
    auto room_it = s.rooms.find(key);
    if (room_it == s.rooms.end()) continue;  // unreachable while the two indexes agree
    room_it->second.subscribers.erase(session);
    s.leave_and_record(room_it->second, key, session, out);
    s.forget_remote_if_unwatched(room_it->second, key);
    s.drop_if_unused(room_it);
  }
  s.remote_nodes.erase(session);
  return out;
}

void Registry::sweep(Clock::time_point now) {
  State& s = *state_;
  for (auto it = s.rooms.begin(); it != s.rooms.end();) {
    prune(it->second.history, now, s.limits.history_ttl);
    std::erase_if(it->second.banned, [now](const auto& ban) { return ban.second <= now; });
    if (it->second.unused()) {
      it = s.rooms.erase(it);
    } else {
      ++it;
    }
  }
}

std::size_t Registry::room_count() const {
  return state_->rooms.size();
}

std::size_t Registry::member_count() const {
  return state_->members;
}

}  // namespace parley::rooms
