// TURN REST API credentials (draft-uberti-behave-turn-rest, as coturn's use-auth-secret
// implements it): username = "<expiry unix time>:<user>", credential =
// base64(HMAC-SHA1(shared secret, username)). Pure; no clock inside.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace parley::turn {

struct Credentials {
  std::string username;
  std::string credential;
};

Credentials make_credentials(std::string_view secret, std::string_view user,
                             std::chrono::sys_seconds expiry);

struct IceConfig {
  std::vector<std::string> stun_uris;  // stun:host:port
  std::vector<std::string> turn_uris;  // turn:host:port?transport=udp, turns:...
  std::string turn_secret;             // coturn's static-auth-secret; empty: no TURN
  std::chrono::seconds ttl{3600};
};

// The JSON body of GET /api/ice-servers: {"iceServers":[...],"ttl":N} in the shape
// RTCPeerConnection's `iceServers` takes. `user` ends up in the TURN username.
std::string ice_servers_json(const IceConfig& config, std::string_view user,
                             std::chrono::sys_seconds now);

}  // namespace parley::turn
