#include "sockjs/transports.hpp"

#include <array>
#include <utility>

#include "sockjs/framing.hpp"

namespace parley::sockjs {
namespace {

constexpr std::array<std::pair<std::string_view, Transport>, 8> kTransportNames{{
    {"websocket", Transport::websocket},
    {"xhr", Transport::xhr},
    {"xhr_send", Transport::xhr_send},
    {"xhr_streaming", Transport::xhr_streaming},
    {"eventsource", Transport::eventsource},
    {"htmlfile", Transport::htmlfile},
    {"jsonp", Transport::jsonp},
    {"jsonp_send", Transport::jsonp_send},
}};

constexpr std::size_t kXhrStreamingPreludeHs = 2048;
constexpr std::size_t kHtmlfileMinPrelude = 1024;

// The page text is fixed by the protocol (its test suite compares it byte for byte).
constexpr std::string_view kHtmlfileHead =
    "<!doctype html>\n"
    "<html><head>\n"
    "  <meta http-equiv=\"X-UA-Compatible\" content=\"IE=edge\" />\n"
    "  <meta http-equiv=\"Content-Type\" content=\"text/html; charset=UTF-8\" />\n"
    "</head><body><h2>Don't panic!</h2>\n"
    "  <script>\n"
    "    document.domain = document.domain;\n"
    "    var c = parent.";
constexpr std::string_view kHtmlfileTail =
    ";\n"
    "    c.start();\n"
    "    function p(d) {c.message(d);};\n"
    "    window.onload = function() {c.stop();};\n"
    "  </script>\n";

constexpr std::string_view kIframeHead =
    "<!DOCTYPE html>\n"
    "<html>\n"
    "<head>\n"
    "  <meta http-equiv=\"X-UA-Compatible\" content=\"IE=edge\" />\n"
    "  <meta http-equiv=\"Content-Type\" content=\"text/html; charset=UTF-8\" />\n"
    "  <script>\n"
    "    document.domain = document.domain;\n"
    "    _sockjs_onload = function(){SockJS.bootstrap_iframe();};\n"
    "  </script>\n"
    "  <script src=\"";
constexpr std::string_view kIframeTail =
    "\"></script>\n"
    "</head>\n"
    "<body>\n"
    "  <h2>Don't panic!</h2>\n"
    "  <p>This is a SockJS hidden iframe. It's used for cross domain magic.</p>\n"
    "</body>\n"
    "</html>";

// The frame as a JavaScript string literal. '<', '>' and '&' are escaped too, so a message
// containing "</script>" cannot end the htmlfile script block early.
std::string script_string(std::string_view frame) {
  const std::string quoted = quote(frame);
  std::string out;
  out.reserve(quoted.size() + 8);
  for (const char c : quoted) {
    switch (c) {
      case '<':
        out += "\\u003c";
        break;
      case '>':
        out += "\\u003e";
        break;
      case '&':
        out += "\\u0026";
        break;
      default:
        out += c;
    }
  }
  return out;
}

void append_html_attribute(std::string& out, std::string_view value) {
  for (const char c : value) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      default:
        out += c;
    }
  }
}

}  // namespace

std::optional<Transport> transport_from_name(std::string_view name) {
  for (const auto& [text, transport] : kTransportNames) {
    if (text == name) return transport;
  }
  return std::nullopt;
}

std::string_view transport_name(Transport transport) {
  for (const auto& [text, t] : kTransportNames) {
    if (t == transport) return text;
  }
  return {};
}

std::optional<ReceiverKind> receiver_kind(Transport transport) {
  switch (transport) {
    case Transport::websocket:
      return ReceiverKind::websocket;
    case Transport::xhr:
    case Transport::jsonp:
      return ReceiverKind::polling;
    case Transport::xhr_streaming:
    case Transport::eventsource:
    case Transport::htmlfile:
      return ReceiverKind::streaming;
    case Transport::xhr_send:
    case Transport::jsonp_send:
      return std::nullopt;
  }
  return std::nullopt;
}

bool needs_callback(Transport transport) {
  return transport == Transport::htmlfile || transport == Transport::jsonp;
}

