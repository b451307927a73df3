// SockJS URL routing below the service prefix, and the map from session id to whatever
// the network layer keeps per session. Pure and single-threaded.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "sockjs/transports.hpp"

namespace parley::sockjs {

// Server and session ids are chosen by the client; keep them to a sane size.
inline constexpr std::size_t kMaxSegmentLength = 64;

// A server or session id path segment: 1..kMaxSegmentLength bytes, no '.' and no '/'.
bool valid_segment(std::string_view segment);

struct Route {
  enum class Kind {
    greeting,       // "" or "/"
    info,           // "/info"
    iframe,         // "/iframe.html", "/iframe-<version>.html"
    raw_websocket,  // "/websocket": plain WebSocket, no SockJS framing
    session,        // "/<server>/<session>/<transport>"
  };
  Kind kind = Kind::greeting;
  std::string_view server_id;                  // session routes only
  std::string_view session_id;                 // session routes only
  Transport transport = Transport::websocket;  // session routes only
};

// Routes a request path with the SockJS prefix already removed; a query string, if still
// attached, is ignored. nullopt means 404. The returned views point into `path`.
std::optional<Route> parse_route(std::string_view path);

// Sessions by id. Lookups take a string_view without allocating.
template <typename Entry>
class Registry {
 public:
  Entry* find(std::string_view id) {
    const auto it = map_.find(id);
    return it == map_.end() ? nullptr : &it->second;
  }
  const Entry* find(std::string_view id) const {
    const auto it = map_.find(id);
    return it == map_.end() ? nullptr : &it->second;
  }
  // Inserts unless the id is taken; returns the entry and whether it is new.
  template <typename... Args>
  std::pair<Entry*, bool> try_emplace(std::string_view id, Args&&... args) {
    auto [it, inserted] = map_.try_emplace(std::string(id), std::forward<Args>(args)...);
    return {&it->second, inserted};
  }
  bool erase(std::string_view id) {
    const auto it = map_.find(id);
    if (it == map_.end()) return false;
    map_.erase(it);
    return true;
  }
  // Removes every entry `pred(id, entry)` holds for (expired sessions); returns how many.
  template <typename Pred>
  std::size_t erase_if(Pred pred) {
    return std::erase_if(map_, [&](auto& item) { return pred(item.first, item.second); });
  }
  std::size_t size() const { return map_.size(); }
  bool empty() const { return map_.empty(); }

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, Entry, Hash, std::equal_to<>> map_;
};

}  // namespace parley::sockjs
