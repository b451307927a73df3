#include "app/config.hpp"

#include "app/access_config.hpp"

#include <spdlog/spdlog.h>

#include <unistd.h>
#include <CLI/CLI.hpp>
#include <boost/asio/ip/address.hpp>

#include <cctype>
#include <cstdio>
#include <filesystem>
#include <random>
#include <thread>

namespace parley::app {

namespace {

// The web client's build, when parley runs from a checkout.
std::string default_web_root() {
  for (const char* candidate : {"web/dist", "../web/dist", "/usr/share/parley/web"}) {
    std::error_code ec;
    if (std::filesystem::is_regular_file(std::filesystem::path(candidate) / "index.html", ec)) {
      return candidate;
    }
  }
  return "";
}

// host name (made safe for a queue name) and 6 random hex digits.
std::string default_node_id() {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0) std::snprintf(host, sizeof host, "parley");
  std::string id;
  for (const char* c = host; *c != '\0' && id.size() < 64; ++c) {
    const bool ok =
        std::isalnum(static_cast<unsigned char>(*c)) || *c == '.' || *c == '-' || *c == '_';
    id += ok ? *c : '-';
  }
  if (id.empty()) id = "parley";
  std::random_device random;
  return fmt::format("{}-{:06x}", id, random() & 0xFFFFFFu);
}

}  // namespace

