#include "cluster/amqp_link.hpp"

#include <amqp.h>
#include <amqp_tcp_socket.h>
#include <poll.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <random>
#include <stdexcept>
#include <system_error>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace parley::cluster {

namespace {

constexpr amqp_channel_t kChannel = 1;
constexpr int kFrameMax = 131072;
constexpr std::size_t kMaxShortString = 255;  // AMQP shortstr: names, routing keys, header keys
constexpr std::size_t kMaxNodeId = 200;       // leaves room for the "parley.node." prefix
constexpr auto kRpcTimeout = std::chrono::seconds(5);
constexpr auto kGracefulClose = std::chrono::milliseconds(500);  // wait for confirms on stop
constexpr auto kStopCut = std::chrono::seconds(1);               // then stop() cuts the socket
constexpr auto kIdlePoll = std::chrono::milliseconds(1000);      // drives heartbeats when idle
constexpr std::size_t kPublishBatch = 256;   // between reads, so acks and deliveries keep up
constexpr std::size_t kFramesPerRead = 256;  // between publishes and binding changes

// The current connection failed: the link reports it and reconnects.
struct LinkError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

amqp_bytes_t bytes(std::string_view text) {
  return amqp_bytes_t{text.size(), const_cast<char*>(text.data())};
}

std::string text(amqp_bytes_t b) {
  if (b.len == 0) return {};
  return std::string(static_cast<const char*>(b.bytes), b.len);
}

timeval to_timeval(std::chrono::milliseconds ms) {
  const auto count = ms.count();
  return timeval{static_cast<time_t>(count / 1000), static_cast<suseconds_t>(count % 1000 * 1000)};
}

std::string describe(const amqp_rpc_reply_t& reply) {
  switch (reply.reply_type) {
    case AMQP_RESPONSE_NORMAL:
      return "ok";
    case AMQP_RESPONSE_NONE:
      return "no reply";
    case AMQP_RESPONSE_LIBRARY_EXCEPTION:
      return amqp_error_string2(reply.library_error);
    case AMQP_RESPONSE_SERVER_EXCEPTION:
      if (reply.reply.id == AMQP_CONNECTION_CLOSE_METHOD) {
        const auto* m = static_cast<const amqp_connection_close_t*>(reply.reply.decoded);
        return fmt::format("connection closed by the broker: {} {}", m->reply_code,
                           text(m->reply_text));
      }
      if (reply.reply.id == AMQP_CHANNEL_CLOSE_METHOD) {
        const auto* m = static_cast<const amqp_channel_close_t*>(reply.reply.decoded);
        return fmt::format("channel closed by the broker: {} {}", m->reply_code,
                           text(m->reply_text));
      }
      return fmt::format("unexpected method 0x{:08x}", reply.reply.id);
  }
  return "unknown reply";
}

template <class Handler, class... Args>
void invoke(std::string_view what, const Handler& handler, Args&&... args) {
  if (!handler) return;
  try {
    handler(std::forward<Args>(args)...);
  } catch (const std::exception& e) {
    spdlog::error("amqp: the {} handler threw: {}", what, e.what());
  }
}

void check_short_string(std::string_view what, std::string_view value) {
  if (value.size() > kMaxShortString) {
    throw std::invalid_argument(fmt::format("AMQP {} '{}...' is {} bytes; the limit is {}", what,
                                            value.substr(0, 32), value.size(), kMaxShortString));
  }
}

void validate(const AmqpConfig& config) {
  const auto& id = config.node_id;
  const bool id_ok =
      !id.empty() && id.size() <= kMaxNodeId && std::all_of(id.begin(), id.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '.' || c == '_' || c == '-';
      });
  if (!id_ok) {
    throw std::invalid_argument(fmt::format(
        "AMQP node id '{}' must be 1 to {} characters of [A-Za-z0-9._-]", id, kMaxNodeId));
  }
  if (config.exchange.empty()) throw std::invalid_argument("AMQP exchange name must not be empty");
  check_short_string("exchange name", config.exchange);
  if (config.reconnect_min.count() <= 0 || config.reconnect_max < config.reconnect_min) {
    throw std::invalid_argument(
        fmt::format("AMQP reconnect delays must satisfy 0 < min <= max, got min {} ms, max {} ms",
                    config.reconnect_min.count(), config.reconnect_max.count()));
  }
  if (config.outbox_limit == 0) throw std::invalid_argument("AMQP outbox limit must be positive");
  if (config.heartbeat.count() < 0 || config.heartbeat.count() > 65535) {
    throw std::invalid_argument(
        fmt::format("AMQP heartbeat must be 0 to 65535 s, got {} s", config.heartbeat.count()));
  }
  if (config.connect_timeout.count() <= 0) {
    throw std::invalid_argument("AMQP connect timeout must be positive");
  }
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// URL

std::string AmqpEndpoint::redacted() const {
  return fmt::format("amqp://{}:***@{}:{}/{}", user, host, port, vhost == "/" ? "" : vhost);
}

AmqpEndpoint parse_amqp_url(std::string_view url) {
  // The URL without its password, for the error message.
  auto masked = [&] {
    std::string shown(url);
    const auto scheme = shown.find("://");
    const auto at = shown.rfind('@');
    if (scheme == std::string::npos || at == std::string::npos || at < scheme) return shown;
    const auto colon = shown.find(':', scheme + 3);
    if (colon != std::string::npos && colon < at) shown.replace(colon + 1, at - colon - 1, "***");
    return shown;
  };
  auto fail = [&](std::string_view rule) {
    return std::invalid_argument(fmt::format("AMQP URL '{}': {}", masked(), rule));
  };
  if (url.starts_with("amqps://")) throw fail("amqps (TLS) is not supported yet; use amqp://");
  if (!url.starts_with("amqp://")) throw fail("must start with amqp://");

  std::string buffer(url);  // amqp_parse_url writes into its input
  amqp_connection_info info{};
  if (amqp_parse_url(buffer.data(), &info) != AMQP_STATUS_OK) {
    throw fail("expected amqp://user:password@host:port/vhost");
  }
  AmqpEndpoint endpoint;
  endpoint.user = info.user;
  endpoint.password = info.password;
  endpoint.host = info.host;
  endpoint.port = info.port;
  endpoint.vhost = info.vhost;
  if (endpoint.host.empty()) throw fail("host is empty");
  if (endpoint.port <= 0) throw fail("port must be 1 to 65535");
  // "amqp://host/" names the empty vhost in the AMQP URI spec, but everyone means "/".
  if (endpoint.vhost.empty()) endpoint.vhost = "/";
  return endpoint;
}

std::string_view to_string(LinkState state) {
  switch (state) {
    case LinkState::connecting:
      return "connecting";
    case LinkState::up:
      return "up";
    case LinkState::down:
      return "down";
  }
  return "unknown";
}

// ---------------------------------------------------------------------------------------------
// Connection: the rabbitmq-c state (which owns the socket).

class AmqpLink::Connection {
 public:
  Connection() : state_(amqp_new_connection()) {
    if (state_ == nullptr) throw LinkError("amqp_new_connection failed");
  }
  ~Connection() { amqp_destroy_connection(state_); }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  amqp_connection_state_t get() const { return state_; }

