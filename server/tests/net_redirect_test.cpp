// --http-redirect-port: where a plain HTTP request is sent (net/redirect_session.hpp).
#include <gtest/gtest.h>

#include "net/redirect_session.hpp"

namespace parley::net {
namespace {

TEST(HttpsLocation, KeepsTheHostNameAndTargetAndUsesTheTlsPort) {
  EXPECT_EQ(https_location("meet.example.org:8080", "10.0.0.1", 8443, "/room/a?x=1"),
            "https://meet.example.org:8443/room/a?x=1");
}

TEST(HttpsLocation, AHostWithoutPortGetsTheTlsPort) {
  EXPECT_EQ(https_location("localhost", "127.0.0.1", 443, "/"), "https://localhost:443/");
}

TEST(HttpsLocation, KeepsABracketedIpv6Host) {
  EXPECT_EQ(https_location("[::1]:80", "::1", 8443, "/ws"), "https://[::1]:8443/ws");
}

TEST(HttpsLocation, NoHostHeaderFallsBackToTheListenAddress) {
  EXPECT_EQ(https_location("", "192.168.1.5", 8443, "/api/health"),
            "https://192.168.1.5:8443/api/health");
}

TEST(HttpsLocation, AnAbsoluteFormTargetBecomesTheRoot) {
  EXPECT_EQ(https_location("h", "x", 1, "http://evil.example/"), "https://h:1/");
}

}  // namespace
}  // namespace parley::net