std::optional<int> parse(int argc, char** argv, Config& config) {
  CLI::App app{
      "parley: a self-hosted video meeting server. STOMP 1.0-1.2 over WebSocket (/ws, "
      "/stomp/websocket) with room signaling for WebRTC, an embedded broker, /api/health and "
      "/metrics.\nEvery option can also be set with the environment variable shown."};
  app.set_version_flag("--version", "parley " PARLEY_VERSION);

  std::uint32_t hb_send = config.stomp.heartbeat_send.count();
  std::vector<std::string> trusted_proxies{"127.0.0.1", "::1"};
  std::uint32_t http_idle = static_cast<std::uint32_t>(config.net.http_idle_timeout.count());
  std::uint32_t hb_recv = config.stomp.heartbeat_recv.count();
  std::uint32_t connect_timeout = config.stomp.connect_timeout.count();
  std::uint32_t handshake_timeout = config.net.handshake_timeout.count();
  std::uint32_t ws_idle = config.net.ws_idle_timeout.count();
  std::uint32_t history_ttl = config.broker.rooms.history_ttl.count();
  std::uint32_t sockjs_heartbeat = config.sockjs.session.heartbeat_interval.count();
  std::uint32_t sockjs_disconnect = config.sockjs.session.disconnect_delay.count();
#ifdef PARLEY_SOCKJS_CLIENT_JS
  if (config.sockjs.client_file.empty()) config.sockjs.client_file = PARLEY_SOCKJS_CLIENT_JS;
#endif

  app.add_option("--bind", config.bind, "Address to listen on")
      ->envname("PARLEY_BIND")
      ->capture_default_str();
  app.add_option(
         "--port", config.port,
         "TCP port for HTTP and WebSocket, or HTTPS and WSS with --tls-cert (0: pick a free one)")
      ->envname("PARLEY_PORT")
      ->capture_default_str();
  auto* tls_cert =
      app.add_option("--tls-cert", config.tls_cert,
                     "PEM certificate chain (server certificate first). With --tls-key, --port "
                     "serves HTTPS and WSS only (TLS 1.2+); SIGHUP reloads both files")
          ->envname("PARLEY_TLS_CERT");
  auto* tls_key = app.add_option("--tls-key", config.tls_key,
                                 "PEM private key of --tls-cert (unencrypted); both or neither")
                      ->envname("PARLEY_TLS_KEY");
  tls_cert->needs(tls_key);
  tls_key->needs(tls_cert);
  app.add_option("--http-redirect-port", config.http_redirect_port,
                 "Also listen for plain HTTP on this port and answer every request with a 301 to "
                 "https://<host>:<--port><target> (needs --tls-cert; 0: off)")
      ->envname("PARLEY_HTTP_REDIRECT_PORT")
      ->needs(tls_cert)
      ->capture_default_str();
  app.add_option("--threads", config.threads,
                 "I/O threads (0: one per CPU core). With 1, writes are corked: the frames for "
                 "a connection made while the thread handles what is ready leave in one write "
                 "(the fastest setting per core; run one process per core to use more)")
      ->envname("PARLEY_THREADS")
      ->capture_default_str();
  app.add_option("--web-root", config.web_root,
                 "Directory of the web client build served at / (default: web/dist if present, "
                 "else a built-in page)")
      ->envname("PARLEY_WEB_ROOT");
  app.add_option("--log-level", config.log_level, "trace, debug, info, warn, error or off")
      ->envname("PARLEY_LOG_LEVEL")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}))
      ->capture_default_str();
  app.add_option("--log-file", config.log_file,
                 "Also append logs to this file (checked writable at start: exit 2 if not)")
      ->envname("PARLEY_LOG_FILE");

  app.add_option("--max-frame-bytes", config.stomp.parser.max_frame_bytes,
                 "Largest STOMP frame accepted (command + headers + body); larger: ERROR")
      ->envname("PARLEY_MAX_FRAME_BYTES")
      ->check(CLI::Range(1024, 16 * 1024 * 1024))
      ->capture_default_str();
  app.add_option("--max-headers", config.stomp.parser.max_header_count,
                 "Headers per STOMP frame; more: ERROR")
      ->envname("PARLEY_MAX_HEADERS")
      ->check(CLI::Range(std::size_t{8}, std::size_t{1024}))
      ->capture_default_str();
  app.add_option("--max-header-line", config.stomp.parser.max_header_line,
                 "Bytes in one STOMP header line (name:value); longer: ERROR")
      ->envname("PARLEY_MAX_HEADER_LINE")
      ->check(CLI::Range(std::size_t{256}, std::size_t{1} << 20))
      ->capture_default_str();
  app.add_option("--max-connections", config.net.max_connections,
                 "Open TCP connections on this node, all clients together; more are closed at "
                 "once (HTTP gets 503). Keep it below the open-files limit (ulimit -n)")
      ->envname("PARLEY_MAX_CONNECTIONS")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 24))
      ->capture_default_str();
  app.add_option("--max-connections-per-ip", config.net.max_connections_per_ip,
                 "Open TCP connections from one client address (0: no limit); --trusted-proxy "
                 "addresses are exempt")
      ->envname("PARLEY_MAX_CONNECTIONS_PER_IP")
      ->capture_default_str();
  app.add_option("--trusted-proxy", trusted_proxies,
                 "Address of a reverse proxy in front of parley: exempt from the per-address "
                 "limits, and its X-Forwarded-For (last entry) names the client for SockJS "
                 "session limits. Repeatable")
      ->envname("PARLEY_TRUSTED_PROXY")
      ->delimiter(',')
      ->capture_default_str();
  app.add_option("--max-subscriptions", config.stomp.max_subscriptions,
                 "Subscriptions per STOMP session")
      ->envname("PARLEY_MAX_SUBSCRIPTIONS")
      ->capture_default_str();
  app.add_option("--rate-limit", config.stomp.rate_limit,
                 "SEND frames per second per session, bursts up to twice that (0: unlimited)")
      ->envname("PARLEY_RATE_LIMIT")
      ->capture_default_str();
  app.add_option("--max-members", config.broker.rooms.max_members, "Members per room")
      ->envname("PARLEY_MAX_MEMBERS")
      ->capture_default_str();
  app.add_option("--max-rooms", config.broker.rooms.max_rooms, "Live rooms on this node")
      ->envname("PARLEY_MAX_ROOMS")
      ->capture_default_str();
  app.add_option("--max-rooms-per-session", config.broker.rooms.max_rooms_per_session,
                 "Rooms one STOMP session may be in at once")
      ->envname("PARLEY_MAX_ROOMS_PER_SESSION")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1024}))
      ->capture_default_str();
  app.add_option("--history-size", config.broker.rooms.history_size,
                 "Chat messages kept per room for x-history replay (0: none)")
      ->envname("PARLEY_HISTORY_SIZE")
      ->capture_default_str();
  app.add_option("--history-ttl-s", history_ttl, "Seconds a chat message stays in history")
      ->envname("PARLEY_HISTORY_TTL_S")
      ->capture_default_str();
  app.add_option("--max-queue-depth", config.broker.max_queue_depth,
                 "Messages a /queue/ destination holds while it has no consumer")
      ->envname("PARLEY_MAX_QUEUE_DEPTH")
      ->capture_default_str();
  app.add_option("--max-unacked", config.broker.max_unacked,
                 "Default prefetch: unacked messages per client-ack subscription")
      ->envname("PARLEY_MAX_UNACKED")
      ->capture_default_str();
  app.add_option("--max-outbound-bytes", config.net.max_outbound_bytes,
                 "Bytes queued for one slow client before it is disconnected")
      ->envname("PARLEY_MAX_OUTBOUND_BYTES")
      ->capture_default_str();
  app.add_option("--heartbeat-send-ms", hb_send,
                 "Shortest interval at which the server offers to send heart-beats (0: never)")
      ->envname("PARLEY_HEARTBEAT_SEND_MS")
      ->capture_default_str();
  app.add_option("--heartbeat-recv-ms", hb_recv,
                 "Interval at which the server wants client heart-beats (0: don't check); a "
                 "client silent for twice the negotiated interval is dropped")
      ->envname("PARLEY_HEARTBEAT_RECV_MS")
      ->capture_default_str();
  app.add_option("--heartbeat-grace", config.stomp.heartbeat_grace,
                 "Multiple of the negotiated client interval tolerated before dropping")
      ->envname("PARLEY_HEARTBEAT_GRACE")
      ->check(CLI::Range(1.0, 10.0))
      ->capture_default_str();
  app.add_option("--connect-timeout-ms", connect_timeout,
                 "Time a WebSocket may stay open without sending CONNECT")
      ->envname("PARLEY_CONNECT_TIMEOUT_MS")
      ->capture_default_str();
  app.add_option("--handshake-timeout-ms", handshake_timeout,
                 "Time a new connection has for its TLS handshake, then for its first whole HTTP "
                 "request (or WebSocket upgrade)")
      ->envname("PARLEY_HANDSHAKE_TIMEOUT_MS")
      ->capture_default_str();
  app.add_option("--http-idle-timeout-s", http_idle,
                 "Seconds a keep-alive HTTP connection may take to send its next whole request")
      ->envname("PARLEY_HTTP_IDLE_TIMEOUT_S")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  app.add_option("--ws-idle-timeout-s", ws_idle,
                 "A WebSocket peer silent for this long is dropped; a ping goes out halfway, so a "
                 "live peer always answers in time")
      ->envname("PARLEY_WS_IDLE_TIMEOUT_S")
      ->capture_default_str();
  app.add_option("--shutdown-timeout-ms", config.shutdown_timeout_ms,
                 "On SIGINT/SIGTERM, time given to sessions to receive their ERROR and close")
      ->envname("PARLEY_SHUTDOWN_TIMEOUT_MS")
      ->capture_default_str();

  std::uint32_t turn_ttl = config.ice.ttl.count();
  app.add_option("--stun-uri", config.ice.stun_uris,
                 "STUN server for /api/ice-servers, e.g. stun:turn.example.org:3478 (repeatable)")
      ->envname("PARLEY_STUN_URI")
      ->delimiter(',');
  app.add_option("--turn-uri", config.ice.turn_uris,
                 "TURN server for /api/ice-servers, e.g. turn:turn.example.org:3478?transport=udp "
                 "(repeatable); needs --turn-secret")
      ->envname("PARLEY_TURN_URI")
      ->delimiter(',');
  app.add_option("--turn-secret", config.ice.turn_secret,
                 "coturn's static-auth-secret (use-auth-secret): TURN credentials are "
                 "'<expiry>:<member>' / base64(HMAC-SHA1(secret, username))")
      ->envname("PARLEY_TURN_SECRET");
  app.add_option("--turn-ttl-s", turn_ttl, "Lifetime of the TURN credentials handed out")
      ->envname("PARLEY_TURN_TTL_S")
      ->check(CLI::Range(60u, 7u * 24u * 3600u))
      ->capture_default_str();
  app.add_option("--allowed-origin", config.net.allowed_origins,
                 "Web origin allowed to open signaling connections (WebSocket, SockJS), e.g. "
                 "https://meet.example.org; repeatable; '*' allows any. Default: the server's own "
                 "origin and localhost on any port. Clients that send no Origin always pass")
      ->envname("PARLEY_ALLOWED_ORIGIN")
      ->delimiter(',');
  app.add_option("--max-http-header", config.net.max_http_header,
                 "Bytes of HTTP request line and headers; more: 413 and close")
      ->envname("PARLEY_MAX_HTTP_HEADER")
      ->check(CLI::Range(std::size_t{1024}, std::size_t{1} << 20))
      ->capture_default_str();
  app.add_option("--max-http-body", config.net.max_http_body,
                 "Largest HTTP request body (SockJS xhr_send/jsonp_send); larger: 413")
      ->envname("PARLEY_MAX_HTTP_BODY")
      ->check(CLI::Range(std::size_t{1024}, std::size_t{64} << 20))
      ->capture_default_str();
  app.add_flag("--sockjs-websocket,!--no-sockjs-websocket", config.sockjs.websocket,
               "Offer SockJS's websocket transport under /stomp (off: clients fall back to the "
               "HTTP transports, for testing them)")
      ->envname("PARLEY_SOCKJS_WEBSOCKET")
      ->capture_default_str();
  app.add_flag("--sockjs-cookie-needed", config.sockjs.cookie_needed,
               "Tell SockJS clients cookie_needed:true and set a JSESSIONID cookie (for load "
               "balancers that route by it)")
      ->envname("PARLEY_SOCKJS_COOKIE_NEEDED")
      ->capture_default_str();
  app.add_option("--sockjs-heartbeat-ms", sockjs_heartbeat,
                 "Interval of SockJS 'h' frames on an otherwise silent receiving connection")
      ->envname("PARLEY_SOCKJS_HEARTBEAT_MS")
      ->check(CLI::Range(100u, 3600000u))
      ->capture_default_str();
  app.add_option("--sockjs-disconnect-delay-ms", sockjs_disconnect,
                 "A SockJS session with no receiving connection for this long ends (room leave)")
      ->envname("PARLEY_SOCKJS_DISCONNECT_DELAY_MS")
      ->check(CLI::Range(100u, 3600000u))
      ->capture_default_str();
  app.add_option("--sockjs-response-limit", config.sockjs.session.response_limit,
                 "Bytes one streaming SockJS response carries before it is closed so the client "
                 "reconnects (proxies may buffer long responses)")
      ->envname("PARLEY_SOCKJS_RESPONSE_LIMIT")
      ->check(CLI::Range(std::size_t{1024}, std::size_t{64} << 20))
      ->capture_default_str();
  app.add_option("--sockjs-max-sessions", config.sockjs.max_sessions,
                 "Live SockJS HTTP sessions on this node; more get 503")
      ->envname("PARLEY_SOCKJS_MAX_SESSIONS")
      ->capture_default_str();
  app.add_option("--sockjs-max-sessions-per-ip", config.net.max_sockjs_sessions_per_ip,
                 "Live SockJS HTTP sessions from one client address (0: no limit); more get 503")
      ->envname("PARLEY_SOCKJS_MAX_SESSIONS_PER_IP")
      ->capture_default_str();
  app.add_flag("--sockjs-test-services", config.sockjs_test_services,
               "Also mount the sockjs-protocol test services /echo, /disabled_websocket_echo, "
               "/cookie_needed_echo and /close, for SockJS conformance suites")
      ->envname("PARLEY_SOCKJS_TEST_SERVICES")
      ->capture_default_str();
  app.add_option("--sockjs-client-url", config.sockjs.client_url,
                 "URL of the sockjs-client script that /stomp/iframe.html loads")
      ->envname("PARLEY_SOCKJS_CLIENT_URL")
      ->capture_default_str();
  app.add_option("--sockjs-client-js", config.sockjs.client_file,
                 "File served at /stomp/sockjs.min.js (sockjs-client's dist bundle, copied from "
                 "npm at build time)")
      ->envname("PARLEY_SOCKJS_CLIENT_JS")
      ->capture_default_str();

  std::uint32_t node_timeout = config.cluster.node_timeout.count();
  app.add_option("--amqp", config.cluster.amqp.url,
                 "Share rooms with other parley nodes through RabbitMQ, e.g. "
                 "amqp://parley:secret@mq.example.org:5672/parley (topic exchange chat.exchange, "
                 "one queue per node). Without it parley runs alone with its embedded broker")
      ->envname("PARLEY_AMQP");
  app.add_option("--node-id", config.cluster.amqp.node_id,
                 "This node's name in the cluster, 1-200 of [A-Za-z0-9._-] (default: host name "
                 "and a random suffix, new at every start)")
      ->envname("PARLEY_NODE_ID");
  app.add_option("--node-timeout-ms", node_timeout,
                 "A node silent this long (no heart-beat; they go every second) is dead: the "
                 "others send `leave` for its members")
      ->envname("PARLEY_NODE_TIMEOUT_MS")
      ->check(CLI::Range(1000u, 600000u))
      ->capture_default_str();
  app.add_option("--amqp-outbox", config.cluster.amqp.outbox_limit,
                 "Messages waiting for RabbitMQ (slow or away) before SENDs to rooms get ERROR")
      ->envname("PARLEY_AMQP_OUTBOX")
      ->check(CLI::Range(std::size_t{100}, std::size_t{10000000}))
      ->capture_default_str();

  std::string jwt_secret;
  std::string jwt_jwks;
  std::string room_passwords;
  app.add_option("--jwt-secret", jwt_secret,
                 "Require a room token (JWT, HS256 with this secret, 32+ bytes) as the STOMP "
                 "CONNECT passcode; claims sub (member id), room (key or '*'), role "
                 "(member|moderator), exp. Prefer the environment variable: argv is public")
      ->envname("PARLEY_JWT_SECRET");
  app.add_option("--jwt-jwks", jwt_jwks,
                 "Like --jwt-secret, with the keys from this JWK Set file (oct keys for HS256, "
                 "RSA keys for RS256, chosen by kid)")
      ->envname("PARLEY_JWT_JWKS");
  app.add_option("--room-passwords", room_passwords,
                 "JSON file {\"<room key>\": \"<password>\"}: these rooms need the password in "
                 "the SUBSCRIBE header x-room-password (a room token skips it)")
      ->envname("PARLEY_ROOM_PASSWORDS");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  try {
    config.stomp.verifier = load_verifier(jwt_secret, jwt_jwks);
    if (!room_passwords.empty())
      config.broker.rooms.passwords = load_room_passwords(room_passwords);
  } catch (const std::invalid_argument& e) {
    std::fprintf(stderr, "parley: %s\n", e.what());
    return 2;
  }
  for (const auto& proxy : trusted_proxies) {
    boost::system::error_code ec;
    auto address = boost::asio::ip::make_address(proxy, ec);
    if (ec) {
      std::fprintf(stderr, "parley: --trusted-proxy %s: not an IP address\n", proxy.c_str());
      return 2;
    }
    config.net.trusted_proxies.push_back(address);
  }
  config.stomp.heartbeat_send = std::chrono::milliseconds{hb_send};
  config.stomp.heartbeat_recv = std::chrono::milliseconds{hb_recv};
  config.stomp.connect_timeout = std::chrono::milliseconds{connect_timeout};
  config.net.handshake_timeout = std::chrono::milliseconds{handshake_timeout};
  config.net.ws_idle_timeout = std::chrono::seconds{ws_idle};
  config.net.http_idle_timeout = std::chrono::seconds{http_idle};
  config.broker.rooms.history_ttl = std::chrono::seconds{history_ttl};
  config.ice.ttl = std::chrono::seconds{turn_ttl};
  config.cluster.node_timeout = std::chrono::milliseconds{node_timeout};
  if (config.cluster.amqp.node_id.empty()) config.cluster.amqp.node_id = default_node_id();
  config.broker.rooms.node_id = config.cluster.amqp.node_id;
  if (!config.ice.turn_uris.empty() && config.ice.turn_secret.empty()) {
    spdlog::warn("--turn-uri without --turn-secret: /api/ice-servers will list no TURN server");
  }
  config.sockjs.session.heartbeat_interval = std::chrono::milliseconds{sockjs_heartbeat};
  config.sockjs.session.disconnect_delay = std::chrono::milliseconds{sockjs_disconnect};
  config.sockjs.session.max_buffered_bytes = config.net.max_outbound_bytes;
  if (config.threads == 0) config.threads = std::max(1u, std::thread::hardware_concurrency());
  if (config.web_root.empty()) config.web_root = default_web_root();
  return std::nullopt;
}

}  // namespace parley::app
