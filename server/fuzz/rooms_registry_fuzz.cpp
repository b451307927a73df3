// libFuzzer target for the room rules: the input drives a sequence of subscribe / send /
// unsubscribe / disconnect calls from four sessions in two rooms, with bodies built from a small
// vocabulary of types, ids and targets (plus raw garbage). After every call it checks the rules
// of docs/PROTOCOL.md against a model of who is bound to which id:
//   - no delivered body claims a `from` other than the sender's bound id (no spoofing);
//   - offer / answer / ice reach at most one session, the target's, never anyone else;
//   - a refused call delivers nothing;
//   - every member leaves exactly once: each `leave` names a bound member, which is then gone,
//     and a disconnected session holds no binding afterwards;
//   - only session 1, which holds a moderator token (as id "a"), can kick or mute; a kick
//     unbinds its target and ends exactly the target's subscriptions to the room.
#include <boost/json.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>
#include <string>
#include <string_view>

#include "fuzz_input.hpp"
#include "rooms/registry.hpp"

namespace {

using parley::rooms::Clock;
using parley::rooms::Outcome;
using parley::rooms::Registry;
using parley::rooms::SessionId;
namespace json = boost::json;

constexpr std::string_view kRooms[] = {"r1", "r2"};
constexpr std::string_view kIds[] = {"a", "b", "c", "d"};
constexpr std::string_view kTypes[] = {"join",  "message", "offer", "answer", "ice",
                                       "leave", "media",   "kick",  "mute"};
constexpr SessionId kModerator = 1;
constexpr std::string_view kResume[] = {"", "secret-0123456789", "secret-9876543210"};

[[noreturn]] void violated(const char* rule, std::string_view detail) {
  std::fprintf(stderr, "room rule violated: %s: %.*s\n", rule, static_cast<int>(detail.size()),
               detail.data());
  std::abort();
}

using parley::fuzz::Input;

// The model: per room, id -> session bound to it.
using Bindings = std::map<std::string, std::map<std::string, SessionId, std::less<>>, std::less<>>;

std::string bound_id(const Bindings& model, std::string_view room, SessionId session) {
  auto r = model.find(room);
  if (r == model.end()) return {};
  for (const auto& [id, s] : r->second) {
    if (s == session) return id;
  }
  return {};
}

enum class Op { subscribe, unsubscribe, disconnect, send };

void unbind(Bindings& model, const std::string& room, SessionId session) {
  auto& ids = model[room];
  for (auto it = ids.begin(); it != ids.end(); ++it) {
    if (it->second == session) {
      ids.erase(it);
      return;
    }
  }
}

std::string body_for(Input& in) {
  if (in.next() % 16 == 0) {  // raw garbage now and then
    std::string raw;
    for (std::size_t n = in.next() % 24; n > 0; --n) raw += static_cast<char>(in.next());
    return raw;
  }
  json::object o;
  const std::string_view type = in.pick(kTypes);
  o["type"] = type;
  if (in.next() % 8 != 0) o["from"] = in.pick(kIds);
  o["nickname"] = in.pick(kIds);
  if (type == "join") {
    if (auto resume = in.pick(kResume); !resume.empty()) o["resume"] = resume;
  } else if (type == "message") {
    o["msg"] = "hi";
  } else if (type == "offer" || type == "answer") {
    o["target"] = in.pick(kIds);
    o["sdp"] = json::object{{"type", type}, {"sdp", "v=0\r\na=msid:stream-x track\r\n"}};
  } else if (type == "ice") {
    o["target"] = in.pick(kIds);
    o["iceCandidate"] = nullptr;
  } else if (type == "media") {
    o["audio"] = in.next() % 2 == 0;
  } else if (type == "kick" || type == "mute") {
    o["target"] = in.pick(kIds);
    if (type == "mute") o["kind"] = in.next() % 2 == 0 ? "audio" : "video";
  }
  return json::serialize(o);
}

// Checks one outcome of a call by `sender` in `room` (empty for disconnect/unsubscribe) and
// applies its effects to the model.
void check(const Outcome& out, Bindings& model, std::string_view room, SessionId sender,
           const Bindings& before) {
  if (!out.ok() && !out.posts.empty()) violated("refused call delivered", out.error);
  for (const auto& post : out.posts) {
    json::error_code ec;
    json::value v = json::parse(*post.body, ec);
    if (ec || !v.is_object()) violated("delivered a body that is not a JSON object", *post.body);
    const auto& o = v.as_object();
    const auto* type = o.if_contains("type");
    const std::string_view t =
        type && type->is_string() ? std::string_view(type->get_string()) : "";
    const auto* from = o.if_contains("from");
    const std::string from_id =
        from && from->is_string() ? std::string(from->get_string()) : std::string();
    if (t == "leave") {
      // Server-made: names a member that was bound before this call (in some room).
      bool was_bound = false;
      for (const auto& [key, ids] : before) was_bound = was_bound || ids.contains(from_id);
      if (!was_bound) violated("leave for an id that was not bound", *post.body);
      continue;
    }
    if (t == "peers" || t == "history") continue;
    if (room.empty()) violated("a disconnect/unsubscribe delivered a non-leave body", *post.body);
    const std::string self = bound_id(model, room, sender);
    if (!from_id.empty() && t != "message" && from_id != self) {
      violated("delivered a `from` that is not the sender's bound id", *post.body);
    }
    if (t == "offer" || t == "answer" || t == "ice") {
      const std::string target(o.at("target").as_string());
      auto r = model.find(room);
      auto it = r == model.end() ? decltype(r->second.end()){} : r->second.find(target);
      // Only the target's session, once per subscription it holds to the room.
      bool only_target = r != model.end() && it != r->second.end() && !post.to.empty();
      for (const auto& recipient : post.to) {
        only_target = only_target && recipient.session == it->second;
      }
      if (!only_target) {
        violated("a targeted message reached someone other than its target", *post.body);
      }
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const bool trace = std::getenv("ROOMS_FUZZ_TRACE") != nullptr;
  Input in{data, size};
  parley::rooms::Limits limits;
  limits.max_members = 3;
  limits.history_size = 4;
  Registry registry{limits};
  registry.authorize(kModerator, parley::rooms::Access{"*", "a", true});
  Bindings model;
  std::map<SessionId, std::multimap<std::string, std::string>> subs;  // session -> (room, sub id)
  auto now = Clock::time_point{} + std::chrono::hours(1);

  for (int step = 0; step < 64 && in.size > 0; ++step) {
    const SessionId session = 1 + in.next() % 4;
    const std::string_view room = in.pick(kRooms);
    const std::string sub = std::string(room) + "-" + std::to_string(in.next() % 2);
    const Bindings before = model;
    Outcome out;
    std::string_view checked_room;
    std::string joined;  // the id an accepted join bound
    std::string sent_type;
    Op op = Op::send;
    switch (in.next() % 8) {
      case 0:
      case 1:
        op = Op::subscribe;
        if (trace) std::fprintf(stderr, "subscribe %s\n", sub.c_str());
        out = registry.subscribe(session, room, sub, in.next() % 2 == 0, in.next() % 2 == 0, now);
        checked_room = room;
        break;
      case 2:
        op = Op::unsubscribe;
        if (trace) std::fprintf(stderr, "unsubscribe %s\n", sub.c_str());
        out = registry.unsubscribe(session, sub);
        break;
      case 3:
        op = Op::disconnect;
        if (trace) std::fprintf(stderr, "disconnect\n");
        out = registry.disconnect(session);
        break;
      default: {
        const std::string body = body_for(in);
        if (trace) std::fprintf(stderr, "send %s\n", body.c_str());
        out = registry.send(session, room, body, now);
        checked_room = room;
        json::error_code ec;
        json::value v = json::parse(body, ec);
        if (!ec && v.is_object() && v.as_object().contains("type") && v.at("type").is_string()) {
          sent_type = std::string(v.at("type").as_string());
        }
        if (out.ok() && sent_type == "join") joined = std::string(v.at("from").as_string());
        break;
      }
    }
    // The model follows the calls: a binding ends with the session's last subscription to
    // the room, its disconnect, its own `leave`, or a takeover by a join with its resume
    // secret. Every `leave` delivered must name a binding that just ended (a leave with
    // nobody left to tell is not delivered at all).
    if (out.ok()) {
      if (op == Op::subscribe) subs[session].emplace(std::string(room), sub);
      if (op == Op::unsubscribe) {
        for (auto it = subs[session].begin(); it != subs[session].end(); ++it) {
          if (it->second != sub) continue;
          const std::string key = it->first;
          subs[session].erase(it);
          bool still = false;
          for (const auto& [k, id] : subs[session]) still = still || k == key;
          if (!still) unbind(model, key, session);
          break;
        }
      }
      if (op == Op::disconnect) {
        subs.erase(session);
        for (auto& [key, ids] : model) unbind(model, key, session);
      }
      if (op == Op::send && sent_type == "leave") unbind(model, std::string(room), session);
      if (op == Op::send && (sent_type == "kick" || sent_type == "mute") && !out.posts.empty() &&
          session != kModerator) {
        violated("a non-moderator's kick or mute was relayed", sent_type);
      }
      if (op == Op::send && sent_type == "kick" && !out.posts.empty()) {
        // The target loses its binding and every subscription it had to the room.
        SessionId target = 0;
        for (const auto& d : out.dropped) {
          if (target != 0 && d.session != target) violated("a kick dropped two sessions", "");
          target = d.session;
        }
        if (target == 0 || target == session) violated("a kick dropped no one, or its sender", "");
        unbind(model, std::string(room), target);
        std::size_t held = 0;
        for (auto it = subs[target].begin(); it != subs[target].end();) {
          if (it->first == room) {
            ++held;
            it = subs[target].erase(it);
          } else {
            ++it;
          }
        }
        if (held != out.dropped.size()) violated("a kick dropped other subscriptions", "");
      }
    } else if (!out.dropped.empty()) {
      violated("a refused call dropped subscriptions", out.error);
    }
    for (const auto& post : out.posts) {
      json::error_code ec;
      json::value v = json::parse(*post.body, ec);
      if (ec || !v.is_object() || !(v.as_object().contains("type") && v.at("type") == "leave")) {
        continue;
      }
      const std::string id(v.at("from").as_string());
      bool ended = false;
      for (const auto& [key, ids] : before) {
        auto was = ids.find(id);
        const auto& now_ids = model[key];
        ended = ended || (was != ids.end() && !now_ids.contains(id)) ||
                (was != ids.end() && !joined.empty() && joined == id && key == room);
      }
      if (!ended) violated("leave for a binding that did not end", *post.body);
    }
    // An accepted join binds the id to the sender (taking it over from another session, if
    // the resume secret matched).
    if (!joined.empty()) {
      unbind(model, std::string(room), session);  // a re-join under the same id is a no-op
      model[std::string(room)][joined] = session;
    }
    if (trace) {
      std::fprintf(stderr, "step %d: session %llu room %.*s -> %s\n", step,
                   static_cast<unsigned long long>(session), static_cast<int>(room.size()),
                   room.data(), out.ok() ? "ok" : out.error.c_str());
      for (const auto& post : out.posts) {
        std::fprintf(stderr, "  post to %zu: %s\n", post.to.size(), post.body->c_str());
      }
    }
    check(out, model, checked_room, session, before);
    if (registry.member_count() != [&] {
          std::size_t n = 0;
          for (const auto& [key, ids] : model) n += ids.size();
          return n;
        }()) {
      violated("member count differs from the model", "after a call");
    }
    now += std::chrono::seconds(1 + in.next() % 5);
  }
  // Everyone disconnects: no member may remain.
  for (SessionId s = 1; s <= 4; ++s) registry.disconnect(s);
  if (registry.member_count() != 0) violated("members left after everyone disconnected", "");
  return 0;
}