 private:
  amqp_connection_state_t state_;
};

// ---------------------------------------------------------------------------------------------
// Session: one connection's life on the link thread.

struct AmqpLink::Unconfirmed {
  Publish message;  // kept to publish again if the connection drops before the ack
  bool settled = false;
};

class AmqpLink::Session {
 public:
  // `unconfirmed` outlives the session: run() reports what is left once the status says down.
  Session(AmqpLink& link, amqp_connection_state_t conn, std::deque<Unconfirmed>& unconfirmed)
      : link_(link), conn_(conn), unconfirmed_(unconfirmed) {}
  ~Session() {
    std::lock_guard lock(link_.mutex_);
    link_.socket_fd_ = -1;
  }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  void open();
  void serve();
  void close();

 private:
  void check(const amqp_rpc_reply_t& reply, std::string_view what);
  void declare_exchange();
  void apply_bindings();
  bool publish_outbox();
  void publish_one(Publish& message);
  void read_frames();
  void on_method(const amqp_frame_t& frame);
  void deliver(const amqp_basic_deliver_t& method);
  void settle(std::uint64_t tag, bool multiple, bool confirmed);
  void wait_readable(std::chrono::milliseconds timeout);

  AmqpLink& link_;
  amqp_connection_state_t conn_;
  int fd_ = -1;
  std::set<std::string> applied_;         // routing keys bound on this connection
  std::deque<Unconfirmed>& unconfirmed_;  // delivery tags first_tag_, first_tag_ + 1, ...
  std::uint64_t first_tag_ = 1;           // confirm.select numbers publishes from 1
  std::vector<Publish> batch_;
  std::vector<amqp_table_entry_t> entries_;
};

void AmqpLink::Session::check(const amqp_rpc_reply_t& reply, std::string_view what) {
  if (reply.reply_type == AMQP_RESPONSE_NORMAL) return;
  LinkError error(fmt::format("{}: {}", what, describe(reply)));
  if (reply.reply_type == AMQP_RESPONSE_SERVER_EXCEPTION &&
      reply.reply.id == AMQP_CONNECTION_CLOSE_METHOD) {
    amqp_connection_close_ok_t ok{};
    amqp_send_method(conn_, 0, AMQP_CONNECTION_CLOSE_OK_METHOD, &ok);
  }
  throw error;
}

void AmqpLink::Session::open() {
  const auto& config = link_.config_;
  const auto& endpoint = link_.endpoint_;
  amqp_socket_t* socket = amqp_tcp_socket_new(conn_);
  if (socket == nullptr) throw LinkError("amqp_tcp_socket_new failed");
  timeval connect_timeout = to_timeval(config.connect_timeout);
  const int rc =
      amqp_socket_open_noblock(socket, endpoint.host.c_str(), endpoint.port, &connect_timeout);
  if (rc != AMQP_STATUS_OK) {
    throw LinkError(
        fmt::format("connect to {}:{}: {}", endpoint.host, endpoint.port, amqp_error_string2(rc)));
  }
  fd_ = amqp_socket_get_sockfd(socket);
  {
    std::lock_guard lock(link_.mutex_);
    if (link_.stopping_) throw LinkError("stopping");
    link_.socket_fd_ = fd_;
  }
  timeval rpc_timeout = to_timeval(kRpcTimeout);
  amqp_set_handshake_timeout(conn_, &rpc_timeout);
  amqp_set_rpc_timeout(conn_, &rpc_timeout);

  check(amqp_login(conn_, endpoint.vhost.c_str(), 0, kFrameMax,
                   static_cast<int>(config.heartbeat.count()), AMQP_SASL_METHOD_PLAIN,
                   endpoint.user.c_str(), endpoint.password.c_str()),
        fmt::format("login to {}", endpoint.redacted()));
  amqp_channel_open(conn_, kChannel);
  check(amqp_get_rpc_reply(conn_), "channel.open");
  declare_exchange();
  // Durable with an expiry rather than exclusive auto-delete: see the header.
  std::array<amqp_table_entry_t, 3> args{};
  args[0].key = amqp_cstring_bytes("x-expires");
  args[0].value.kind = AMQP_FIELD_KIND_I64;
  args[0].value.value.i64 =
      std::chrono::duration_cast<std::chrono::milliseconds>(link_.config_.queue_expiry).count();
  args[1].key = amqp_cstring_bytes("x-max-length");
  args[1].value.kind = AMQP_FIELD_KIND_I64;
  args[1].value.value.i64 = static_cast<std::int64_t>(link_.config_.queue_max_length);
  args[2].key = amqp_cstring_bytes("x-overflow");
  args[2].value.kind = AMQP_FIELD_KIND_UTF8;
  args[2].value.value.bytes = amqp_cstring_bytes("drop-head");
  amqp_queue_declare(conn_, kChannel, bytes(link_.queue_), /*passive=*/0, /*durable=*/1,
                     /*exclusive=*/0, /*auto_delete=*/0,
                     amqp_table_t{static_cast<int>(args.size()), args.data()});
  check(amqp_get_rpc_reply(conn_), fmt::format("queue.declare {}", link_.queue_));
  amqp_confirm_select(conn_, kChannel);
  check(amqp_get_rpc_reply(conn_), "confirm.select");
  amqp_basic_consume(conn_, kChannel, bytes(link_.queue_), amqp_empty_bytes, /*no_local=*/0,
                     /*no_ack=*/1, /*exclusive=*/1, amqp_empty_table);
  check(amqp_get_rpc_reply(conn_), fmt::format("basic.consume {}", link_.queue_));
  {
    std::lock_guard lock(link_.mutex_);
    link_.changed_.insert(link_.wanted_.begin(), link_.wanted_.end());
  }
  apply_bindings();
}

// A durable topic exchange; if one exists with other properties (406), use it as it is.
void AmqpLink::Session::declare_exchange() {
  const auto& name = link_.config_.exchange;
  amqp_exchange_declare(conn_, kChannel, bytes(name), bytes("topic"), /*passive=*/0,
                        /*durable=*/1, /*auto_delete=*/0, /*internal=*/0, amqp_empty_table);
  const auto reply = amqp_get_rpc_reply(conn_);
  if (reply.reply_type == AMQP_RESPONSE_NORMAL) return;
  const bool precondition =
      reply.reply_type == AMQP_RESPONSE_SERVER_EXCEPTION &&
      reply.reply.id == AMQP_CHANNEL_CLOSE_METHOD &&
      static_cast<const amqp_channel_close_t*>(reply.reply.decoded)->reply_code ==
          AMQP_PRECONDITION_FAILED;
  if (!precondition) check(reply, fmt::format("exchange.declare {}", name));
  spdlog::warn("amqp: exchange {} exists with other properties ({}); using it as it is", name,
               describe(reply));
  amqp_channel_close_ok_t ok{};
  if (amqp_send_method(conn_, kChannel, AMQP_CHANNEL_CLOSE_OK_METHOD, &ok) != AMQP_STATUS_OK) {
    throw LinkError("channel.close-ok failed");
  }
  amqp_channel_open(conn_, kChannel);
  check(amqp_get_rpc_reply(conn_), "channel.open");
  amqp_exchange_declare(conn_, kChannel, bytes(name), bytes("topic"), /*passive=*/1, 0, 0, 0,
                        amqp_empty_table);
  check(amqp_get_rpc_reply(conn_), fmt::format("exchange.declare (passive) {}", name));
}

void AmqpLink::Session::apply_bindings() {
  std::vector<std::pair<std::string, bool>> todo;
  {
    std::lock_guard lock(link_.mutex_);
    if (link_.changed_.empty()) return;
    todo.reserve(link_.changed_.size());
    for (const auto& key : link_.changed_) todo.emplace_back(key, link_.wanted_.contains(key));
    link_.changed_.clear();
  }
  const auto exchange = bytes(link_.config_.exchange);
  const auto queue = bytes(link_.queue_);
  for (const auto& [key, wanted] : todo) {
    if (wanted == applied_.contains(key)) continue;
    if (wanted) {
      amqp_queue_bind(conn_, kChannel, queue, exchange, bytes(key), amqp_empty_table);
      check(amqp_get_rpc_reply(conn_), fmt::format("queue.bind {}", key));
      applied_.insert(key);
    } else {
      amqp_queue_unbind(conn_, kChannel, queue, exchange, bytes(key), amqp_empty_table);
      check(amqp_get_rpc_reply(conn_), fmt::format("queue.unbind {}", key));
      applied_.erase(key);
    }
    spdlog::debug("amqp: {} {} {} {}", wanted ? "bound" : "unbound", link_.queue_,
                  link_.config_.exchange, key);
  }
}

// Sends up to one batch from the outbox; true when more is ready to send right away.
bool AmqpLink::Session::publish_outbox() {
  const std::size_t limit = link_.config_.outbox_limit;
  {
    std::lock_guard lock(link_.mutex_);
    const std::size_t room = unconfirmed_.size() < limit ? limit - unconfirmed_.size() : 0;
    const std::size_t n = std::min({link_.outbox_.size(), kPublishBatch, room});
    for (std::size_t i = 0; i < n; ++i) {
      batch_.push_back(std::move(link_.outbox_.front()));
      link_.outbox_.pop_front();
    }
  }
  std::size_t sent = 0;
  try {
    for (; sent < batch_.size(); ++sent) publish_one(batch_[sent]);
  } catch (...) {
    // Not sent: back to the front of the outbox, in order, for the next connection.
    std::lock_guard lock(link_.mutex_);
    link_.outbox_.insert(link_.outbox_.begin(), std::make_move_iterator(batch_.begin() + sent + 1),
                         std::make_move_iterator(batch_.end()));
    batch_.clear();
    throw;
  }
  batch_.clear();
  std::lock_guard lock(link_.mutex_);
  return !link_.outbox_.empty() && unconfirmed_.size() < limit;
}

void AmqpLink::Session::publish_one(Publish& message) {
  amqp_basic_properties_t props{};
  props._flags = AMQP_BASIC_DELIVERY_MODE_FLAG | AMQP_BASIC_APP_ID_FLAG;
  props.delivery_mode = 1;  // transient: signaling is worthless after a broker restart
  props.app_id = bytes(link_.config_.node_id);
  if (!message.headers.empty()) {
    entries_.clear();
    for (const auto& [key, value] : message.headers) {
      amqp_table_entry_t entry{};
      entry.key = bytes(key);
      entry.value.kind = AMQP_FIELD_KIND_UTF8;
      entry.value.value.bytes = bytes(value);
      entries_.push_back(entry);
    }
    props._flags |= AMQP_BASIC_HEADERS_FLAG;
    props.headers = amqp_table_t{static_cast<int>(entries_.size()), entries_.data()};
  }
  const int rc = amqp_basic_publish(conn_, kChannel, bytes(message.exchange),
                                    bytes(message.routing_key), /*mandatory=*/0,
                                    /*immediate=*/0, &props, bytes(message.body));
  spdlog::debug("amqp: published {} bytes to '{}' key '{}' (tag {})", message.body.size(),
                message.exchange, message.routing_key, first_tag_ + unconfirmed_.size());
  // Even a failed write may have reached the broker: it is unconfirmed, sent again later.
  unconfirmed_.push_back(Unconfirmed{std::move(message)});
  if (rc != AMQP_STATUS_OK)
    throw LinkError(fmt::format("basic.publish: {}", amqp_error_string2(rc)));
  link_.counters_.published.fetch_add(1, std::memory_order_relaxed);
}

void AmqpLink::Session::read_frames() {
  for (std::size_t i = 0; i < kFramesPerRead; ++i) {
    amqp_maybe_release_buffers(conn_);
    amqp_frame_t frame{};
    timeval zero{0, 0};
    const int rc = amqp_simple_wait_frame_noblock(conn_, &frame, &zero);
    if (rc == AMQP_STATUS_TIMEOUT) return;
    if (rc != AMQP_STATUS_OK) {
      throw LinkError(fmt::format("connection lost: {}", amqp_error_string2(rc)));
    }
    if (frame.frame_type == AMQP_FRAME_METHOD) on_method(frame);
  }
}

void AmqpLink::Session::on_method(const amqp_frame_t& frame) {
  const auto& method = frame.payload.method;
  switch (method.id) {
    case AMQP_BASIC_DELIVER_METHOD:
      deliver(*static_cast<const amqp_basic_deliver_t*>(method.decoded));
      return;
    case AMQP_BASIC_ACK_METHOD: {
      const auto* ack = static_cast<const amqp_basic_ack_t*>(method.decoded);
      settle(ack->delivery_tag, ack->multiple != 0, true);
      return;
    }
    case AMQP_BASIC_NACK_METHOD: {
      const auto* nack = static_cast<const amqp_basic_nack_t*>(method.decoded);
      settle(nack->delivery_tag, nack->multiple != 0, false);
      return;
    }
    case AMQP_BASIC_RETURN_METHOD: {  // not expected: nothing is published mandatory
      amqp_message_t message{};
      check(amqp_read_message(conn_, frame.channel, &message, 0), "reading a returned message");
      amqp_destroy_message(&message);
      return;
    }
    case AMQP_BASIC_CANCEL_METHOD:
      throw LinkError(fmt::format("the broker cancelled the consumer of {}", link_.queue_));
    case AMQP_CHANNEL_CLOSE_METHOD: {
      const auto* close = static_cast<const amqp_channel_close_t*>(method.decoded);
      const std::string why = text(close->reply_text);
      amqp_channel_close_ok_t ok{};
      amqp_send_method(conn_, frame.channel, AMQP_CHANNEL_CLOSE_OK_METHOD, &ok);
      throw LinkError(fmt::format("channel closed by the broker: {} {}", close->reply_code, why));
    }
    case AMQP_CONNECTION_CLOSE_METHOD: {
      const auto* close = static_cast<const amqp_connection_close_t*>(method.decoded);
      const std::string why = text(close->reply_text);
      amqp_connection_close_ok_t ok{};
      amqp_send_method(conn_, 0, AMQP_CONNECTION_CLOSE_OK_METHOD, &ok);
      throw LinkError(
          fmt::format("connection closed by the broker: {} {}", close->reply_code, why));
    }
    case AMQP_CONNECTION_BLOCKED_METHOD:
      spdlog::warn("amqp: the broker blocked publishing (resource alarm)");
      return;
    case AMQP_CONNECTION_UNBLOCKED_METHOD:
      spdlog::info("amqp: the broker unblocked publishing");
      return;
    default:
      spdlog::debug("amqp: ignored method 0x{:08x}", method.id);
  }
}

void AmqpLink::Session::deliver(const amqp_basic_deliver_t& method) {
  Delivery delivery;
  delivery.exchange = text(method.exchange);
  delivery.routing_key = text(method.routing_key);
  amqp_message_t message{};
  check(amqp_read_message(conn_, kChannel, &message, 0), "reading a delivery");
  const auto& props = message.properties;
  if ((props._flags & AMQP_BASIC_APP_ID_FLAG) != 0) delivery.from_node = text(props.app_id);
  if ((props._flags & AMQP_BASIC_HEADERS_FLAG) != 0) {
    for (int i = 0; i < props.headers.num_entries; ++i) {
      const auto& entry = props.headers.entries[i];
      if (entry.value.kind != AMQP_FIELD_KIND_UTF8 && entry.value.kind != AMQP_FIELD_KIND_BYTES) {
        continue;
      }
      delivery.headers.emplace_back(text(entry.key), text(entry.value.value.bytes));
    }
  }
  delivery.body = text(message.body);
  amqp_destroy_message(&message);
  link_.counters_.consumed.fetch_add(1, std::memory_order_relaxed);
  spdlog::debug("amqp: delivery of {} bytes from '{}' key '{}'", delivery.body.size(),
                delivery.exchange, delivery.routing_key);
  invoke("delivery", link_.on_delivery_, std::move(delivery));
}

void AmqpLink::Session::settle(std::uint64_t tag, bool multiple, bool confirmed) {
  auto finish = [&](Unconfirmed& u) {
    if (u.settled) return;
    u.settled = true;
    auto& counter = confirmed ? link_.counters_.confirmed : link_.counters_.nacked;
    counter.fetch_add(1, std::memory_order_relaxed);
    invoke("on_done", u.message.on_done, confirmed);
    u.message = Publish{};  // settled: the body is no longer needed
  };
  if (multiple && tag == 0) tag = first_tag_ + unconfirmed_.size() - 1;  // 0 means all
  if (tag < first_tag_ || tag - first_tag_ >= unconfirmed_.size()) {
    spdlog::debug("amqp: {} for unknown delivery tag {}", confirmed ? "ack" : "nack", tag);
    return;
  }
  const std::size_t index = tag - first_tag_;
  if (multiple) {
    for (std::size_t i = 0; i <= index; ++i) finish(unconfirmed_[i]);
  } else {
    finish(unconfirmed_[index]);
  }
  while (!unconfirmed_.empty() && unconfirmed_.front().settled) {
    unconfirmed_.pop_front();
    ++first_tag_;
  }
}

// Waits for the socket (or buffered frames) or a wake-up, at most `timeout`.
void AmqpLink::Session::wait_readable(std::chrono::milliseconds timeout) {
  if (amqp_frames_enqueued(conn_) != 0 || amqp_data_in_buffer(conn_) != 0) return;
  std::array<pollfd, 2> fds{pollfd{link_.wake_fd_, POLLIN, 0}, pollfd{fd_, POLLIN, 0}};
  const int rc = ::poll(fds.data(), fds.size(), static_cast<int>(timeout.count()));
  if (rc < 0 && errno != EINTR) {
    throw LinkError(fmt::format("poll: {}", std::system_category().message(errno)));
  }
  if ((fds[0].revents & POLLIN) != 0) {
    std::uint64_t count = 0;
    [[maybe_unused]] const auto n = ::read(link_.wake_fd_, &count, sizeof count);
  }
}

void AmqpLink::Session::serve() {
  while (!link_.stopping()) {
    apply_bindings();
    const bool more = publish_outbox();
    wait_readable(more ? std::chrono::milliseconds(0) : kIdlePoll);
    read_frames();  // also sends heartbeats when due
  }
}

// Stopping: give outstanding confirms a moment, then close the connection properly.
void AmqpLink::Session::close() {
  const auto deadline = std::chrono::steady_clock::now() + kGracefulClose;
  while (!unconfirmed_.empty() && std::chrono::steady_clock::now() < deadline) {
    wait_readable(std::chrono::milliseconds(20));
    read_frames();
  }
  amqp_connection_close(conn_, AMQP_REPLY_SUCCESS);
}

// ---------------------------------------------------------------------------------------------
// AmqpLink

std::string AmqpLink::queue_for(std::string_view node_id) {
  return fmt::format("parley.node.{}", node_id);
}

AmqpLink::AmqpLink(AmqpConfig config, DeliveryHandler on_delivery, StatusHandler on_status)
    : config_((validate(config), std::move(config))),
      endpoint_(parse_amqp_url(config_.url)),
      queue_(queue_for(config_.node_id)),
      on_delivery_(std::move(on_delivery)),
      on_status_(std::move(on_status)),
      wake_fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
  if (wake_fd_ < 0) throw std::system_error(errno, std::system_category(), "eventfd");
}

