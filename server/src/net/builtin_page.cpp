#include "net/builtin_page.hpp"

#include <array>
#include <cstdint>

namespace parley::net {
namespace {

// "HOST" placeholders sit in elements marked data-url; the script at the bottom fills in the
// scheme and host the browser actually used. The Host header is deliberately not substituted on
// the server: it is client-controlled and the page would become a reflection vector.
constexpr std::string_view kPage = R"html(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Parley</title>
<style>
  :root { color-scheme: light dark; --accent: #3b82f6; --muted: #6b7280; --code-bg: rgba(127,127,127,.12); }
  body { font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; }
  main { max-width: 46rem; margin: 0 auto; padding: 2.5rem 1.25rem 4rem; }
  h1 { font-size: 2rem; margin: 0 0 .25rem; }
  h1 span { color: var(--accent); }
  h2 { font-size: 1.1rem; margin: 2rem 0 .5rem; }
  .lead { color: var(--muted); margin: 0 0 1.5rem; }
  table { border-collapse: collapse; width: 100%; }
  td { padding: .35rem .5rem; border-bottom: 1px solid var(--code-bg); vertical-align: top; }
  td:first-child { white-space: nowrap; }
  code, pre { font: 14px/1.5 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
  code { background: var(--code-bg); padding: .1rem .3rem; border-radius: 4px; }
  pre { background: var(--code-bg); padding: 1rem; border-radius: 8px; overflow-x: auto; }
  a { color: var(--accent); }
  footer { margin-top: 2.5rem; color: var(--muted); font-size: .875rem; }
</style>
</head>
<body>
<main>
<h1><span>&#9679;</span> Parley</h1>
<p class="lead">A self-hosted video meeting server: browsers exchange WebRTC signaling
(offers, answers, ICE candidates) and chat through it over STOMP.</p>
<p>No web client is installed on this server, so you are looking at this built-in page.
Point <code>--web-root</code> at a client build to serve it here.</p>

<h2>Endpoints</h2>
<table>
<tr><td>STOMP over WebSocket</td><td><code data-url="ws">ws://HOST/ws</code></td></tr>
<tr><td>STOMP over SockJS</td><td><code data-url="http">http://HOST/stomp</code></td></tr>
<tr><td>Health</td><td><a href="/api/health"><code>/api/health</code></a></td></tr>
<tr><td>Metrics (Prometheus)</td><td><a href="/metrics"><code>/metrics</code></a></td></tr>
</table>

<h2>Rooms</h2>
<table>
<tr><td>SUBSCRIBE</td><td><code>/exchange/chat.exchange/room.&lt;key&gt;</code> &mdash; join a room's stream</td></tr>
<tr><td>SEND</td><td><code>/chat/room.&lt;key&gt;</code> &mdash; publish into the room</td></tr>
</table>
<p>Room keys are 1&ndash;64 characters of <code>A-Z a-z 0-9 _ -</code>. Messages are JSON with a
<code>type</code> of <code>join</code>, <code>message</code>, <code>offer</code>,
<code>answer</code>, <code>ice</code> or <code>leave</code>.</p>

<h2>Try it with <code>@stomp/stompjs</code></h2>
<pre><code>import { Client } from "@stomp/stompjs";

const room = "my-room", me = crypto.randomUUID();
const client = new Client({ brokerURL: "<span data-url="ws">ws://HOST/ws</span>" });
client.onConnect = () =&gt; {
  client.subscribe(`/exchange/chat.exchange/room.${room}`, (m) =&gt; console.log(JSON.parse(m.body)));
  client.publish({ destination: `/chat/room.${room}`,
                   body: JSON.stringify({ type: "join", from: me, nickname: "Ada" }) });
};
client.activate();</code></pre>

<footer>Parley &middot; STOMP 1.0&ndash;1.2 &middot; SockJS 0.3.3</footer>
</main>
<script>
  for (const el of document.querySelectorAll("[data-url]")) {
    const secure = location.protocol === "https:";
    const scheme = el.dataset.url === "ws" ? (secure ? "wss" : "ws") : (secure ? "https" : "http");
    el.textContent = el.textContent.replace(/^[a-z]+:\/\/HOST/, scheme + "://" + location.host);
  }
</script>
</body>
</html>
)html";

// FNV-1a: not cryptographic, only needs to change when the page does.
constexpr std::uint64_t fnv1a(std::string_view text) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (const char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

// "\"builtin-" + 16 hex digits + "\"", computed at compile time.
constexpr auto make_etag() {
  constexpr std::string_view prefix = "\"builtin-";
  std::array<char, prefix.size() + 16 + 1> out{};
  std::size_t i = 0;
  for (const char c : prefix) out[i++] = c;
  const std::uint64_t hash = fnv1a(kPage);
  for (int shift = 60; shift >= 0; shift -= 4) out[i++] = "0123456789abcdef"[(hash >> shift) & 0xf];
  out[i] = '"';
  return out;
}

constexpr auto kEtag = make_etag();

}  // namespace

std::string_view builtin_page_html() {
  return kPage;
}

std::string_view builtin_page_etag() {
  return {kEtag.data(), kEtag.size()};
}

}  // namespace parley::net
