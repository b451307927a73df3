#include "net/http_session.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <random>

#include <boost/beast/websocket.hpp>
#include <boost/json.hpp>

#include "cluster/node.hpp"
#include "net/origin.hpp"
#include "net/sockjs_service.hpp"
#include "net/static_files.hpp"
#include "net/ws_session.hpp"

namespace parley::net {

namespace {

std::string_view path_of(std::string_view target) {
  return target.substr(0, target.find('?'));
}

// RFC 9112 3.2.2: a server must accept the absolute form (http://host/path?q), which proxies
// send. Everything here routes on the origin form (/path?q), so rewrite it to that.
void to_origin_form(http::request<http::string_body>& request) {
  const std::string_view target = request.target();
  std::size_t scheme = 0;
  if (target.starts_with("http://")) scheme = 7;
  if (target.starts_with("https://")) scheme = 8;
  if (scheme == 0) return;
  const auto path = target.find('/', scheme);
  request.target(path == std::string_view::npos ? std::string("/")
                                                : std::string(target.substr(path)));
}

http::response<http::string_body> text(const http::request<http::string_body>& req,
                                       http::status status, std::string body,
                                       std::string_view content_type) {
  http::response<http::string_body> res{status, req.version()};
  res.set(http::field::content_type, content_type);
  res.set(http::field::cache_control, "no-store");
  res.keep_alive(req.keep_alive());
  res.body() = std::move(body);
  res.prepare_payload();
  if (req.method() == http::verb::head) res.body().clear();  // headers of the GET answer only
  return res;
}

http::response<http::string_body> health(Context& ctx,
                                         const http::request<http::string_body>& req) {
  auto stats = ctx.broker.stats();
  auto uptime = std::chrono::duration<double>(std::chrono::steady_clock::now() - ctx.started);
  boost::json::object body{
      {"status", ctx.stopping ? "stopping" : "ok"},
      {"version", PARLEY_VERSION},
      {"uptime_seconds", uptime.count()},
      {"broker", ctx.cluster != nullptr ? "rabbitmq" : "embedded"},
      {"connections", ctx.connections.count()},
      {"sessions", ctx.metrics.sessions.load()},
      {"rooms", stats.rooms},
      {"members", stats.members},
  };
  if (ctx.cluster != nullptr) {
    // A node whose RabbitMQ is away still serves its own rooms: degraded, not down.
    const cluster::ClusterStats cs = ctx.cluster->stats();
    const bool up = cs.status.state == cluster::LinkState::up;
    body["cluster"] = boost::json::object{{"node", ctx.cluster->node_id()},
                                          {"state", cluster::to_string(cs.status.state)},
                                          {"last_error", cs.status.last_error},
                                          {"nodes", cs.nodes + 1}};
    if (!up && !ctx.stopping) body["status"] = "degraded";
  }
  auto status = ctx.stopping ? http::status::service_unavailable : http::status::ok;
  return text(req, status, boost::json::serialize(body), "application/json");
}

http::response<http::string_body> metrics(Context& ctx,
                                          const http::request<http::string_body>& req) {
  auto stats = ctx.broker.stats();
  app::Metrics::Gauges gauges;
  gauges.connections = ctx.connections.count();
  gauges.rooms = stats.rooms;
  gauges.members = stats.members;
  gauges.topics = stats.topics;
  gauges.queues = stats.queues;
  gauges.queued_messages = stats.queued_messages;
  gauges.unacked_messages = stats.unacked_messages;
  gauges.uptime_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - ctx.started).count();
  std::string out = ctx.metrics.render(gauges);
  if (ctx.cluster != nullptr) out += cluster::render_metrics(ctx.cluster->stats());
  return text(req, http::status::ok, std::move(out), "text/plain; version=0.0.4; charset=utf-8");
}

// The member id the TURN username names: ?id=<[A-Za-z0-9_-]{1,64}>, else a random one.
std::string ice_user(std::string_view target) {
  auto q = target.find("?id=");
  if (q == std::string_view::npos) q = target.find("&id=");
  if (q != std::string_view::npos) {
    auto id = target.substr(q + 4);
    id = id.substr(0, id.find('&'));
    const bool valid =
        !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char c) {
          return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
        });
    if (valid) return std::string(id);
  }
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  return fmt::format("{:016x}", rng());
}

