// Inputs the fuzz targets (server/fuzz/) found, each kept as a unit test beside its fix. The
// crashing input itself is in the target's seed corpus under the name given here.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "net/origin.hpp"

namespace parley::net {
namespace {

// http_fuzz, corpus/http/origin_port_not_numeric: the default Origin policy took anything
// after a loopback host name for a port, so "http://localhost:80@evil.example" (the origin of
// evil.example, written with userinfo) passed as localhost.
TEST(FuzzRegression, DefaultOriginPolicyTakesOnlyANumericPortAfterLoopback) {
  const std::vector<std::string> none;
  EXPECT_FALSE(origin_allowed(none,
                              "http://localhost:300\x82"
                              "0",
                              "m3http:eet.example.org\xfc"));
  EXPECT_FALSE(origin_allowed(none, "http://localhost:80@evil.example", "meet.example.org"));
  EXPECT_FALSE(origin_allowed(none, "http://127.0.0.1:@evil.example", "meet.example.org"));
  EXPECT_FALSE(origin_allowed(none, "http://[::1]evil.example", "meet.example.org"));
  EXPECT_TRUE(origin_allowed(none, "http://localhost:3000", "meet.example.org"));
  EXPECT_TRUE(origin_allowed(none, "http://[::1]:8080", "meet.example.org"));
  EXPECT_TRUE(origin_allowed(none, "http://127.0.0.1", "meet.example.org"));
}

}  // namespace
}  // namespace parley::net
