// SockJS 0.3.3 framing: the frames the server sends (o, h, a[...], c[code,"reason"]) and the
// payloads it receives (a JSON array of strings). Pure functions, no I/O.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace parley::sockjs {

// Close codes and reasons the protocol itself uses.
inline constexpr int kCloseGoAway = 3000;
inline constexpr int kCloseAnotherConnection = 2010;
inline constexpr int kCloseInterrupted = 1002;
inline constexpr std::string_view kReasonGoAway = "Go away!";
inline constexpr std::string_view kReasonAnotherConnection = "Another connection still open";
inline constexpr std::string_view kReasonInterrupted = "Connection interrupted";

// A JSON callback name, reflected into responses, is kept short and to identifier characters.
inline constexpr std::size_t kMaxCallbackLength = 64;

std::string_view open_frame();       // "o"
std::string_view heartbeat_frame();  // "h"
// c[3000,"Go away!"]
std::string close_frame(int code, std::string_view reason);
// a["m1","m2"]: every message quoted with quote().
std::string message_frame(std::span<const std::string> messages);

// A JSON string literal (with the quotes) for UTF-8 text, escaped the SockJS way: standard
// JSON escapes, plus \uXXXX for the code points browsers or proxies mangle (see framing.cpp).
// Code points above U+FFFF go out as escaped UTF-16 surrogate pairs, as sockjs-node does;
// each invalid UTF-8 sequence becomes \ufffd.
std::string quote(std::string_view utf8);
// Appends quote(utf8) to `out` without a temporary.
void append_quoted(std::string& out, std::string_view utf8);

// What a client sent on xhr_send / jsonp_send / a WebSocket message.
enum class PayloadStatus {
  ok,
  empty,   // nothing, or valid JSON that is not an array: answer "Payload expected."
  broken,  // not JSON, or an array with a non-string element: answer "Broken JSON encoding."
};

struct Payload {
  PayloadStatus status = PayloadStatus::empty;
  std::vector<std::string> messages;  // decoded UTF-8, only when status == ok
};

// The text the protocol answers a bad payload with (500 body); empty for ok.
std::string_view payload_error_text(PayloadStatus status);

// xhr_send / jsonp_send body: a JSON array of strings. `[]` is ok with no messages.
// Lone UTF-16 surrogate escapes (\ud800 without a partner) decode to U+FFFD; invalid UTF-8
// bytes inside strings also decode to U+FFFD, as a browser-side decoder would.
Payload decode_messages(std::string_view body);
// A WebSocket text message: a JSON array of strings or, as sockjs-node accepts, one JSON
// string. An empty message is `empty` and must be ignored, not answered.
Payload decode_websocket_message(std::string_view message);
// decode_messages() for callers that do not need the reason: nullopt unless ok.
std::optional<std::vector<std::string>> parse_messages(std::string_view body);

// The JSON text inside a jsonp_send body. A form post (application/x-www-form-urlencoded)
// carries it URL-encoded in field `d`; any other content type carries it raw.
// nullopt when there is nothing to decode ("Payload expected.").
std::optional<std::string> jsonp_payload(std::string_view content_type, std::string_view body);

// A `c` / `callback` query value that is safe to reflect as a JavaScript identifier path:
// 1..kMaxCallbackLength characters from [A-Za-z0-9_.].
bool valid_callback(std::string_view callback);

}  // namespace parley::sockjs