http::response<http::string_body> ice_servers(Context& ctx,
                                              const http::request<http::string_body>& req) {
  auto now = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  return text(req, http::status::ok, turn::ice_servers_json(ctx.ice, ice_user(req.target()), now),
              "application/json");
}

// "v12.stomp, v11.stomp" -> the best STOMP version the client offered, and its token.
std::pair<stomp::Version, std::string> pick_subprotocol(std::string_view offered) {
  if (offered.empty()) return {stomp::Version::v1_2, ""};
  if (offered.find("v12.stomp") != std::string_view::npos)
    return {stomp::Version::v1_2, "v12.stomp"};
  if (offered.find("v11.stomp") != std::string_view::npos)
    return {stomp::Version::v1_1, "v11.stomp"};
  if (offered.find("v10.stomp") != std::string_view::npos)
    return {stomp::Version::v1_0, "v10.stomp"};
  return {stomp::Version::v1_2, ""};  // unknown subprotocols: answer none, the client decides
}

SockjsService* sockjs_service(const Context& ctx, std::string_view path) {
  for (auto* service : ctx.sockjs) {
    if (service->owns(path)) return service;
  }
  return nullptr;
}

}  // namespace

http::response<http::string_body> route(Context& ctx, const http::request<http::string_body>& req) {
  auto path = path_of(req.target());
  if (path == "/api/health") return health(ctx, req);
  if (path == "/metrics") return metrics(ctx, req);
  if (path == "/api/ice-servers") return ice_servers(ctx, req);
  if (path.starts_with("/api/")) {
    return text(req, http::status::not_found, R"({"error":"no such API route"})",
                "application/json");
  }
  return ctx.files.serve(req);
}

template <typename Stream>
HttpSession<Stream>::HttpSession(Stream stream, ConnectionSlot slot, Context& context)
    : stream_(std::move(stream)), slot_(std::move(slot)), context_(context), fresh_(true) {}

template <typename Stream>
HttpSession<Stream>::HttpSession(Stream stream, ConnectionSlot slot, beast::flat_buffer buffer,
                                 Context& context)
    : stream_(std::move(stream)),
      slot_(std::move(slot)),
      context_(context),
      buffer_(std::move(buffer)) {}

template <typename Stream>
void HttpSession<Stream>::run() {
  if constexpr (is_tls<Stream>) {
    beast::get_lowest_layer(stream_).expires_after(context_.net.handshake_timeout);
    stream_.async_handshake(
        ssl::stream_base::server,
        beast::bind_front_handler(&HttpSession::on_handshake, this->shared_from_this()));
  } else {
    do_read();
  }
}

template <typename Stream>
void HttpSession<Stream>::resume() {
  do_read();
}

template <typename Stream>
void HttpSession<Stream>::on_handshake(beast::error_code ec) {
  if (ec) {
    context_.metrics.error("tls_handshake");
    spdlog::debug("TLS handshake failed: {}", ec.message());
    return;
  }
  do_read();
}

template <typename Stream>
void HttpSession<Stream>::do_read() {
  parser_.emplace();
  parser_->header_limit(static_cast<std::uint32_t>(context_.net.max_http_header));
  parser_->body_limit(context_.net.max_http_body);
  // The whole request (not each byte) must arrive in time: a slowloris client dribbling a
  // header cannot hold the connection. A fresh connection's first request gets the shorter
  // handshake timeout, a keep-alive connection the idle timeout.
  beast::get_lowest_layer(stream_).expires_after(
      fresh_ ? std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                   context_.net.handshake_timeout)
             : std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                   context_.net.http_idle_timeout));
  fresh_ = false;
  http::async_read(stream_, buffer_, *parser_,
                   beast::bind_front_handler(&HttpSession::on_read, this->shared_from_this()));
}

