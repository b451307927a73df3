#include "sockjs/session.hpp"

#include <utility>

#include "sockjs/framing.hpp"

namespace parley::sockjs {

Session::Session(const SessionConfig& config, Clock::time_point now)
    : config_(config), last_write_(now), detached_since_(now) {}

Delivery Session::attach(ReceiverKind kind, Clock::time_point now) {
  if (receiver_) {
    return {{close_frame(kCloseAnotherConnection, kReasonAnotherConnection)}, true};
  }
  if (state_ == State::closing || state_ == State::closed) {
    detached_since_ = now;  // every visit restarts the wait for expiry, as sockjs-node does
    return farewell(kind);
  }

  receiver_ = kind;
  response_bytes_ = 0;
  last_write_ = now;
  Delivery out;
  if (state_ == State::connecting) {
    state_ = State::open;
    write(out, std::string(open_frame()), now);
  }
  // A polling response carries one frame: "o" alone opens the session.
  if (!out.end) flush_messages(out, now);
  if (out.end) release_receiver(now);
  return out;
}

void Session::detach(Clock::time_point now, DetachCause cause) {
  if (!receiver_) return;
  const ReceiverKind kind = *receiver_;
  release_receiver(now);
  // Messages may have been lost with the connection; tell the next receiver so.
  if (kind != ReceiverKind::websocket && cause == DetachCause::interrupted &&
      state_ == State::open) {
    state_ = State::closing;
    close_frame_ = close_frame(kCloseInterrupted, kReasonInterrupted);
  }
}

SendResult Session::send(std::string message) {
  if (state_ != State::connecting && state_ != State::open) return SendResult::not_open;
  if (buffered_bytes_ + message.size() > config_.max_buffered_bytes) return SendResult::overflow;
  buffered_bytes_ += message.size();
  queue_.push_back(std::move(message));
  return SendResult::queued;
}

Delivery Session::pull(Clock::time_point now) {
  Delivery out;
  if (!receiver_) return out;
  flush_messages(out, now);
  if (out.end) release_receiver(now);
  return out;
}

Delivery Session::close(int code, std::string_view reason, Clock::time_point now) {
  Delivery out;
  if (state_ != State::connecting && state_ != State::open) return out;
  state_ = State::closing;
  close_frame_ = close_frame(code, reason);
  if (!receiver_) return out;
  out = farewell(*receiver_);
  release_receiver(now);
  return out;
}

std::optional<Clock::time_point> Session::next_deadline() const {
  if (state_ == State::closed) return std::nullopt;
  if (receiver_) return last_write_ + config_.heartbeat_interval;
  return detached_since_ + config_.disconnect_delay;
}

Delivery Session::on_timer(Clock::time_point now) {
  Delivery out;
  const auto deadline = next_deadline();
  if (!deadline || now < *deadline) return out;
  if (receiver_) {
    write(out, std::string(heartbeat_frame()), now);
    if (out.end) release_receiver(now);
    return out;
  }
  state_ = State::closed;
  queue_.clear();
  buffered_bytes_ = 0;
  return out;
}

void Session::write(Delivery& out, std::string frame, Clock::time_point now) {
  response_bytes_ += frame.size();
  last_write_ = now;
  out.frames.push_back(std::move(frame));
  const bool full =
      *receiver_ == ReceiverKind::polling ||
      (*receiver_ == ReceiverKind::streaming && response_bytes_ >= config_.response_limit);
  if (full) out.end = true;
}

void Session::flush_messages(Delivery& out, Clock::time_point now) {
  if (!queue_.empty()) write(out, take_batch(), now);
}

std::string Session::take_batch() {
  std::string frame = message_frame(queue_);
  queue_.clear();
  buffered_bytes_ = 0;
  return frame;
}

Delivery Session::farewell(ReceiverKind kind) {
  Delivery out{{}, true};
  if (!queue_.empty()) out.frames.push_back(take_batch());
  // One frame per polling response (a JSONP callback fires once): the close frame then
  // waits for the next poll.
  if (out.frames.empty() || kind != ReceiverKind::polling) {
    out.frames.push_back(close_frame_.empty() ? close_frame(kCloseGoAway, kReasonGoAway)
                                              : close_frame_);
  }
  return out;
}

void Session::release_receiver(Clock::time_point now) {
  const ReceiverKind kind = *receiver_;
  receiver_.reset();
  detached_since_ = now;
  if (kind == ReceiverKind::websocket) state_ = State::closed;
}

}  // namespace parley::sockjs
