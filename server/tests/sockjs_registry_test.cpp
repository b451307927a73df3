// SockJS URL routing (the sockjs-protocol BaseUrlGreeting, IframePage and SessionURLs
// cases) and the session-id registry.
#include "sockjs/registry.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace parley::sockjs {
namespace {

using Kind = Route::Kind;

std::optional<Kind> kind_of(std::string_view path) {
  const auto route = parse_route(path);
  if (!route) return std::nullopt;
  return route->kind;
}

// ---- static URLs ----

TEST(SockjsRoute, BaseUrlWithOrWithoutSlashIsTheGreeting) {
  EXPECT_EQ(kind_of(""), Kind::greeting);
  EXPECT_EQ(kind_of("/"), Kind::greeting);
}

TEST(SockjsRoute, InfoAndRawWebsocketHaveFixedPaths) {
  EXPECT_EQ(kind_of("/info"), Kind::info);
  EXPECT_EQ(kind_of("/info?t=1"), Kind::info);
  EXPECT_EQ(kind_of("/websocket"), Kind::raw_websocket);
}

TEST(SockjsRoute, OtherShortPathsAreNotFound) {
  for (const char* path : {"/a", "/a.html", "//", "///", "/a/a", "/a/a/", "/a/", "/info/", "/INFO",
                           "info", "a/b/xhr"}) {
    EXPECT_EQ(parse_route(path), std::nullopt) << path;
  }
}

TEST(SockjsRoute, IframePageAndItsVersionedVariants) {
  for (const char* path :
       {"/iframe.html", "/iframe-a.html", "/iframe-.html", "/iframe-0.1.2.html",
        "/iframe-0.1.2abc-dirty.2144.html", "/iframe-a.html?t=1234", "/iframe-0.1.2.html?t=123414",
        "/iframe-0.1.2abc-dirty.2144.html?t=qweqweq123"}) {
    EXPECT_EQ(kind_of(path), Kind::iframe) << path;
  }
}

TEST(SockjsRoute, MalformedIframeUrlsAreNotFound) {
  for (const char* path : {"/iframe.htm", "/iframe", "/IFRAME.HTML", "/IFRAME", "/iframe.HTML",
                           "/iframe.xml", "/iframe-/.html", "/iframeA.html"}) {
    EXPECT_EQ(parse_route(path), std::nullopt) << path;
  }
}

// ---- session URLs ----

TEST(SockjsRoute, SessionUrlNamesServerSessionAndTransport) {
  const auto route = parse_route("/000/abc-def/xhr_streaming");
  ASSERT_TRUE(route);
  EXPECT_EQ(route->kind, Kind::session);
  EXPECT_EQ(route->server_id, "000");
  EXPECT_EQ(route->session_id, "abc-def");
  EXPECT_EQ(route->transport, Transport::xhr_streaming);
}

TEST(SockjsRoute, SessionUrlIgnoresTheQueryString) {
  const auto route = parse_route("/1/2/jsonp?c=%63allback");
  ASSERT_TRUE(route);
  EXPECT_EQ(route->transport, Transport::jsonp);
  EXPECT_EQ(route->session_id, "2");
}

TEST(SockjsRoute, ServerAndSessionMayBeAnyValue) {
  for (const char* path :
       {"/a/a/xhr", "/_/_/xhr", "/1/1/xhr", "/abcdefgh_i-j%20/abcdefg_i-j%20/xhr"}) {
    EXPECT_EQ(kind_of(path), Kind::session) << path;
  }
}

TEST(SockjsRoute, EmptyOrDottedSegmentsAreNotFound) {
  for (const char* prefix : {"//", "/a./a", "/a/a.", "/./.", "/", "///"}) {
    const std::string path = std::string(prefix) + "/xhr";
    EXPECT_EQ(parse_route(path), std::nullopt) << path;
  }
}

TEST(SockjsRoute, EveryTransportIsRouted) {
  for (const char* name : {"websocket", "xhr", "xhr_send", "xhr_streaming", "eventsource",
                           "htmlfile", "jsonp", "jsonp_send"}) {
    const auto route = parse_route(std::string("/0/s/") + name);
    ASSERT_TRUE(route) << name;
    EXPECT_EQ(route->transport, transport_from_name(name));
  }
}

TEST(SockjsRoute, UnknownTransportOrExtraSegmentsAreNotFound) {
  for (const char* path :
       {"/a/a/foo", "/a/a/XHR", "/a/a/xhr/", "/a/a/xhr/x", "/a/b/c/xhr", "/a/a/"}) {
    EXPECT_EQ(parse_route(path), std::nullopt) << path;
  }
}

TEST(SockjsRoute, OverlongSessionIdIsNotFound) {
  const std::string id(kMaxSegmentLength + 1, 's');
  EXPECT_EQ(parse_route("/0/" + id + "/xhr"), std::nullopt);
  EXPECT_TRUE(parse_route("/0/" + id.substr(1) + "/xhr"));
}

TEST(SockjsSegment, ValidSegmentsAreNonEmptyDotlessAndBounded) {
  EXPECT_TRUE(valid_segment("a"));
  EXPECT_TRUE(valid_segment("6f1c7e2a-9d4b-4e63-8a51-0c2d3e4f5a6b"));
  EXPECT_TRUE(valid_segment(std::string(kMaxSegmentLength, 'x')));
  EXPECT_FALSE(valid_segment(""));
  EXPECT_FALSE(valid_segment("a.b"));
  EXPECT_FALSE(valid_segment("."));
  EXPECT_FALSE(valid_segment("a/b"));
  EXPECT_FALSE(valid_segment(std::string(kMaxSegmentLength + 1, 'x')));
}

// ---- the registry ----

TEST(SockjsRegistry, FindsWhatWasInsertedById) {
  Registry<int> registry;
  const auto [entry, inserted] = registry.try_emplace("abc", 7);
  EXPECT_TRUE(inserted);
  ASSERT_NE(entry, nullptr);
  EXPECT_EQ(*entry, 7);
  const std::string id = "abc";
  ASSERT_NE(registry.find(std::string_view(id)), nullptr);
  EXPECT_EQ(*registry.find("abc"), 7);
  EXPECT_EQ(registry.find("abd"), nullptr);
  EXPECT_EQ(registry.size(), 1u);
}

TEST(SockjsRegistry, ExistingIdIsNotReplaced) {
  Registry<std::unique_ptr<int>> registry;
  registry.try_emplace("s", std::make_unique<int>(1));
  const auto [entry, inserted] = registry.try_emplace("s", std::make_unique<int>(2));
  EXPECT_FALSE(inserted);
  EXPECT_EQ(**entry, 1);
}

TEST(SockjsRegistry, EraseRemovesOnlyThatId) {
  Registry<int> registry;
  registry.try_emplace("a", 1);
  registry.try_emplace("b", 2);
  EXPECT_TRUE(registry.erase("a"));
  EXPECT_FALSE(registry.erase("a"));
  EXPECT_EQ(registry.find("a"), nullptr);
  EXPECT_NE(registry.find("b"), nullptr);
}

TEST(SockjsRegistry, EraseIfSweepsMatchingEntries) {
  Registry<int> registry;
  for (int i = 0; i < 10; ++i) registry.try_emplace(std::to_string(i), i);
  const std::size_t removed =
      registry.erase_if([](std::string_view, const int& value) { return value % 2 == 0; });
  EXPECT_EQ(removed, 5u);
  EXPECT_EQ(registry.size(), 5u);
  EXPECT_EQ(registry.find("4"), nullptr);
  EXPECT_NE(registry.find("5"), nullptr);
}

TEST(SockjsRegistry, StartsEmpty) {
  const Registry<int> registry;
  EXPECT_TRUE(registry.empty());
  EXPECT_EQ(registry.find("x"), nullptr);
}

}  // namespace
}  // namespace parley::sockjs
