#include "net/sockjs_service.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <fstream>
#include <random>
#include <sstream>

#include "net/sockjs_receivers.hpp"
#include "net/sockjs_session.hpp"
#include "net/static_files.hpp"
#include "sockjs/framing.hpp"
#include "sockjs/transports.hpp"

namespace parley::net {

namespace {

using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

constexpr std::string_view kNoCache =
    "no-store, no-cache, no-transform, must-revalidate, max-age=0";
constexpr std::chrono::seconds kYear{31536000};
constexpr std::string_view kClientPath = "/sockjs.min.js";

std::string_view path_of(std::string_view target) {
  return target.substr(0, target.find('?'));
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The URL-decoded value of query parameter `name`, if present.
std::optional<std::string> query_param(std::string_view target, std::string_view name) {
  auto q = target.find('?');
  if (q == std::string_view::npos) return std::nullopt;
  std::string_view query = target.substr(q + 1);
  while (!query.empty()) {
    auto amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    auto eq = pair.find('=');
    if (pair.substr(0, eq) != name) continue;
    std::string_view raw = eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1);
    std::string value;
    for (std::size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] == '+') {
        value += ' ';
      } else if (raw[i] == '%' && i + 2 < raw.size() + 0 && hex_value(raw[i + 1]) >= 0 &&
                 hex_value(raw[i + 2]) >= 0) {
        value += static_cast<char>(hex_value(raw[i + 1]) * 16 + hex_value(raw[i + 2]));
        i += 2;
      } else {
        value += raw[i];
      }
    }
    return value;
  }
  return std::nullopt;
}

Response make(const Request& req, http::status status, std::string body,
              std::string_view content_type) {
  Response res{status, req.version()};
  res.set(http::field::server, "parley/" PARLEY_VERSION);
  if (!content_type.empty()) res.set(http::field::content_type, content_type);
  res.keep_alive(req.keep_alive());
  res.body() = std::move(body);
  res.prepare_payload();
  // HEAD: the GET answer's headers (Content-Length included) without its body, or a
  // keep-alive client would read the body as the start of the next response.
  if (req.method() == http::verb::head) res.body().clear();
  return res;
}

// Credentialed CORS the way SockJS servers do it: echo the page's origin.
template <typename Fields>
void cors(const Request& req, Fields& res) {
  std::string_view origin = req[http::field::origin];
  res.set(http::field::access_control_allow_origin,
          origin.empty() || origin == "null" ? std::string_view("*") : origin);
  res.set(http::field::access_control_allow_credentials, "true");
  res.set(http::field::vary, "Origin");
  // sockjs-protocol echoes requested headers on every CORS answer, not just preflights.
  if (auto asked = req[http::field::access_control_request_headers]; !asked.empty()) {
    res.set(http::field::access_control_allow_headers, asked);
  }
}

template <typename Fields>
void cookie(const SockjsConfig& config, const Request& req, Fields& res) {
  if (!config.cookie_needed) return;
  std::string value = "dummy";
  const std::string_view header = req[http::field::cookie];
  for (auto pos = header.find("JSESSIONID="); pos != std::string_view::npos;) {
    auto rest = header.substr(pos + 11);
    auto value_view = rest.substr(0, rest.find(';'));
    if (!value_view.empty() && value_view.size() <= 128) value = std::string(value_view);
    break;
  }
  res.set(http::field::set_cookie, fmt::format("JSESSIONID={}; path=/", value));
}

template <typename Fields>
void cache_for_a_year(Fields& res) {
  auto expires =
      std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now() + kYear);
  res.set(http::field::cache_control, fmt::format("public, max-age={}", kYear.count()));
  res.set(http::field::expires, format_http_date(expires));
}

Response method_not_allowed(const Request& req, std::string_view allow) {
  auto res = make(req, http::status::method_not_allowed, "", "");
  res.set(http::field::allow, allow);
  return res;
}

Response preflight(const SockjsConfig& ctx, const Request& req, std::string_view methods) {
  auto res = make(req, http::status::no_content, "", "");
  cache_for_a_year(res);
  res.set(http::field::access_control_max_age, std::to_string(kYear.count()));
  res.set(http::field::access_control_allow_methods, methods);
  cors(req, res);
  cookie(ctx, req, res);
  return res;
}

