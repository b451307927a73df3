#include "turn/credentials.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <boost/json.hpp>
#include <stdexcept>

namespace parley::turn {

Credentials make_credentials(std::string_view secret, std::string_view user,
                             std::chrono::sys_seconds expiry) {
  Credentials out;
  out.username = std::to_string(expiry.time_since_epoch().count());
  out.username += ':';
  out.username += user;

  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int mac_size = 0;
  if (HMAC(EVP_sha1(), secret.data(), static_cast<int>(secret.size()),
           reinterpret_cast<const unsigned char*>(out.username.data()), out.username.size(),
           mac.data(), &mac_size) == nullptr) {
    throw std::runtime_error("HMAC-SHA1 failed");
  }
  std::string encoded(4 * ((mac_size + 2) / 3), '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded.data()), mac.data(),
                                static_cast<int>(mac_size));
  encoded.resize(static_cast<std::size_t>(n));
  out.credential = std::move(encoded);
  return out;
}

std::string ice_servers_json(const IceConfig& config, std::string_view user,
                             std::chrono::sys_seconds now) {
  boost::json::array servers;
  if (!config.stun_uris.empty()) {
    boost::json::array urls;
    for (const auto& uri : config.stun_uris) urls.emplace_back(uri);
    servers.push_back(boost::json::object{{"urls", std::move(urls)}});
  }
  if (!config.turn_uris.empty() && !config.turn_secret.empty()) {
    boost::json::array urls;
    for (const auto& uri : config.turn_uris) urls.emplace_back(uri);
    const Credentials c = make_credentials(config.turn_secret, user, now + config.ttl);
    servers.push_back(boost::json::object{
        {"urls", std::move(urls)}, {"username", c.username}, {"credential", c.credential}});
  }
  return boost::json::serialize(
      boost::json::object{{"iceServers", std::move(servers)}, {"ttl", config.ttl.count()}});
}

}  // namespace parley::turn
