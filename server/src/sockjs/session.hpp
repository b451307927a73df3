// The SockJS session state machine, transport-agnostic and single-threaded: the network
// layer attaches receivers (HTTP responses or a WebSocket), hands it application messages,
// and asks it what to write and when. It never touches a socket or reads a clock; every
// call that depends on time takes `now`.
//
// Lifecycle: connecting --first receiver--> open --close()/interrupted--> closing
//            --no receiver for disconnect_delay--> closed.
// A WebSocket session has no id to reattach with, so it is closed as soon as its receiver
// goes. Once closed() the caller drops the session and ends the application session.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace parley::sockjs {

using Clock = std::chrono::steady_clock;

struct SessionConfig {
  std::chrono::milliseconds heartbeat_interval{25000};  // "h" after this much silence
  std::chrono::milliseconds disconnect_delay{5000};     // expiry without a receiver
  std::size_t response_limit = 128 * 1024;              // frame bytes per HTTP streaming response
  std::size_t max_buffered_bytes = 1024 * 1024;         // queued, not yet delivered message bytes
};

enum class ReceiverKind {
  polling,    // xhr, jsonp: one batch of frames, then the response ends
  streaming,  // xhr_streaming, eventsource, htmlfile: until response_limit bytes
  websocket,  // no response limit; its end ends the session
};

enum class DetachCause {
  finished,     // the caller ended the response normally
  interrupted,  // the connection broke before the session ended it
};

enum class SendResult {
  queued,
  not_open,  // closing or closed: the message is dropped
  overflow,  // max_buffered_bytes would be exceeded: the client is too slow, close it
};

// Frames for the current (or just-rejected) receiver, in order, already SockJS-framed but
// not yet transport-wrapped. When `end` is set the caller finishes the response after
// writing them; the session has already let go of that receiver.
struct Delivery {
  std::vector<std::string> frames;
  bool end = false;
};

class Session {
 public:
  enum class State { connecting, open, closing, closed };

  Session(const SessionConfig& config, Clock::time_point now);

  State state() const { return state_; }
  bool closed() const { return state_ == State::closed; }
  bool receiver_attached() const { return receiver_.has_value(); }
  std::size_t buffered_bytes() const { return buffered_bytes_; }

  // A receiver arrives. The first one of the session gets "o"; a second one while another
  // is attached gets c[2010,...] and leaves the session untouched; on a closing session
  // every receiver gets the pending messages and the close frame. A polling receiver never
  // gets more than one frame.
  Delivery attach(ReceiverKind kind, Clock::time_point now);
  // The receiver is gone. An interrupted HTTP receiver closes the session with
  // c[1002,"Connection interrupted"]; a WebSocket receiver closes it outright.
  void detach(Clock::time_point now, DetachCause cause = DetachCause::finished);

  // Queues an application message for the next delivery (see pull()).
  SendResult send(std::string message);
  // Everything queued, batched into one a[...] frame, for the attached receiver. Call it
  // after send() when a receiver is attached and the previous write has completed.
  Delivery pull(Clock::time_point now);
  // The application (or the server) ends the session: the attached receiver, if any, gets
  // pending messages and c[code,reason] now; later receivers get the close frame until
  // the session expires. Ignored unless connecting or open.
  Delivery close(int code, std::string_view reason, Clock::time_point now);

  // When on_timer() wants to run next; nullopt once closed.
  std::optional<Clock::time_point> next_deadline() const;
  // Heartbeat for the attached receiver, or expiry when none has been attached for
  // disconnect_delay (then closed() is true).
  Delivery on_timer(Clock::time_point now);

 private:
  void write(Delivery& out, std::string frame, Clock::time_point now);
  void release_receiver(Clock::time_point now);
  void flush_messages(Delivery& out, Clock::time_point now);
  std::string take_batch();
  // What a receiver gets from a closing session: pending messages, then the close frame.
  Delivery farewell(ReceiverKind kind);

  SessionConfig config_;
  State state_ = State::connecting;
  std::optional<ReceiverKind> receiver_;
  std::size_t response_bytes_ = 0;    // frame bytes written to the current receiver
  Clock::time_point last_write_;      // heartbeat clock, while a receiver is attached
  Clock::time_point detached_since_;  // disconnect clock, while none is
  std::vector<std::string> queue_;
  std::size_t buffered_bytes_ = 0;
  std::string close_frame_;
};

}  // namespace parley::sockjs
