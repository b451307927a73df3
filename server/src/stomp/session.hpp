// The STOMP session state machine, transport-agnostic: bytes in, frames out.
//
// A transport (raw WebSocket today, SockJS tomorrow) feeds received bytes to on_data(),
// delivers broker messages through on_delivery() on the session's own executor, calls
// on_timer() when the deadline it was given expires, and on_closed() once when the
// connection is gone. Everything the session wants to send goes through Output.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "app/metrics.hpp"
#include "auth/jwt.hpp"
#include "broker/broker.hpp"
#include "stomp/frame.hpp"
#include "stomp/parser.hpp"

namespace parley::stomp {

using Clock = std::chrono::steady_clock;

// One unit for the transport to write: a per-recipient head plus an optional shared tail,
// so one MESSAGE body serialized once can be queued on many sessions (scatter/gather).
struct Outbound {
  std::string head;
  std::shared_ptr<const void> keep_alive;  // owns the memory `tail` points into
  std::string_view tail;
  bool tail_utf8 = false;  // `tail` is known to be valid UTF-8 (else the writer checks)
  std::size_t size() const { return head.size() + tail.size(); }
};

class Output {
 public:
  virtual ~Output() = default;
  virtual void write(Outbound frame) = 0;
  // Flush what was written, then close the connection.
  virtual void close() = 0;
};

struct SessionConfig {
  std::string server = "parley/" PARLEY_VERSION;
  std::chrono::milliseconds heartbeat_send{1000};   // we can send as often as this
  std::chrono::milliseconds heartbeat_recv{10000};  // we want to hear from clients this often
  double heartbeat_grace = 2.0;  // silence longer than grace × negotiated interval drops
  std::chrono::milliseconds connect_timeout{10000};  // CONNECT must arrive within this
  std::size_t max_subscriptions = 64;
  double rate_limit = 200;  // SEND frames per second; bursts up to 2×
  std::size_t max_transactions = 16;
  std::size_t max_transaction_frames = 1000;
  ParserLimits parser;
  // When set, CONNECT must carry a room token (JWT) in its passcode header.
  std::shared_ptr<const auth::Verifier> verifier;
};

class Session {
 public:
  Session(broker::SessionId id, broker::Broker& broker, const SessionConfig& config, Output& output,
          app::Metrics& metrics, Version max_version = Version::v1_2);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  broker::SessionId id() const { return id_; }
  bool connected() const { return state_ == State::connected; }
  bool closed() const { return state_ == State::closed; }
  Version version() const { return version_; }

  // Must be called once, right after the broker knows this session (broker.connect()).
  void start(Clock::time_point now);
  void on_data(std::string_view bytes, Clock::time_point now);
  void on_delivery(const std::string& subscription, const std::string& ack_id, bool redelivered,
                   const broker::MessagePtr& message);
  // Heart-beats and the CONNECT timeout. Returns the next time on_timer() wants to run.
  Clock::time_point on_timer(Clock::time_point now);
  // Server shutdown: ERROR "server shutting down", then close.
  void shutdown();
  // The connection is gone: leave the broker (rooms emit `leave`). Idempotent.
  void on_closed();

 private:
  enum class State { awaiting_connect, connected, closed };
  struct Transaction {
    std::vector<Frame> frames;
  };

  void handle(Frame& frame, Clock::time_point now);
  void handle_connect(const Frame& frame, Clock::time_point now);
  // Verifies the CONNECT's token and hands its grant to the broker; false after fail().
  bool authenticate(const Frame& frame, Frame& connected);
  // Frames that may run inside a transaction: SEND, ACK, NACK. Returns false on error.
  bool apply(const Frame& frame);
  bool handle_send(const Frame& frame);
  bool handle_ack(const Frame& frame, bool positive);
  void handle_subscribe(const Frame& frame);
  void handle_unsubscribe(const Frame& frame);
  void handle_begin(const Frame& frame);
  void handle_commit_or_abort(const Frame& frame, bool commit);
  void handle_disconnect(const Frame& frame);

  bool take_rate_token(Clock::time_point now);
  void send_receipt(const Frame& frame);
  void send_frame(const Frame& frame);
  // ERROR frame naming the broken rule, then close. `reason` labels the metric.
  // The broker refused a frame: ERROR with its rule, counted as a limit hit when it is one.
  void reject(const broker::Status& status, const Frame& frame);
  void fail(std::string_view reason, std::string_view message, const Frame* offending = nullptr,
            std::string_view detail = {});
  void close_session();

  broker::SessionId id_;
  broker::Broker& broker_;
  const SessionConfig& config_;
  Output& output_;
  app::Metrics& metrics_;
  Version max_version_;
  Version version_ = Version::v1_2;
  State state_ = State::awaiting_connect;
  Parser parser_;
  bool left_broker_ = false;

  Clock::time_point connect_deadline_{};
  std::chrono::milliseconds send_interval_{0};  // 0: we don't send heart-beats
  std::chrono::milliseconds recv_interval_{0};  // 0: we don't check the client's
  Clock::time_point last_sent_{};
  Clock::time_point last_received_{};

  double tokens_ = 0;
  Clock::time_point tokens_at_{};

  std::unordered_map<std::string, bool> subscriptions_;  // id -> client ack mode
  std::unordered_map<std::string, Transaction> transactions_;
  // STOMP 1.0/1.1 ACK by (subscription, message-id); 1.2 acks by the `ack` header we send.
  std::map<std::pair<std::string, std::string>, std::string> legacy_acks_;
};

}  // namespace parley::stomp
