// SockJS 0.3.3 transports: response wrapping, preludes, content types and the static
// endpoints, with the exact bytes the sockjs-protocol test suite expects.
#include "sockjs/transports.hpp"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

#include <string>
#include <vector>

#include "sockjs/framing.hpp"

namespace parley::sockjs {
namespace {

constexpr std::string_view kHtmlfileHead =
    "<!doctype html>\n"
    "<html><head>\n"
    "  <meta http-equiv=\"X-UA-Compatible\" content=\"IE=edge\" />\n"
    "  <meta http-equiv=\"Content-Type\" content=\"text/html; charset=UTF-8\" />\n"
    "</head><body><h2>Don't panic!</h2>\n"
    "  <script>\n"
    "    document.domain = document.domain;\n"
    "    var c = parent.callback;\n"
    "    c.start();\n"
    "    function p(d) {c.message(d);};\n"
    "    window.onload = function() {c.stop();};\n"
    "  </script>";

std::string_view strip(std::string_view s) {
  const auto space = [](char c) { return c == ' ' || c == '\r' || c == '\n' || c == '\t'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

// ---- xhr and xhr_streaming ----

TEST(SockjsTransports, XhrFramesEndWithNewline) {
  EXPECT_EQ(xhr_frame("o"), "o\n");
  EXPECT_EQ(xhr_frame(R"(a["x"])"), "a[\"x\"]\n");
  EXPECT_EQ(wrap_frame(Transport::xhr, "o"), "o\n");
  EXPECT_EQ(wrap_frame(Transport::xhr_streaming, "h"), "h\n");
}

TEST(SockjsTransports, XhrStreamingPreludeIs2048HsAndNewline) {
  const std::string p = xhr_streaming_prelude();
  ASSERT_EQ(p.size(), 2049u);
  EXPECT_EQ(p, std::string(2048, 'h') + "\n");
  EXPECT_EQ(prelude(Transport::xhr_streaming), p);
}

// ---- eventsource ----

TEST(SockjsTransports, EventsourcePreludeIsCrlf) {
  EXPECT_EQ(eventsource_prelude(), "\r\n");
  EXPECT_EQ(prelude(Transport::eventsource), "\r\n");
}

TEST(SockjsTransports, EventsourceFramesAreDataLines) {
  EXPECT_EQ(eventsource_frame("o"), "data: o\r\n\r\n");
  EXPECT_EQ(wrap_frame(Transport::eventsource, R"(a["  \u0000\n\r "])"),
            "data: a[\"  \\u0000\\n\\r \"]\r\n\r\n");
}

// ---- htmlfile ----

TEST(SockjsTransports, HtmlfilePreludeIsThePageWithTheCallback) {
  const std::string p = htmlfile_prelude("callback");
  EXPECT_EQ(strip(p), kHtmlfileHead);
  EXPECT_EQ(prelude(Transport::htmlfile, "callback"), p);
}

TEST(SockjsTransports, HtmlfilePreludeIsPaddedPast1024Bytes) {
  EXPECT_GT(htmlfile_prelude("c").size(), 1024u);
  EXPECT_GT(htmlfile_prelude("callback").size(), 1024u);
  EXPECT_TRUE(htmlfile_prelude("c").ends_with("\r\n\r\n"));
}

TEST(SockjsTransports, HtmlfilePreludeGrowsWithALongCallback) {
  const std::string callback(kMaxCallbackLength, 'a');
  const std::string p = htmlfile_prelude(callback);
  EXPECT_NE(p.find("var c = parent." + callback + ";"), std::string::npos);
  EXPECT_GT(p.size(), 1024u);
}

TEST(SockjsTransports, HtmlfileFramesAreScriptCalls) {
  EXPECT_EQ(htmlfile_frame("o"), "<script>\np(\"o\");\n</script>\r\n");
  EXPECT_EQ(wrap_frame(Transport::htmlfile, R"(a["x"])"),
            "<script>\np(\"a[\\\"x\\\"]\");\n</script>\r\n");
}

TEST(SockjsTransports, HtmlfileFrameCannotEndTheScriptEarly) {
  const std::vector<std::string> batch{"</script><script>alert(1)</script>"};
  const std::string chunk = htmlfile_frame(message_frame(batch));
  EXPECT_EQ(chunk.find("</script>"), chunk.rfind("</script>"));  // only our own trailer
  EXPECT_EQ(chunk.find("<script>alert"), std::string::npos);
}

// ---- jsonp ----

TEST(SockjsTransports, JsonpFramesCallTheCallbackAfterAComment) {
  EXPECT_EQ(jsonp_frame("callback", "o"), "/**/callback(\"o\");\r\n");
  EXPECT_EQ(wrap_frame(Transport::jsonp, R"(a["x"])", "x"), "/**/x(\"a[\\\"x\\\"]\");\r\n");
  EXPECT_EQ(jsonp_frame("x", close_frame(3000, "Go away!")),
            "/**/x(\"c[3000,\\\"Go away!\\\"]\");\r\n");
}

TEST(SockjsTransports, WebsocketFramesAreSentAsIs) {
  EXPECT_EQ(wrap_frame(Transport::websocket, "o"), "o");
  EXPECT_EQ(prelude(Transport::websocket), "");
}

TEST(SockjsTransports, PollingTransportsHaveNoPrelude) {
  EXPECT_EQ(prelude(Transport::xhr), "");
  EXPECT_EQ(prelude(Transport::jsonp, "cb"), "");
}

// ---- transport properties ----

TEST(SockjsTransports, ContentTypesMatchTheProtocol) {
  EXPECT_EQ(content_type(Transport::xhr), "application/javascript; charset=UTF-8");
  EXPECT_EQ(content_type(Transport::xhr_streaming), "application/javascript; charset=UTF-8");
  EXPECT_EQ(content_type(Transport::jsonp), "application/javascript; charset=UTF-8");
  EXPECT_EQ(content_type(Transport::xhr_send), "text/plain; charset=UTF-8");
  EXPECT_EQ(content_type(Transport::jsonp_send), "text/plain; charset=UTF-8");
  EXPECT_EQ(content_type(Transport::eventsource), "text/event-stream; charset=UTF-8");
  EXPECT_EQ(content_type(Transport::htmlfile), "text/html; charset=UTF-8");
  EXPECT_EQ(content_type(Transport::websocket), "");
}

TEST(SockjsTransports, NamesRoundTrip) {
  for (const char* name : {"websocket", "xhr", "xhr_send", "xhr_streaming", "eventsource",
                           "htmlfile", "jsonp", "jsonp_send"}) {
    const auto t = transport_from_name(name);
    ASSERT_TRUE(t) << name;
    EXPECT_EQ(transport_name(*t), name);
  }
  EXPECT_FALSE(transport_from_name("XHR"));
  EXPECT_FALSE(transport_from_name("xhr_polling"));
  EXPECT_FALSE(transport_from_name(""));
}

TEST(SockjsTransports, ReceiverKindsFollowTheTransport) {
  EXPECT_EQ(receiver_kind(Transport::xhr), ReceiverKind::polling);
  EXPECT_EQ(receiver_kind(Transport::jsonp), ReceiverKind::polling);
  EXPECT_EQ(receiver_kind(Transport::xhr_streaming), ReceiverKind::streaming);
  EXPECT_EQ(receiver_kind(Transport::eventsource), ReceiverKind::streaming);
  EXPECT_EQ(receiver_kind(Transport::htmlfile), ReceiverKind::streaming);
  EXPECT_EQ(receiver_kind(Transport::websocket), ReceiverKind::websocket);
  EXPECT_EQ(receiver_kind(Transport::xhr_send), std::nullopt);
  EXPECT_EQ(receiver_kind(Transport::jsonp_send), std::nullopt);
}

TEST(SockjsTransports, OnlyHtmlfileAndJsonpNeedACallback) {
  EXPECT_TRUE(needs_callback(Transport::htmlfile));
  EXPECT_TRUE(needs_callback(Transport::jsonp));
  EXPECT_FALSE(needs_callback(Transport::xhr));
  EXPECT_FALSE(needs_callback(Transport::jsonp_send));
}

// ---- static endpoints ----

TEST(SockjsEndpoints, GreetingIsWelcomeToSockjs) {
  EXPECT_EQ(greeting(), "Welcome to SockJS!\n");
  EXPECT_EQ(greeting().size(), 19u);
}

TEST(SockjsEndpoints, InfoReportsCapabilitiesAndEntropy) {
  const auto info = boost::json::parse(info_json(true, false, 4294967295u)).as_object();
  EXPECT_EQ(info.at("websocket"), true);
  EXPECT_EQ(info.at("cookie_needed"), false);
  EXPECT_EQ(info.at("origins"), boost::json::parse(R"(["*:*"])"));
  EXPECT_EQ(info.at("entropy").to_number<std::uint64_t>(), 4294967295u);
}

TEST(SockjsEndpoints, InfoReportsDisabledWebsocketAndCookieNeeded) {
  const auto info = boost::json::parse(info_json(false, true, 7)).as_object();
  EXPECT_EQ(info.at("websocket"), false);
  EXPECT_EQ(info.at("cookie_needed"), true);
  EXPECT_EQ(info.at("entropy").to_number<std::uint64_t>(), 7u);
}

TEST(SockjsEndpoints, IframePageLoadsTheClientLibrary) {
  const std::string page = iframe_html("https://cdn.example/sockjs-0.3.4.min.js");
  EXPECT_EQ(page,
            "<!DOCTYPE html>\n"
            "<html>\n"
            "<head>\n"
            "  <meta http-equiv=\"X-UA-Compatible\" content=\"IE=edge\" />\n"
            "  <meta http-equiv=\"Content-Type\" content=\"text/html; charset=UTF-8\" />\n"
            "  <script>\n"
            "    document.domain = document.domain;\n"
            "    _sockjs_onload = function(){SockJS.bootstrap_iframe();};\n"
            "  </script>\n"
            "  <script src=\"https://cdn.example/sockjs-0.3.4.min.js\"></script>\n"
            "</head>\n"
            "<body>\n"
            "  <h2>Don't panic!</h2>\n"
            "  <p>This is a SockJS hidden iframe. It's used for cross domain magic.</p>\n"
            "</body>\n"
            "</html>");
}

TEST(SockjsEndpoints, IframeClientUrlIsAttributeEscaped) {
  const std::string page = iframe_html("/s.js?a=1&b=\"><x>");
  EXPECT_NE(page.find("src=\"/s.js?a=1&amp;b=&quot;&gt;&lt;x&gt;\""), std::string::npos);
}

TEST(SockjsEndpoints, IframeEtagIsQuotedAndStable) {
  const std::string page = iframe_html("/sockjs.js");
  const std::string tag = iframe_etag(page);
  EXPECT_EQ(tag, iframe_etag(iframe_html("/sockjs.js")));
  ASSERT_GE(tag.size(), 3u);
  EXPECT_EQ(tag.front(), '"');
  EXPECT_EQ(tag.back(), '"');
  EXPECT_FALSE(tag.starts_with("W/"));
}

TEST(SockjsEndpoints, IframeEtagChangesWithThePage) {
  EXPECT_NE(iframe_etag(iframe_html("/a.js")), iframe_etag(iframe_html("/b.js")));
}

}  // namespace
}  // namespace parley::sockjs