AmqpLink::~AmqpLink() {
  stop();
  ::close(wake_fd_);
}

void AmqpLink::start() {
  std::lock_guard lock(mutex_);
  if (started_) throw std::logic_error("AmqpLink::start called twice");
  started_ = true;
  status_.state = LinkState::connecting;
  thread_ = std::thread([this] { run(); });
}

void AmqpLink::stop() {
  std::unique_lock lock(mutex_);
  stopping_ = true;
  if (!thread_.joinable()) {  // never started (or already stopped): settle what waits
    lock.unlock();
    fail_outbox();
    return;
  }
  cv_.notify_all();
  wake();
  // A connected link closes itself; a call blocked on a silent broker is cut short.
  if (!cv_.wait_for(lock, kStopCut, [&] { return exited_; })) {
    while (!exited_) {
      if (socket_fd_ >= 0) ::shutdown(socket_fd_, SHUT_RDWR);
      cv_.wait_for(lock, std::chrono::milliseconds(100), [&] { return exited_; });
    }
  }
  lock.unlock();
  thread_.join();
}

bool AmqpLink::publish(Publish message) {
  check_short_string("exchange name", message.exchange);
  check_short_string("routing key", message.routing_key);
  for (const auto& header : message.headers) check_short_string("header name", header.first);
  {
    std::unique_lock lock(mutex_);
    if (stopping_) return false;
    if (outbox_.size() < config_.outbox_limit) {
      // Only the first message wakes the link thread: it drains the outbox before waiting.
      const bool was_empty = outbox_.empty();
      outbox_.push_back(std::move(message));
      lock.unlock();
      if (was_empty) wake();
      return true;
    }
  }
  counters_.outbox_dropped.fetch_add(1, std::memory_order_relaxed);
  const auto now = std::chrono::steady_clock::now().time_since_epoch();
  const auto now_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(now).count();
  auto last = last_drop_warning_.load(std::memory_order_relaxed);
  if (now_ns - last >= std::chrono::nanoseconds(std::chrono::seconds(1)).count() &&
      last_drop_warning_.compare_exchange_strong(last, now_ns)) {
    const auto total = counters_.outbox_dropped.load(std::memory_order_relaxed);
    spdlog::warn("amqp: outbox full ({} messages): refused {} publishes since the last warning",
                 config_.outbox_limit, total - drops_reported_.exchange(total));
  }
  return false;
}

