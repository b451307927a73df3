#include "net/origin.hpp"

#include <algorithm>

namespace parley::net {

namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
           return lower(x) == lower(y);
         });
}

// "https://host:port" -> "host:port"; empty when there is no scheme.
std::string_view authority(std::string_view origin) {
  auto scheme_end = origin.find("://");
  if (scheme_end == std::string_view::npos) return {};
  auto rest = origin.substr(scheme_end + 3);
  return rest.substr(0, rest.find('/'));
}

// "host:port" -> "host" (IPv6 literals keep their brackets).
std::string_view hostname(std::string_view authority) {
  if (authority.starts_with('[')) return authority.substr(0, authority.find(']') + 1);
  return authority.substr(0, authority.find(':'));
}

}  // namespace

bool origin_allowed(const std::vector<std::string>& allowed, std::string_view origin,
                    std::string_view host) {
  // No Origin: not a browser page. Such clients can send any Origin they like, so refusing
  // them would protect nothing and break tools.
  if (origin.empty()) return true;
  if (!allowed.empty()) {
    return std::any_of(allowed.begin(), allowed.end(), [&](const std::string& entry) {
      return entry == "*" || iequals(entry, origin);
    });
  }
  const auto from = authority(origin);
  if (from.empty()) return false;  // "null" (sandboxed frames, file://) and garbage
  if (!host.empty() && iequals(from, host)) return true;
  const auto name = hostname(from);
  // Only a port may follow the host: "localhost:80@evil.example" is evil.example's origin.
  const auto port = from.substr(name.size());
  if (!port.empty() &&
      (port.front() != ':' || port.find_first_not_of("0123456789", 1) != std::string_view::npos)) {
    return false;
  }
  return iequals(name, "localhost") || name == "127.0.0.1" || name == "[::1]";
}

}  // namespace parley::net
