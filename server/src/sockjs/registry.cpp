#include "sockjs/registry.hpp"

namespace parley::sockjs {
namespace {

// "/iframe.html" and versioned variants such as "/iframe-0.3.4.html": sockjs-node accepts
// [0-9-.a-z_] between "iframe" and ".html".
bool is_iframe_path(std::string_view path) {
  constexpr std::string_view kHead = "/iframe";
  constexpr std::string_view kTail = ".html";
  if (path.size() < kHead.size() + kTail.size()) return false;
  if (!path.starts_with(kHead) || !path.ends_with(kTail)) return false;
  const std::string_view version =
      path.substr(kHead.size(), path.size() - kHead.size() - kTail.size());
  for (const char c : version) {
    const bool ok =
        (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || c == '-' || c == '.' || c == '_';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

bool valid_segment(std::string_view segment) {
  if (segment.empty() || segment.size() > kMaxSegmentLength) return false;
  return segment.find_first_of("./") == std::string_view::npos;
}

std::optional<Route> parse_route(std::string_view path) {
  path = path.substr(0, path.find('?'));
  if (path.empty() || path == "/") return Route{};
  if (path == "/info") return Route{Route::Kind::info, {}, {}, Transport::websocket};
  if (path == "/websocket") return Route{Route::Kind::raw_websocket, {}, {}, Transport::websocket};
  if (is_iframe_path(path)) return Route{Route::Kind::iframe, {}, {}, Transport::websocket};
  if (!path.starts_with('/')) return std::nullopt;

  // "/<server>/<session>/<transport>": exactly three segments.
  const std::string_view rest = path.substr(1);
  const std::size_t first = rest.find('/');
  if (first == std::string_view::npos) return std::nullopt;
  const std::size_t second = rest.find('/', first + 1);
  if (second == std::string_view::npos) return std::nullopt;
  const std::string_view server_id = rest.substr(0, first);
  const std::string_view session_id = rest.substr(first + 1, second - first - 1);
  const auto transport = transport_from_name(rest.substr(second + 1));
  if (!valid_segment(server_id) || !valid_segment(session_id) || !transport) return std::nullopt;
  return Route{Route::Kind::session, server_id, session_id, *transport};
}

}  // namespace parley::sockjs
