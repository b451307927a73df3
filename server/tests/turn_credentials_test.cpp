#include "turn/credentials.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace parley::turn {
namespace {

using std::chrono::seconds;
using std::chrono::sys_seconds;

// Expected values computed independently (Python hmac + base64).
TEST(TurnCredentials, UsernameIsExpiryColonUserAndCredentialIsBase64HmacSha1) {
  const Credentials c =
      make_credentials("north-pole-secret", "alice", sys_seconds{seconds{1700003600}});
  EXPECT_EQ(c.username, "1700003600:alice");
  EXPECT_EQ(c.credential, "erHaXyPzbAqMUcGIPwtl27l1BM4=");
}

TEST(TurnCredentials, IceServersJsonListsStunThenTurnWithCredentialsValidForTtl) {
  IceConfig config;
  config.stun_uris = {"stun:127.0.0.1:3478"};
  config.turn_uris = {"turn:127.0.0.1:3478?transport=udp", "turn:127.0.0.1:3478?transport=tcp"};
  config.turn_secret = "north-pole-secret";
  config.ttl = seconds{3600};
  const auto json =
      boost::json::parse(ice_servers_json(config, "alice", sys_seconds{seconds{1700000000}}));
  const auto& servers = json.at("iceServers").as_array();
  ASSERT_EQ(servers.size(), 2u);
  EXPECT_EQ(servers[0].at("urls").as_array().at(0).as_string(), "stun:127.0.0.1:3478");
  EXPECT_FALSE(servers[0].as_object().contains("username"));
  EXPECT_EQ(servers[1].at("urls").as_array().size(), 2u);
  EXPECT_EQ(servers[1].at("username").as_string(), "1700003600:alice");
  EXPECT_EQ(servers[1].at("credential").as_string(), "erHaXyPzbAqMUcGIPwtl27l1BM4=");
  EXPECT_EQ(json.at("ttl").as_int64(), 3600);
}

TEST(TurnCredentials, NoTurnWithoutSecretAndEmptyListWithoutConfig) {
  IceConfig config;
  config.turn_uris = {"turn:127.0.0.1:3478"};
  const auto json = boost::json::parse(ice_servers_json(config, "bob", sys_seconds{}));
  EXPECT_TRUE(json.at("iceServers").as_array().empty());
}

}  // namespace
}  // namespace parley::turn
