// Operator configuration for access control: clear errors for every bad input.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <string>

#include "app/access_config.hpp"

namespace parley::app {
namespace {

std::string error_of(auto&& call) {
  try {
    call();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(AccessConfig, NoSecretNoJwksMeansOpenRooms) {
  EXPECT_EQ(load_verifier("", ""), nullptr);
}

TEST(AccessConfig, SecretGivesAnHs256Verifier) {
  EXPECT_NE(load_verifier(std::string(32, 'k'), ""), nullptr);
}

TEST(AccessConfig, ShortSecretIsRefused) {
  EXPECT_NE(error_of([] { load_verifier("short", ""); }).find("32"), std::string::npos);
}

TEST(AccessConfig, SecretAndJwksTogetherAreRefused) {
  EXPECT_EQ(error_of([] { load_verifier(std::string(32, 'k'), "/x.json"); }),
            "--jwt-secret and --jwt-jwks: set one, not both");
}

TEST(AccessConfig, UnreadableJwksFileIsNamed) {
  EXPECT_EQ(error_of([] { load_verifier("", "/nonexistent/jwks.json"); }),
            "--jwt-jwks: cannot read /nonexistent/jwks.json");
}

TEST(AccessConfig, JwksFileIsLoaded) {
  const std::string path = ::testing::TempDir() + "parley-jwks.json";
  std::ofstream(path) << R"({"keys":[{"kty":"oct","kid":"k1","alg":"HS256",)"
                      << R"("k":"MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY"}]})";
  EXPECT_NE(load_verifier("", path), nullptr);
  std::remove(path.c_str());
}

TEST(AccessConfig, RoomPasswordsParse) {
  const auto passwords = parse_room_passwords(R"({"team":"pw1","board-2":"pw2"})");
  ASSERT_EQ(passwords.size(), 2u);
  EXPECT_EQ(passwords.at("team"), "pw1");
}

TEST(AccessConfig, RoomPasswordsRejectBadInput) {
  EXPECT_NE(error_of([] { parse_room_passwords("[]"); }).find("expected a JSON object"),
            std::string::npos);
  EXPECT_NE(error_of([] { parse_room_passwords("{"); }).find("expected a JSON object"),
            std::string::npos);
  EXPECT_NE(error_of([] { parse_room_passwords(R"({"a b":"pw"})"); }).find("is not a room key"),
            std::string::npos);
  EXPECT_NE(error_of([] { parse_room_passwords(R"({"a":""})"); }).find("1-128 bytes"),
            std::string::npos);
  EXPECT_NE(error_of([] { parse_room_passwords(R"({"a":7})"); }).find("1-128 bytes"),
            std::string::npos);
}

TEST(AccessConfig, UnreadablePasswordFileIsNamed) {
  EXPECT_EQ(error_of([] { load_room_passwords("/nonexistent/p.json"); }),
            "--room-passwords: cannot read /nonexistent/p.json");
}

}  // namespace
}  // namespace parley::app