Response error_500(const SockjsConfig& ctx, const Request& req, std::string_view text) {
  auto res =
      make(req, http::status::internal_server_error, std::string(text), sockjs::kContentTypeText);
  res.set(http::field::cache_control, kNoCache);
  cors(req, res);
  cookie(ctx, req, res);
  return res;
}

Response not_found(const Request& req) {
  auto res = make(req, http::status::not_found, "Not found.\n", sockjs::kContentTypeText);
  res.set(http::field::cache_control, kNoCache);
  cors(req, res);
  return res;
}

std::string_view allowed_methods(sockjs::Transport t) {
  switch (t) {
    case sockjs::Transport::xhr:
    case sockjs::Transport::xhr_send:
    case sockjs::Transport::xhr_streaming:
      return "OPTIONS, POST";
    case sockjs::Transport::jsonp_send:
      return "POST";
    default:
      return "GET";
  }
}

std::string load_file(const std::string& path) {
  if (path.empty()) return {};
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    spdlog::warn(
        "sockjs: cannot read the sockjs-client bundle '{}': iframe transports will not "
        "load it from this server (see --sockjs-client-js)",
        path);
    return {};
  }
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace

SockjsService::SockjsService(Context& context, boost::asio::any_io_executor executor,
                             SockjsConfig config)
    : context_(context),
      executor_(std::move(executor)),
      config_(std::move(config)),
      iframe_html_(sockjs::iframe_html(config_.client_url)),
      iframe_etag_(sockjs::iframe_etag(iframe_html_)),
      client_js_(load_file(config_.client_file)),
      client_js_etag_(sockjs::iframe_etag(client_js_)) {}

SockjsService::~SockjsService() = default;

bool SockjsService::owns(std::string_view path) const {
  if (!path.starts_with(config_.prefix)) return false;
  auto rest = path.substr(config_.prefix.size());
  return rest.empty() || rest.front() == '/';
}

std::size_t SockjsService::size() const {
  std::lock_guard lock(mutex_);
  return sessions_.size();
}

void SockjsService::remove(const std::string& id, const SockjsSession* session) {
  std::lock_guard lock(mutex_);
  if (auto* entry = sessions_.find(id); entry != nullptr && entry->get() == session) {
    sessions_.erase(id);
  }
}

template <typename Stream>
std::optional<Response> SockjsService::handle(const Request& req, Stream& stream,
                                              ConnectionSlot& slot, beast::flat_buffer& buffer) {
  const auto path = path_of(req.target());
  const auto rest = path.substr(config_.prefix.size());
  const auto method = req.method();
  const bool get = method == http::verb::get || method == http::verb::head;

  if (rest == kClientPath) {
    if (client_js_.empty()) return not_found(req);
    if (!get) return method_not_allowed(req, "GET");
    if (req[http::field::if_none_match] == client_js_etag_) {
      auto res = make(req, http::status::not_modified, "", "");
      res.set(http::field::etag, client_js_etag_);
      return res;
    }
    auto res = make(req, http::status::ok, client_js_, sockjs::kContentTypeJavascript);
    res.set(http::field::etag, client_js_etag_);
    cache_for_a_year(res);
    return res;
  }

  auto route = sockjs::parse_route(rest);
  if (!route) return not_found(req);
  switch (route->kind) {
    case sockjs::Route::Kind::greeting: {
      if (!get) return method_not_allowed(req, "GET");
      auto res =
          make(req, http::status::ok, std::string(sockjs::greeting()), sockjs::kContentTypeText);
      return res;
    }
    case sockjs::Route::Kind::info: {
      if (method == http::verb::options) return preflight(config_, req, "OPTIONS, GET");
      if (!get) return method_not_allowed(req, "OPTIONS, GET");
      static thread_local std::mt19937 rng{std::random_device{}()};
      auto res = make(req, http::status::ok,
                      sockjs::info_json(config_.websocket, config_.cookie_needed, rng()),
                      sockjs::kContentTypeJson);
      res.set(http::field::cache_control, kNoCache);
      cors(req, res);  // no JSESSIONID here: only session URLs set it (sockjs-protocol)
      return res;
    }
    case sockjs::Route::Kind::iframe: {
      if (!get) return method_not_allowed(req, "GET");
      if (req[http::field::if_none_match] == iframe_etag_) {
        auto res = make(req, http::status::not_modified, "", "");
        res.set(http::field::etag, iframe_etag_);
        cache_for_a_year(res);
        return res;
      }
      auto res = make(req, http::status::ok, iframe_html_, sockjs::kContentTypeHtml);
      res.set(http::field::etag, iframe_etag_);
      cache_for_a_year(res);
      return res;
    }
    case sockjs::Route::Kind::raw_websocket:
      if (!get) return method_not_allowed(req, "GET");
      return make(req, http::status::bad_request, "Can \"Upgrade\" only to \"WebSocket\".",
                  sockjs::kContentTypeText);
    case sockjs::Route::Kind::session:
      return session_request(req, *route, stream, slot, buffer);
  }
  return not_found(req);
}