void AmqpLink::bind(std::string routing_key) {
  check_short_string("routing key", routing_key);
  std::lock_guard lock(mutex_);
  if (!wanted_.insert(routing_key).second) return;
  changed_.insert(std::move(routing_key));
  wake();
}

void AmqpLink::unbind(std::string routing_key) {
  check_short_string("routing key", routing_key);
  std::lock_guard lock(mutex_);
  if (wanted_.erase(routing_key) == 0) return;
  changed_.insert(std::move(routing_key));
  wake();
}

LinkStatus AmqpLink::status() const {
  std::lock_guard lock(mutex_);
  return status_;
}

AmqpLink::Stats AmqpLink::stats() const {
  auto get = [](const std::atomic<std::uint64_t>& c) { return c.load(std::memory_order_relaxed); };
  Stats stats;
  stats.published = get(counters_.published);
  stats.confirmed = get(counters_.confirmed);
  stats.nacked = get(counters_.nacked);
  stats.failed = get(counters_.failed);
  stats.republished = get(counters_.republished);
  stats.consumed = get(counters_.consumed);
  stats.outbox_dropped = get(counters_.outbox_dropped);
  stats.reconnects = get(counters_.reconnects);
  return stats;
}

void AmqpLink::wake() const {
  const std::uint64_t one = 1;
  [[maybe_unused]] const auto n = ::write(wake_fd_, &one, sizeof one);
}