std::string_view content_type(Transport transport) {
  switch (transport) {
    case Transport::websocket:
      return {};
    case Transport::xhr:
    case Transport::xhr_streaming:
    case Transport::jsonp:
      return kContentTypeJavascript;
    case Transport::xhr_send:
    case Transport::jsonp_send:
      return kContentTypeText;
    case Transport::eventsource:
      return kContentTypeEventStream;
    case Transport::htmlfile:
      return kContentTypeHtml;
  }
  return {};
}

std::string xhr_streaming_prelude() {
  std::string prelude(kXhrStreamingPreludeHs, 'h');
  prelude += '\n';
  return prelude;
}

std::string_view eventsource_prelude() {
  return "\r\n";
}

std::string htmlfile_prelude(std::string_view callback) {
  std::string page;
  page.reserve(kHtmlfileMinPrelude + 4);
  page += kHtmlfileHead;
  page += callback;
  page += kHtmlfileTail;
  if (page.size() < kHtmlfileMinPrelude) page.append(kHtmlfileMinPrelude - page.size(), ' ');
  page += "\r\n\r\n";
  return page;
}

std::string prelude(Transport transport, std::string_view callback) {
  switch (transport) {
    case Transport::xhr_streaming:
      return xhr_streaming_prelude();
    case Transport::eventsource:
      return std::string(eventsource_prelude());
    case Transport::htmlfile:
      return htmlfile_prelude(callback);
    default:
      return {};
  }
}

std::string xhr_frame(std::string_view frame) {
  std::string out;
  out.reserve(frame.size() + 1);
  out += frame;
  out += '\n';
  return out;
}

std::string eventsource_frame(std::string_view frame) {
  std::string out;
  out.reserve(frame.size() + 10);
  out += "data: ";
  out += frame;
  out += "\r\n\r\n";
  return out;
}

std::string htmlfile_frame(std::string_view frame) {
  std::string out = "<script>\np(";
  out += script_string(frame);
  out += ");\n</script>\r\n";
  return out;
}

std::string jsonp_frame(std::string_view callback, std::string_view frame) {
  // The leading comment defeats the Rosetta Flash JSONP attack (sockjs-node #163).
  std::string out = "/**/";
  out += callback;
  out += '(';
  out += script_string(frame);
  out += ");\r\n";
  return out;
}

std::string wrap_frame(Transport transport, std::string_view frame, std::string_view callback) {
  switch (transport) {
    case Transport::xhr:
    case Transport::xhr_streaming:
      return xhr_frame(frame);
    case Transport::eventsource:
      return eventsource_frame(frame);
    case Transport::htmlfile:
      return htmlfile_frame(frame);
    case Transport::jsonp:
      return jsonp_frame(callback, frame);
    case Transport::websocket:
    case Transport::xhr_send:
    case Transport::jsonp_send:
      return std::string(frame);
  }
  return std::string(frame);
}

std::string_view greeting() {
  return "Welcome to SockJS!\n";
}

std::string iframe_html(std::string_view sockjs_client_url) {
  std::string page;
  page.reserve(kIframeHead.size() + sockjs_client_url.size() + kIframeTail.size());
  page += kIframeHead;
  append_html_attribute(page, sockjs_client_url);
  page += kIframeTail;
  return page;
}

std::string iframe_etag(std::string_view html) {
  // FNV-1a, 64 bit: the tag only has to change when the page does.
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (const char c : html) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ULL;
  }
  static constexpr std::string_view kHex = "0123456789abcdef";
  std::string tag = "\"";
  for (int shift = 60; shift >= 0; shift -= 4) tag += kHex[(hash >> shift) & 0xF];
  tag += '"';
  return tag;
}

std::string info_json(bool websocket, bool cookie_needed, std::uint32_t entropy) {
  std::string json = "{\"websocket\":";
  json += websocket ? "true" : "false";
  json += ",\"origins\":[\"*:*\"],\"cookie_needed\":";
  json += cookie_needed ? "true" : "false";
  json += ",\"entropy\":";
  json += std::to_string(entropy);
  json += '}';
  return json;
}

}  // namespace parley::sockjs
