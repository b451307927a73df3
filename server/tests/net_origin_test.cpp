#include "net/origin.hpp"

#include <gtest/gtest.h>

namespace parley::net {
namespace {

TEST(OriginPolicy, DefaultAllowsSameOriginLocalhostAndNonBrowsers) {
  const std::vector<std::string> none;
  EXPECT_TRUE(origin_allowed(none, "https://meet.example.org", "meet.example.org"));
  EXPECT_TRUE(origin_allowed(none, "http://127.0.0.1:8080", "127.0.0.1:8080"));
  EXPECT_TRUE(origin_allowed(none, "HTTPS://Meet.Example.org", "meet.example.org"));
  EXPECT_TRUE(origin_allowed(none, "http://localhost:3000", "127.0.0.1:8080"));  // seed dev server
  EXPECT_TRUE(origin_allowed(none, "http://127.0.0.1:5173", "meet.example.org"));
  EXPECT_TRUE(origin_allowed(none, "http://[::1]:3000", "meet.example.org"));
  EXPECT_TRUE(origin_allowed(none, "", "meet.example.org"));  // node, curl, native apps
}

TEST(OriginPolicy, DefaultRejectsOtherSitesNullAndLookalikes) {
  const std::vector<std::string> none;
  EXPECT_FALSE(origin_allowed(none, "https://evil.example", "meet.example.org"));
  EXPECT_FALSE(origin_allowed(none, "null", "meet.example.org"));
  EXPECT_FALSE(origin_allowed(none, "https://meet.example.org.evil.example", "meet.example.org"));
  EXPECT_FALSE(origin_allowed(none, "http://localhost.evil.example", "meet.example.org"));
  EXPECT_FALSE(origin_allowed(none, "https://meet.example.org:8443", "meet.example.org"));
}

TEST(OriginPolicy, ConfiguredListIsExactOrStar) {
  const std::vector<std::string> list{"https://meet.example.org", "https://app.example.org"};
  EXPECT_TRUE(origin_allowed(list, "https://app.example.org", "meet.example.org"));
  EXPECT_FALSE(origin_allowed(list, "http://localhost:3000", "meet.example.org"));
  EXPECT_TRUE(origin_allowed(list, "", "meet.example.org"));  // no Origin: not a browser
  EXPECT_TRUE(origin_allowed({"*"}, "https://anything.example", "meet.example.org"));
}

}  // namespace
}  // namespace parley::net