bool AmqpLink::stopping() const {
  std::lock_guard lock(mutex_);
  return stopping_;
}

void AmqpLink::set_status(LinkState state, std::string error) {
  LinkStatus copy;
  {
    std::lock_guard lock(mutex_);
    status_ = LinkStatus{state, std::move(error)};
    copy = status_;
  }
  invoke("status", on_status_, copy);
}

void AmqpLink::fail_unconfirmed(std::deque<Unconfirmed>& unconfirmed) {
  std::size_t failed = 0;
  for (auto& u : unconfirmed) {
    if (u.settled) continue;
    u.settled = true;
    ++failed;
    counters_.failed.fetch_add(1, std::memory_order_relaxed);
    invoke("on_done", u.message.on_done, false);
  }
  unconfirmed.clear();
  if (failed > 0) spdlog::info("amqp: {} published messages lost their confirm", failed);
}

void AmqpLink::requeue_unconfirmed(std::deque<Unconfirmed>& unconfirmed) {
  std::deque<Publish> again;
  for (auto& u : unconfirmed) {
    if (!u.settled) again.push_back(std::move(u.message));
  }
  unconfirmed.clear();
  if (again.empty()) return;
  counters_.republished.fetch_add(again.size(), std::memory_order_relaxed);
  spdlog::info("amqp: {} messages lost their confirm with the connection; sending them again",
               again.size());
  std::lock_guard lock(mutex_);
  outbox_.insert(outbox_.begin(), std::make_move_iterator(again.begin()),
                 std::make_move_iterator(again.end()));
}