template <typename Stream>
std::optional<Response> SockjsService::session_request(const Request& req,
                                                       const sockjs::Route& route, Stream& stream,
                                                       ConnectionSlot& slot,
                                                       beast::flat_buffer& buffer) {
  const auto t = route.transport;
  const auto method = req.method();
  const auto allow = allowed_methods(t);

  if (t == sockjs::Transport::websocket) {
    if (!config_.websocket) return not_found(req);
    if (method != http::verb::get) return method_not_allowed(req, "GET");
    return make(req, http::status::bad_request, "Can \"Upgrade\" only to \"WebSocket\".",
                sockjs::kContentTypeText);
  }
  if (method == http::verb::options && allow.starts_with("OPTIONS")) {
    return preflight(config_, req, allow);
  }
  const bool post = method == http::verb::post;
  if (post != (allow.find("POST") != std::string_view::npos) ||
      (!post && method != http::verb::get)) {
    return method_not_allowed(req, allow);
  }

  // Sending: the session must exist.
  if (t == sockjs::Transport::xhr_send || t == sockjs::Transport::jsonp_send) {
    std::shared_ptr<SockjsSession> session;
    {
      std::lock_guard lock(mutex_);
      if (auto* entry = sessions_.find(route.session_id)) session = *entry;
    }
    if (!session) return not_found(req);
    sockjs::Payload payload;
    if (t == sockjs::Transport::xhr_send) {
      payload = sockjs::decode_messages(req.body());
    } else {
      auto text = sockjs::jsonp_payload(req[http::field::content_type], req.body());
      if (text) payload = sockjs::decode_messages(*text);
    }
    if (payload.status != sockjs::PayloadStatus::ok) {
      context_.metrics.error(payload.status == sockjs::PayloadStatus::empty
                                 ? "sockjs_payload_expected"
                                 : "sockjs_broken_json");
      return error_500(config_, req, sockjs::payload_error_text(payload.status));
    }
    if (!payload.messages.empty()) session->incoming(std::move(payload.messages));
    auto res = t == sockjs::Transport::xhr_send
                   ? make(req, http::status::no_content, "", sockjs::kContentTypeText)
                   : make(req, http::status::ok, std::string(sockjs::kJsonpSendOk),
                          sockjs::kContentTypeText);
    res.set(http::field::cache_control, kNoCache);
    cors(req, res);
    cookie(config_, req, res);
    return res;
  }

  // Receiving.
  std::string callback;
  if (sockjs::needs_callback(t)) {
    auto c = query_param(req.target(), "c");
    if (!c) c = query_param(req.target(), "callback");
    if (!c || c->empty()) return error_500(config_, req, sockjs::kCallbackRequired);
    if (!sockjs::valid_callback(*c)) return error_500(config_, req, sockjs::kCallbackInvalid);
    callback = std::move(*c);
  }
  if (context_.stopping) {
    return make(req, http::status::service_unavailable, "shutting down\n",
                sockjs::kContentTypeText);
  }
  const auto client =
      client_address(slot.address(), req["X-Forwarded-For"], context_.sockjs_sessions);
  std::shared_ptr<SockjsSession> session;
  bool created = false;
  std::string_view refused;
  {
    std::lock_guard lock(mutex_);
    if (auto* entry = sessions_.find(route.session_id)) {
      session = *entry;
    } else if (sessions_.size() >= config_.max_sessions) {
      refused = "sockjs_sessions";
    } else if (auto place = context_.sockjs_sessions.acquire(client); !place.ticket) {
      refused = "sockjs_sessions_per_ip";
    } else {
      session = std::make_shared<SockjsSession>(context_, *this, std::string(route.session_id),
                                                executor_, std::move(place.ticket));
      sessions_.try_emplace(route.session_id, session);
      created = true;
    }
  }
  if (!session) {
    const bool total = refused == "sockjs_sessions";
    context_.limit_hit(
        refused,
        fmt::format("refusing a new SockJS session from {}: {} open (max {})", client.to_string(),
                    total ? size() : context_.sockjs_sessions.count(client),
                    total ? config_.max_sessions : context_.net.max_sockjs_sessions_per_ip));
    return make(
        req, http::status::service_unavailable,
        total ? "too many SockJS sessions\n" : "too many SockJS sessions from your address\n",
        sockjs::kContentTypeText);
  }
  if (created) session->start();

  http::response<http::empty_body> head{http::status::ok, req.version()};
  head.set(http::field::server, "parley/" PARLEY_VERSION);
  head.set(http::field::content_type, sockjs::content_type(t));
  head.set(http::field::cache_control, kNoCache);
  if (t == sockjs::Transport::xhr || t == sockjs::Transport::xhr_streaming) cors(req, head);
  cookie(config_, req, head);
  // HTTP/1.0 has no chunking: a streaming body ends with the connection, so never keep-alive.
  const bool keep_alive =
      req.keep_alive() &&
      (req.version() >= 11 || sockjs::receiver_kind(t) != sockjs::ReceiverKind::streaming);
  head.keep_alive(keep_alive);
  std::string text = fmt::format("HTTP/{}.{} 200 OK\r\n", req.version() / 10, req.version() % 10);
  for (const auto& field : head) {
    text += fmt::format("{}: {}\r\n", field.name_string(), field.value());
  }
  auto receiver = std::make_shared<HttpReceiver<Stream>>(
      std::move(stream), std::move(slot), std::move(buffer), context_, t, std::move(callback),
      std::move(text), req.version() >= 11, keep_alive);
  receiver->start(std::move(session));
  return std::nullopt;
}