template <typename Stream>
void HttpSession<Stream>::on_read(beast::error_code ec, std::size_t) {
  if (ec == http::error::end_of_stream) return end_connection(stream_, this->shared_from_this());
  if (ec) {
    if (ec == http::error::body_limit || ec == http::error::header_limit) {
      context_.limit_hit(ec == http::error::body_limit ? "http_body" : "http_header",
                         "request too large, answered 413");
      http::request<http::string_body> req;
      auto res = text(req, http::status::payload_too_large, "request too large\n", "text/plain");
      res.keep_alive(false);
      respond(std::move(res));
    }
    return;
  }
  context_.metrics.http_requests.fetch_add(1, std::memory_order_relaxed);
  auto request = parser_->release();
  to_origin_form(request);
  if (boost::beast::websocket::is_upgrade(request)) return upgrade(std::move(request));
  if (auto* sockjs = sockjs_service(context_, path_of(request.target()))) {
    if (!origin_ok(request)) return respond(forbidden_origin(request));
    auto res = sockjs->handle(request, stream_, slot_, buffer_);
    if (!res) return;  // a SockJS receiver owns the connection now
    return respond(std::move(*res));
  }
  auto res = route(context_, request);
  res.set(http::field::server, "parley/" PARLEY_VERSION);
  respond(std::move(res));
}

template <typename Stream>
void HttpSession<Stream>::upgrade(http::request<http::string_body> request) {
  auto path = path_of(request.target());
  if (!origin_ok(request)) {
    auto res = forbidden_origin(request);
    res.keep_alive(false);
    return respond(std::move(res));
  }
  auto* sockjs = sockjs_service(context_, path);
  if (path != "/ws" && path != "/stomp/websocket" && sockjs != nullptr) {
    auto res = sockjs->upgrade(request, stream_, slot_);
    if (!res) return;
    res->keep_alive(false);
    return respond(std::move(*res));
  }
  if (path != "/ws" && path != "/stomp/websocket") {
    auto res = text(request, http::status::not_found,
                    "WebSocket endpoints are /ws and /stomp/websocket\n", "text/plain");
    res.keep_alive(false);
    return respond(std::move(res));
  }
  if (context_.stopping) {
    auto res = text(request, http::status::service_unavailable, "shutting down\n", "text/plain");
    res.keep_alive(false);
    return respond(std::move(res));
  }
  auto [version, subprotocol] = pick_subprotocol(request[http::field::sec_websocket_protocol]);
  std::make_shared<WsSession<Stream>>(std::move(stream_), std::move(slot_), context_, version,
                                      std::move(subprotocol))
      ->run(std::move(request));
}

template <typename Stream>
bool HttpSession<Stream>::origin_ok(const http::request<http::string_body>& request) {
  const std::string_view origin = request[http::field::origin];
  if (origin_allowed(context_.net.allowed_origins, origin, request[http::field::host])) return true;
  context_.metrics.error("origin_rejected");
  spdlog::info("refused {} {} from origin '{}' (see --allowed-origin)",
               std::string_view(request.method_string()), path_of(request.target()),
               origin.substr(0, 200));
  return false;
}

template <typename Stream>
http::response<http::string_body> HttpSession<Stream>::forbidden_origin(
    const http::request<http::string_body>& request) {
  return text(request, http::status::forbidden,
              "this origin may not connect to this server (see --allowed-origin)\n", "text/plain");
}

template <typename Stream>
void HttpSession<Stream>::respond(http::response<http::string_body> response) {
  response_ = std::make_shared<http::response<http::string_body>>(std::move(response));
  bool keep_alive = response_->keep_alive();
  http::async_write(
      stream_, *response_,
      beast::bind_front_handler(&HttpSession::on_write, this->shared_from_this(), keep_alive));
}

template <typename Stream>
void HttpSession<Stream>::on_write(bool keep_alive, beast::error_code ec, std::size_t) {
  if (ec) return;
  if (!keep_alive) return end_connection(stream_, this->shared_from_this());
  response_.reset();
  do_read();
}

template class HttpSession<PlainStream>;
template class HttpSession<TlsStream>;

}  // namespace parley::net
