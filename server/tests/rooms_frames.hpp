// Room message bodies and post inspection shared by the room-rule tests.
#pragma once

#include <boost/json.hpp>

#include <set>
#include <string>
#include <string_view>
#include <utility>

#include "rooms/registry.hpp"

namespace parley::rooms::testing {

namespace json = boost::json;

using Who = std::set<std::pair<SessionId, std::string>>;

inline Who who(const Post& p) {
  Who out;
  for (const auto& r : p.to) out.emplace(r.session, r.subscription);
  return out;
}

inline json::object parsed(const Post& p) {
  return json::parse(*p.body).as_object();
}

inline std::string sdp_with_stream(std::string_view stream) {
  return "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\na=msid-semantic: WMS " + std::string(stream) +
         "\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=msid:" + std::string(stream) + " track-1\r\n";
}

inline std::string offer(std::string_view from, std::string_view target,
                         std::string_view sdp = "v=0", std::string_view type = "offer") {
  json::object description{{"type", type}, {"sdp", sdp}};
  return json::serialize(json::object{
      {"type", type}, {"from", from}, {"target", target}, {"sdp", std::move(description)}});
}

inline std::string ice(std::string_view from, std::string_view target) {
  return json::serialize(
      json::object{{"type", "ice"}, {"from", from}, {"target", target}, {"iceCandidate", nullptr}});
}

inline std::string leave(std::string_view from) {
  return json::serialize(json::object{{"type", "leave"}, {"from", from}});
}

inline std::string kick(std::string_view from, std::string_view target) {
  return json::serialize(json::object{{"type", "kick"}, {"from", from}, {"target", target}});
}

inline std::string mute(std::string_view from, std::string_view target, std::string_view kind) {
  return json::serialize(
      json::object{{"type", "mute"}, {"from", from}, {"target", target}, {"kind", kind}});
}

}  // namespace parley::rooms::testing
