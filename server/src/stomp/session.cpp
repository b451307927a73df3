#include "stomp/session.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>

#include "stomp/encoder.hpp"

namespace parley::stomp {

namespace {

using std::chrono::milliseconds;

constexpr std::string_view kSupported = "1.0,1.1,1.2";

// "1.0,1.2" -> highest version both sides speak, capped by the WebSocket subprotocol.
std::optional<Version> negotiate(std::string_view accept, Version max) {
  if (accept.empty()) return Version::v1_0;  // STOMP 1.0 clients send no accept-version
  std::optional<Version> best;
  while (!accept.empty()) {
    auto comma = accept.find(',');
    auto token = accept.substr(0, comma);
    while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
    while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
    std::optional<Version> v;
    if (token == "1.0") v = Version::v1_0;
    if (token == "1.1") v = Version::v1_1;
    if (token == "1.2") v = Version::v1_2;
    if (v && *v <= max && (!best || *v > *best)) best = v;
    if (comma == std::string_view::npos) break;
    accept.remove_prefix(comma + 1);
  }
  return best;
}

bool parse_heartbeat(std::string_view text, milliseconds& cx, milliseconds& cy) {
  auto comma = text.find(',');
  if (comma == std::string_view::npos) return false;
  auto number = [](std::string_view s, milliseconds& out) {
    std::uint32_t value = 0;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (ec != std::errc{} || ptr != s.data() + s.size()) return false;
    out = milliseconds{value};
    return true;
  };
  return number(text.substr(0, comma), cx) && number(text.substr(comma + 1), cy);
}

// STOMP heart-beat negotiation: 0 when either side can't/won't, else the larger interval.
milliseconds negotiated(milliseconds ours, milliseconds theirs) {
  if (ours.count() == 0 || theirs.count() == 0) return milliseconds{0};
  return std::max(ours, theirs);
}

std::optional<broker::AckMode> parse_ack_mode(std::string_view text) {
  if (text == "auto") return broker::AckMode::automatic;
  if (text == "client") return broker::AckMode::client;
  if (text == "client-individual") return broker::AckMode::client_individual;
  return std::nullopt;
}

}  // namespace

Session::Session(broker::SessionId id, broker::Broker& broker, const SessionConfig& config,
                 Output& output, app::Metrics& metrics, Version max_version)
    : id_(id),
      broker_(broker),
      config_(config),
      output_(output),
      metrics_(metrics),
      max_version_(max_version),
      parser_(config.parser) {}

Session::~Session() {
  on_closed();
}

void Session::start(Clock::time_point now) {
  connect_deadline_ = now + config_.connect_timeout;
  last_received_ = now;
  last_sent_ = now;
}

void Session::on_data(std::string_view bytes, Clock::time_point now) {
  if (state_ == State::closed) return;
  last_received_ = now;
  metrics_.bytes_in.fetch_add(bytes.size(), std::memory_order_relaxed);
  parser_.feed(bytes);
  Frame frame;
  while (state_ != State::closed) {
    switch (parser_.next(frame)) {
      case Parser::Result::need_more:
        return;
      case Parser::Result::error: {
        if (!parser_.limit().empty()) metrics_.limit(parser_.limit());
        fail(parser_.limit().empty() ? "malformed_frame" : "frame_limit", parser_.error());
        return;
      }
      case Parser::Result::frame:
        metrics_.frame_in(frame.command);
        handle(frame, now);
        break;
    }
  }
}

void Session::handle(Frame& frame, Clock::time_point now) {
  if (state_ == State::awaiting_connect) {
    if (frame.command == Command::connect || frame.command == Command::stomp) {
      handle_connect(frame, now);
    } else {
      fail("protocol", "expected CONNECT or STOMP as the first frame", &frame);
    }
    return;
  }
  switch (frame.command) {
    case Command::connect:
    case Command::stomp:
      return fail("protocol", "already connected: CONNECT may be sent only once", &frame);
    case Command::send:
      if (!take_rate_token(now)) {
        metrics_.limit("rate");
        return fail("rate_limit",
                    fmt::format("rate limit exceeded: max {} messages/s per session (burst {})",
                                config_.rate_limit, config_.rate_limit * 2),
                    &frame);
      }
      [[fallthrough]];
    case Command::ack:
    case Command::nack: {
      if (auto tx = frame.header("transaction")) {
        auto it = transactions_.find(std::string(*tx));
        if (it == transactions_.end()) {
          return fail("protocol", fmt::format("unknown transaction '{}'", *tx), &frame);
        }
        if (it->second.frames.size() >= config_.max_transaction_frames) {
          return fail(
              "transaction_limit",
              fmt::format("transaction too large (max {} frames)", config_.max_transaction_frames),
              &frame);
        }
        it->second.frames.push_back(std::move(frame));
        send_receipt(it->second.frames.back());
        return;
      }
      if (apply(frame)) send_receipt(frame);
      return;
    }
    case Command::subscribe:
      return handle_subscribe(frame);
    case Command::unsubscribe:
      return handle_unsubscribe(frame);
    case Command::begin:
      return handle_begin(frame);
    case Command::commit:
      return handle_commit_or_abort(frame, true);
    case Command::abort:
      return handle_commit_or_abort(frame, false);
    case Command::disconnect:
      return handle_disconnect(frame);
    case Command::connected:
    case Command::message:
    case Command::receipt:
    case Command::error:
      return fail(
          "protocol",
          fmt::format("{} is a server frame; clients may not send it", to_string(frame.command)),
          &frame);
  }
}

void Session::handle_connect(const Frame& frame, Clock::time_point now) {
  auto version = negotiate(frame.header_or("accept-version", ""), max_version_);
  if (!version) {
    Frame error{Command::error,
                {{"version", std::string(kSupported)},
                 {"content-type", "text/plain"},
                 {"message", "unsupported STOMP version"}},
                fmt::format("Supported protocol versions are {}", kSupported)};
    error.add("content-length", std::to_string(error.body.size()));
    send_frame(error);
    metrics_.error("unsupported_version");
    close_session();
    return;
  }
  version_ = *version;
  parser_.set_version(version_);

  milliseconds cx{0}, cy{0};
  if (auto hb = frame.header("heart-beat"); hb && !parse_heartbeat(*hb, cx, cy)) {
    return fail("protocol", "invalid heart-beat header: expected \"<cx>,<cy>\" in ms", &frame);
  }
  send_interval_ = negotiated(config_.heartbeat_send, cy);
  recv_interval_ = negotiated(config_.heartbeat_recv, cx);

  Frame connected{Command::connected, {}, {}};
  if (config_.verifier && !authenticate(frame, connected)) return;
  connected.add("version", std::string(to_string(version_)));
  // The negotiated intervals, as RabbitMQ reports them: a client applying the spec's max()
  // rule to these gets exactly the intervals the server will use.
  connected.add("heart-beat", fmt::format("{},{}", send_interval_.count(), recv_interval_.count()));
  connected.add("server", config_.server);
  connected.add("session", std::to_string(id_));
  state_ = State::connected;
  tokens_ = config_.rate_limit * 2;
  tokens_at_ = now;
  metrics_.sessions.fetch_add(1, std::memory_order_relaxed);
  send_frame(connected);
  spdlog::debug("session {}: connected, STOMP {}, heart-beat send {}ms recv {}ms", id_,
                to_string(version_), send_interval_.count(), recv_interval_.count());
}

bool Session::authenticate(const Frame& frame, Frame& connected) {
  const auto token = frame.header("passcode");
  if (!token || token->empty()) {
    fail("auth", "authentication required: send a room token in the CONNECT passcode header");
    return false;
  }
  const auto now =
      std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  auth::Verifier::Result result = config_.verifier->verify(*token, now);
  if (auto* reason = std::get_if<std::string>(&result)) {
    // The reason names a rule of the token format, never a secret.
    fail("auth", "invalid token: " + *reason);
    return false;
  }
  auto& grant = std::get<auth::Grant>(result);
  const bool moderator = grant.role == auth::Grant::Role::moderator;
  spdlog::info("session {}: token for '{}' ({}, room '{}')", id_, grant.identity,
               moderator ? "moderator" : "member", grant.room);
  connected.add("user-name", grant.identity);
  connected.add("x-parley-role", moderator ? "moderator" : "member");
  broker_.authorize(id_,
                    rooms::Access{std::move(grant.room), std::move(grant.identity), moderator});
  return true;
}

bool Session::apply(const Frame& frame) {
  switch (frame.command) {
    case Command::send:
      return handle_send(frame);
    case Command::ack:
      return handle_ack(frame, true);
    case Command::nack:
      return handle_ack(frame, false);
    default:
      return false;
  }
}

bool Session::handle_send(const Frame& frame) {
  if (!frame.has("destination")) {
    fail("protocol", "SEND requires a destination header", &frame);
    return false;
  }
  auto status = broker_.send(id_, frame);
  if (!status.ok()) {
    reject(status, frame);
    return false;
  }
  return true;
}

bool Session::handle_ack(const Frame& frame, bool positive) {
  std::string ack_id;
  if (version_ == Version::v1_2) {
    auto id = frame.header("id");
    if (!id) {
      fail("protocol", fmt::format("{} requires an id header", to_string(frame.command)), &frame);
      return false;
    }
    ack_id = *id;
  } else {
    auto message_id = frame.header("message-id");
    if (!message_id) {
      fail("protocol", fmt::format("{} requires a message-id header", to_string(frame.command)),
           &frame);
      return false;
    }
    // 1.0 ACKs name no subscription: find the delivery by message-id alone.
    auto subscription = frame.header_or("subscription", "");
    auto it = std::find_if(legacy_acks_.begin(), legacy_acks_.end(), [&](const auto& entry) {
      return entry.first.second == *message_id &&
             (subscription.empty() || entry.first.first == subscription);
    });
    if (it == legacy_acks_.end()) {
      fail("protocol",
           fmt::format("unknown message-id '{}' in {}", *message_id, to_string(frame.command)),
           &frame);
      return false;
    }
    ack_id = it->second;
    legacy_acks_.erase(it);
  }
  auto status = positive ? broker_.ack(id_, ack_id) : broker_.nack(id_, ack_id);
  if (!status.ok()) {
    reject(status, frame);
    return false;
  }
  return true;
}

void Session::handle_subscribe(const Frame& frame) {
  auto destination = frame.header("destination");
  if (!destination) return fail("protocol", "SUBSCRIBE requires a destination header", &frame);
  auto id = frame.header("id");
  // STOMP 1.0 made the id optional; the destination then names the subscription.
  if (!id && version_ != Version::v1_0) {
    return fail("protocol", "SUBSCRIBE requires an id header", &frame);
  }
  if (subscriptions_.size() >= config_.max_subscriptions) {
    metrics_.limit("subscriptions");
    return fail(
        "subscription_limit",
        fmt::format("subscription limit reached (max {} per session)", config_.max_subscriptions),
        &frame);
  }
  auto mode = parse_ack_mode(frame.header_or("ack", "auto"));
  if (!mode) {
    return fail("protocol", "invalid ack header: use auto, client or client-individual", &frame);
  }
  broker::SubscribeRequest request;
  request.id = std::string(id.value_or(*destination));
  request.destination = std::string(*destination);
  request.ack = *mode;
  request.presence = frame.header_or("x-presence", "") == "true";
  request.history = frame.header_or("x-history", "") == "true";
  request.password = frame.header_or("x-room-password", "");
  if (auto prefetch = frame.header("prefetch-count")) {
    std::from_chars(prefetch->data(), prefetch->data() + prefetch->size(), request.prefetch);
  }
  if (subscriptions_.contains(request.id)) {
    return fail("protocol", fmt::format("duplicate subscription id '{}'", request.id), &frame);
  }
  // Record first: presence/history are delivered during subscribe().
  subscriptions_.emplace(request.id, *mode != broker::AckMode::automatic);
  auto status = broker_.subscribe(id_, request);
  if (!status.ok()) {
    subscriptions_.erase(request.id);
    return reject(status, frame);
  }
  send_receipt(frame);
}

void Session::handle_unsubscribe(const Frame& frame) {
  auto id = frame.header("id");
  if (!id && version_ == Version::v1_0) id = frame.header("destination");
  if (!id) return fail("protocol", "UNSUBSCRIBE requires an id header", &frame);
  auto status = broker_.unsubscribe(id_, *id);
  if (!status.ok()) return reject(status, frame);
  subscriptions_.erase(std::string(*id));
  std::erase_if(legacy_acks_, [&](const auto& entry) { return entry.first.first == *id; });
  send_receipt(frame);
}

void Session::handle_begin(const Frame& frame) {
  auto tx = frame.header("transaction");
  if (!tx) return fail("protocol", "BEGIN requires a transaction header", &frame);
  if (transactions_.contains(std::string(*tx))) {
    return fail("protocol", fmt::format("transaction '{}' already begun", *tx), &frame);
  }
  if (transactions_.size() >= config_.max_transactions) {
    metrics_.limit("transactions");
    return fail(
        "transaction_limit",
        fmt::format("too many open transactions (max {} per session)", config_.max_transactions),
        &frame);
  }
  transactions_.emplace(std::string(*tx), Transaction{});
  send_receipt(frame);
}

void Session::handle_commit_or_abort(const Frame& frame, bool commit) {
  auto tx = frame.header("transaction");
  if (!tx) {
    return fail("protocol",
                fmt::format("{} requires a transaction header", to_string(frame.command)), &frame);
  }
  auto node = transactions_.extract(std::string(*tx));
  if (node.empty()) {
    return fail("protocol", fmt::format("unknown transaction '{}'", *tx), &frame);
  }
  if (commit) {
    for (const auto& buffered : node.mapped().frames) {
      if (!apply(buffered)) return;
    }
  }
  send_receipt(frame);
}

void Session::handle_disconnect(const Frame& frame) {
  send_receipt(frame);
  spdlog::debug("session {}: DISCONNECT", id_);
  close_session();
}

bool Session::take_rate_token(Clock::time_point now) {
  if (config_.rate_limit <= 0) return true;
  auto elapsed = std::chrono::duration<double>(now - tokens_at_).count();
  tokens_at_ = now;
  tokens_ = std::min(config_.rate_limit * 2, tokens_ + elapsed * config_.rate_limit);
  if (tokens_ < 1) return false;
  tokens_ -= 1;
  return true;
}

void Session::on_delivery(const std::string& subscription, const std::string& ack_id,
                          bool redelivered, const broker::MessagePtr& message) {
  if (state_ != State::connected) return;
  Outbound out;
  out.head.reserve(64 + subscription.size() + ack_id.size());
  out.head += "MESSAGE\nsubscription:";
  append_escaped(out.head, subscription, version_);
  out.head += '\n';
  if (!ack_id.empty()) {
    if (version_ == Version::v1_2) {
      out.head += "ack:";
      out.head += ack_id;
      out.head += '\n';
    } else {
      legacy_acks_[{subscription, message->message_id()}] = ack_id;
    }
  }
  if (redelivered) out.head += "redelivered:true\n";
  out.tail = message->tail(version_);
  out.tail_utf8 = message->tail_is_utf8(version_);
  out.keep_alive = message;
  metrics_.frame_out(Command::message);
  metrics_.bytes_out.fetch_add(out.size(), std::memory_order_relaxed);
  output_.write(std::move(out));
}

Clock::time_point Session::on_timer(Clock::time_point now) {
  constexpr auto kFar = std::chrono::hours(24);
  if (state_ == State::closed) return now + kFar;
  if (state_ == State::awaiting_connect) {
    if (now >= connect_deadline_) {
      metrics_.error("connect_timeout");
      spdlog::info("session {}: no CONNECT within {}ms, closing", id_,
                   config_.connect_timeout.count());
      close_session();
      return now + kFar;
    }
    return connect_deadline_;
  }
  auto next = now + kFar;
  if (recv_interval_.count() > 0) {
    auto limit = std::chrono::duration_cast<milliseconds>(recv_interval_ * config_.heartbeat_grace);
    if (now - last_received_ > limit) {
      metrics_.error("heartbeat_timeout");
      spdlog::info("session {}: no heart-beat from client for {}ms (limit {}ms), dropping", id_,
                   std::chrono::duration_cast<milliseconds>(now - last_received_).count(),
                   limit.count());
      close_session();
      return now + kFar;
    }
    next = std::min(next, last_received_ + limit + milliseconds{1});
  }
  if (send_interval_.count() > 0) {
    if (now - last_sent_ >= send_interval_) {
      last_sent_ = now;
      metrics_.bytes_out.fetch_add(1, std::memory_order_relaxed);
      output_.write(Outbound{"\n", nullptr, {}});
    }
    next = std::min(next, last_sent_ + send_interval_);
  }
  return next;
}

void Session::shutdown() {
  if (state_ == State::closed) return;
  fail("shutdown", "server shutting down");
}

void Session::on_closed() {
  if (state_ == State::connected) metrics_.sessions.fetch_sub(1, std::memory_order_relaxed);
  state_ = State::closed;
  if (left_broker_) return;
  left_broker_ = true;
  broker_.disconnect(id_);
}

void Session::send_receipt(const Frame& frame) {
  auto receipt = frame.header("receipt");
  if (!receipt) return;
  Frame out{Command::receipt, {{"receipt-id", std::string(*receipt)}}, {}};
  send_frame(out);
}

void Session::send_frame(const Frame& frame) {
  Outbound out;
  // Until CONNECTED the client cannot know the version, so it cannot unescape: an ERROR
  // refusing the CONNECT (bad token, bad version) goes out unescaped, as STOMP 1.0 frames do.
  append_encoded(out.head, frame, state_ == State::connected ? version_ : Version::v1_0);
  metrics_.frame_out(frame.command);
  metrics_.bytes_out.fetch_add(out.size(), std::memory_order_relaxed);
  output_.write(std::move(out));
}

void Session::reject(const broker::Status& status, const Frame& frame) {
  if (!status.limit.empty()) metrics_.limit(status.limit);
  fail("rejected", status.error, &frame);
}

void Session::fail(std::string_view reason, std::string_view message, const Frame* offending,
                   std::string_view detail) {
  if (state_ == State::closed) return;
  metrics_.error(std::string(reason));
  Frame error{Command::error, {}, {}};
  // Header values can't hold raw newlines in 1.0 (no escaping): keep the summary on one line.
  std::string summary(message);
  std::replace(summary.begin(), summary.end(), '\n', ' ');
  error.add("message", summary);
  if (offending) {
    if (auto receipt = offending->header("receipt")) error.add("receipt-id", std::string(*receipt));
  }
  error.add("content-type", "text/plain");
  error.body = std::string(message);
  if (offending) {
    error.body += fmt::format("\n\nThe offending frame was {}", to_string(offending->command));
    if (auto dest = offending->header("destination")) error.body += fmt::format(" to {}", *dest);
    error.body += '.';
  }
  if (!detail.empty()) error.body += fmt::format("\n{}", detail);
  error.add("content-length", std::to_string(error.body.size()));
  send_frame(error);
  spdlog::info("session {}: ERROR ({}): {}", id_, reason, summary);
  close_session();
}

void Session::close_session() {
  if (state_ == State::closed) return;
  if (state_ == State::connected) metrics_.sessions.fetch_sub(1, std::memory_order_relaxed);
  state_ = State::closed;
  transactions_.clear();
  // Leave the broker now, not when the socket finally closes: the room sees `leave` at once.
  if (!left_broker_) {
    left_broker_ = true;
    broker_.disconnect(id_);
  }
  output_.close();
}

}  // namespace parley::stomp
