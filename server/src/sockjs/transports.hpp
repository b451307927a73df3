// SockJS 0.3.3 transports: how each one wraps frames into HTTP response bytes, its content
// type and prelude, plus the static endpoints (greeting, /info, /iframe.html). Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "sockjs/session.hpp"

namespace parley::sockjs {

// The last path segment of a session URL: /<server>/<session>/<transport>.
enum class Transport {
  websocket,
  xhr,
  xhr_send,
  xhr_streaming,
  eventsource,
  htmlfile,
  jsonp,
  jsonp_send,
};

std::optional<Transport> transport_from_name(std::string_view name);
std::string_view transport_name(Transport transport);
// How a receiving transport behaves in a Session; nullopt for xhr_send and jsonp_send.
std::optional<ReceiverKind> receiver_kind(Transport transport);
// htmlfile and jsonp need a `c` (or `callback`) query parameter.
bool needs_callback(Transport transport);

inline constexpr std::string_view kContentTypeText = "text/plain; charset=UTF-8";
inline constexpr std::string_view kContentTypeJavascript = "application/javascript; charset=UTF-8";
inline constexpr std::string_view kContentTypeJson = "application/json; charset=UTF-8";
inline constexpr std::string_view kContentTypeHtml = "text/html; charset=UTF-8";
inline constexpr std::string_view kContentTypeEventStream = "text/event-stream; charset=UTF-8";

// The Content-Type of the transport's HTTP response; empty for websocket.
std::string_view content_type(Transport transport);

// Bytes written once at the start of a streaming response, before any frame.
std::string xhr_streaming_prelude();     // 2048 'h' and "\n": IE buffers the first 2 KiB
std::string_view eventsource_prelude();  // "\r\n": an Opera quirk
// The htmlfile page that calls back into the parent frame, padded past 1024 bytes so
// Safari starts rendering it.
std::string htmlfile_prelude(std::string_view callback);
// The prelude for any transport; empty when it has none. `callback` is used by htmlfile.
std::string prelude(Transport transport, std::string_view callback = {});

// One frame, wrapped for the transport's response body.
std::string xhr_frame(std::string_view frame);          // frame "\n"
std::string eventsource_frame(std::string_view frame);  // "data: " frame "\r\n\r\n"
std::string htmlfile_frame(std::string_view frame);     // <script>\np("frame");\n</script>\r\n
std::string jsonp_frame(std::string_view callback, std::string_view frame);  // /**/cb("frame");
std::string wrap_frame(Transport transport, std::string_view frame, std::string_view callback = {});

// The body of jsonp_send's 200 answer (Konqueror mishandles 204).
inline constexpr std::string_view kJsonpSendOk = "ok";
inline constexpr std::string_view kCallbackRequired = "\"callback\" parameter required";
inline constexpr std::string_view kCallbackInvalid = "invalid \"callback\" parameter";

// GET <prefix> and <prefix>/
std::string_view greeting();  // "Welcome to SockJS!\n"
// GET <prefix>/iframe*.html: loads the SockJS client from `sockjs_client_url`.
std::string iframe_html(std::string_view sockjs_client_url);
// A strong, quoted ETag for the iframe page: the same page always gets the same tag.
std::string iframe_etag(std::string_view html);
// GET <prefix>/info
std::string info_json(bool websocket, bool cookie_needed, std::uint32_t entropy);

}  // namespace parley::sockjs