void AmqpLink::fail_outbox() {
  std::deque<Publish> left;
  {
    std::lock_guard lock(mutex_);
    left.swap(outbox_);
  }
  for (auto& message : left) {
    counters_.failed.fetch_add(1, std::memory_order_relaxed);
    invoke("on_done", message.on_done, false);
  }
}

void AmqpLink::run() {
  pthread_setname_np(pthread_self(), "amqp-link");
  std::mt19937_64 random{std::random_device{}()};
  auto delay = config_.reconnect_min;
  bool ever_up = false;
  std::string last_error;
  std::deque<Unconfirmed> unconfirmed;
  while (!stopping()) {
    set_status(LinkState::connecting, last_error);
    bool was_up = false;
    std::string error;
    try {
      Connection connection;
      Session session(*this, connection.get(), unconfirmed);
      session.open();
      was_up = true;
      if (ever_up) counters_.reconnects.fetch_add(1, std::memory_order_relaxed);
      ever_up = true;
      delay = config_.reconnect_min;
      spdlog::info("amqp: connected to {} as {}", endpoint_.redacted(), queue_);
      set_status(LinkState::up, {});
      session.serve();
      session.close();
    } catch (const std::exception& e) {
      error = e.what();
    }
    if (stopping()) break;
    set_status(LinkState::down, error);
    requeue_unconfirmed(unconfirmed);
    // Equal jitter: half the delay fixed, half random, so restarted nodes do not stampede.
    const auto jittered =
        std::max(config_.reconnect_min,
                 std::chrono::milliseconds(std::uniform_int_distribution<std::int64_t>(
                     delay.count() / 2, delay.count())(random)));
    if (was_up || error != last_error) {
      spdlog::info("amqp: {} {}: {}; retrying in {} ms",
                   was_up ? "lost the connection to" : "cannot connect to", endpoint_.redacted(),
                   error, jittered.count());
    } else {
      spdlog::debug("amqp: still cannot connect to {}: {}", endpoint_.redacted(), error);
    }
    last_error = error;
    delay = std::min(config_.reconnect_max, delay * 2);
    std::unique_lock lock(mutex_);
    cv_.wait_for(lock, jittered, [&] { return stopping_; });
  }
  set_status(LinkState::down, "stopped");
  fail_unconfirmed(unconfirmed);
  fail_outbox();
  std::lock_guard lock(mutex_);
  exited_ = true;
  cv_.notify_all();
}

}  // namespace parley::cluster