template <typename Stream>
std::optional<Response> SockjsService::upgrade(Request& req, Stream& stream, ConnectionSlot& slot) {
  auto route = sockjs::parse_route(path_of(req.target()).substr(config_.prefix.size()));
  const bool raw = route && route->kind == sockjs::Route::Kind::raw_websocket;
  const bool framed = route && route->kind == sockjs::Route::Kind::session &&
                      route->transport == sockjs::Transport::websocket;
  // <prefix>/websocket of the STOMP service is raw STOMP, served by the caller.
  if (!config_.websocket || !(framed || (raw && config_.app != SockjsConfig::App::stomp))) {
    return not_found(req);
  }
  if (context_.stopping) {
    return make(req, http::status::service_unavailable, "shutting down\n",
                sockjs::kContentTypeText);
  }
  // A WebSocket session cannot be reattached by id: it is not entered in the table.
  auto session = std::make_shared<SockjsSession>(context_, *this, std::string(), executor_);
  std::make_shared<SockjsWsReceiver<Stream>>(std::move(stream), std::move(slot), context_, raw)
      ->run(std::move(req), std::move(session));
  return std::nullopt;
}

template std::optional<Response> SockjsService::handle(const Request&, PlainStream&,
                                                       ConnectionSlot&, beast::flat_buffer&);
template std::optional<Response> SockjsService::handle(const Request&, TlsStream&, ConnectionSlot&,
                                                       beast::flat_buffer&);
template std::optional<Response> SockjsService::upgrade(Request&, PlainStream&, ConnectionSlot&);
template std::optional<Response> SockjsService::upgrade(Request&, TlsStream&, ConnectionSlot&);

}  // namespace parley::net
