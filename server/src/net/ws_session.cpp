#include "net/ws_session.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>

#include "net/utf8.hpp"
#include "net/websocket_options.hpp"

namespace parley::net {

namespace {
constexpr std::size_t kReadChunk = 16 * 1024;
// An idle session should not keep a buffer grown by one large message.
constexpr std::size_t kIdleBufferCapacity = 4 * 1024;
// Bounds of one coalesced WebSocket message.
constexpr std::size_t kMaxBatchFrames = 64;
constexpr std::size_t kMaxBatchBytes = 256 * 1024;
}  // namespace

template <typename Stream>
WsSession<Stream>::WsSession(Stream stream, ConnectionSlot slot, Context& context,
                             stomp::Version max_version, std::string subprotocol)
    : ws_(std::move(stream)),
      slot_(std::move(slot)),
      context_(context),
      subprotocol_(std::move(subprotocol)),
      session_(context.next_session.fetch_add(1), context.broker, context.stomp, *this,
               context.metrics, max_version),
      timer_(ws_.get_executor()) {}

template <typename Stream>
WsSession<Stream>::~WsSession() {
  context_.untrack(track_key_);
}

template <typename Stream>
void WsSession<Stream>::run(http::request<http::string_body> request) {
  // The STOMP parser bounds each frame; this only bounds one WebSocket message.
  prepare_websocket(ws_, context_.net, subprotocol_,
                    context_.stomp.parser.max_frame_bytes * 16 + kReadChunk);
  ws_.async_accept(request,
                   beast::bind_front_handler(&WsSession::on_accept, this->shared_from_this()));
}

template <typename Stream>
void WsSession<Stream>::on_accept(beast::error_code ec) {
  if (ec) {
    spdlog::debug("websocket handshake failed: {}", ec.message());
    return;
  }
  track_key_ = context_.track(this->weak_from_this());
  context_.broker.connect(session_.id(), this->shared_from_this());
  session_.start(stomp::Clock::now());
  if (context_.stopping) {
    session_.shutdown();
    return;
  }
  arm_timer();
  do_read();
}

template <typename Stream>
void WsSession<Stream>::do_read() {
  ws_.async_read_some(buffer_, kReadChunk,
                      beast::bind_front_handler(&WsSession::on_read, this->shared_from_this()));
}

template <typename Stream>
void WsSession<Stream>::on_read(beast::error_code ec, std::size_t) {
  if (ec) {
    if (ec == websocket::error::message_too_big) {
      // Beast closes with 1009; a STOMP frame cannot be larger than its message anyway.
      context_.limit_hit("ws_message_bytes",
                         fmt::format("session {}: WebSocket message over the limit, closing (1009)",
                                     session_.id()));
    }
    if (ec != websocket::error::closed && ec != boost::asio::error::operation_aborted) {
      spdlog::debug("session {}: read ended: {}", session_.id(), ec.message());
    }
    finish();
    return;
  }
  auto data = buffer_.cdata();
  // Stopping: nothing more is accepted (no receipt); the shutdown ERROR follows.
  if (context_.enter()) {
    session_.on_data(std::string_view(static_cast<const char*>(data.data()), data.size()),
                     stomp::Clock::now());
    context_.leave();
  }
  buffer_.consume(buffer_.size());
  if (buffer_.capacity() > kIdleBufferCapacity) buffer_.shrink_to_fit();
  if (session_.closed()) return;  // the session asked to close; the write path finishes it
  if (session_.connected() != was_connected_) {
    was_connected_ = session_.connected();
    arm_timer();  // heart-beat intervals are known now
  }
  do_read();
}

template <typename Stream>
void WsSession<Stream>::deliver(const std::string& subscription, const std::string& ack_id,
                                bool redelivered, const broker::MessagePtr& message) {
  boost::asio::post(ws_.get_executor(),
                    [self = this->shared_from_this(), subscription, ack_id, redelivered, message] {
                      self->session_.on_delivery(subscription, ack_id, redelivered, message);
                    });
}

template <typename Stream>
void WsSession<Stream>::write(stomp::Outbound frame) {
  if (finished_ || closing_) return;
  if (queued_bytes_ + frame.size() > context_.net.max_outbound_bytes) {
    context_.slow_consumer(fmt::format("session {}", session_.id()), queued_bytes_ + frame.size(),
                           context_.net.max_outbound_bytes);
    drop("slow consumer");
    return;
  }
  queued_bytes_ += frame.size();
  queue_.push_back(std::move(frame));
  if (!writing_) next_write();
}

template <typename Stream>
void WsSession<Stream>::next_write() {
  // With the cork (one I/O thread, net/write_cork.hpp) the write waits for its next flush, so
  // more frames may join it: those of a write just started, and those queued during the last.
  if (!queue_.empty() && context_.cork.enabled()) {
    writing_ = true;
    context_.cork.defer(this->shared_from_this());
    return;
  }
  do_write();
}

template <typename Stream>
void WsSession<Stream>::do_write() {
  if (queue_.empty()) {
    writing_ = false;
    if (closing_) do_close();
    return;
  }
  writing_ = true;
  // Everything queued goes out as one WebSocket message (STOMP frames are self-delimiting;
  // clients split a message into frames): one syscall for a burst instead of one per frame.
  gather_.clear();
  batch_ = 0;
  std::size_t bytes = 0;
  bool text = true;
  for (const auto& frame : queue_) {
    if (batch_ > 0 && (batch_ == kMaxBatchFrames || bytes + frame.size() > kMaxBatchBytes)) break;
    gather_.push_back(boost::asio::buffer(frame.head));
    if (!frame.tail.empty())
      gather_.push_back(boost::asio::buffer(frame.tail.data(), frame.tail.size()));
    text = text && valid_utf8(frame.head) && (frame.tail_utf8 || valid_utf8(frame.tail));
    bytes += frame.size();
    ++batch_;
  }
  ws_.text(text);
  ws_.async_write(gather_,
                  beast::bind_front_handler(&WsSession::on_write, this->shared_from_this()));
}

template <typename Stream>
void WsSession<Stream>::on_write(beast::error_code ec, std::size_t) {
  if (ec) {
    spdlog::debug("session {}: write failed: {}", session_.id(), ec.message());
    queue_.clear();
    queued_bytes_ = 0;
    writing_ = false;
    finish();
    return;
  }
  for (; batch_ > 0; --batch_) {
    queued_bytes_ -= queue_.front().size();
    queue_.pop_front();
  }
  next_write();
}

template <typename Stream>
void WsSession<Stream>::close() {
  if (closing_ || finished_) return;
  closing_ = true;
  if (!writing_) do_close();
}

template <typename Stream>
void WsSession<Stream>::do_close() {
  if (finished_) return;
  finish();
  ws_.async_close(websocket::close_code::normal,
                  [self = this->shared_from_this()](beast::error_code) {});
}

template <typename Stream>
void WsSession<Stream>::shutdown() {
  boost::asio::post(ws_.get_executor(),
                    [self = this->shared_from_this()] { self->session_.shutdown(); });
}

template <typename Stream>
void WsSession<Stream>::arm_timer() {
  if (finished_) return;
  const auto next = session_.on_timer(stomp::Clock::now());
  // on_timer() may have ended the session (heart-beat or CONNECT timeout), and finish() may
  // have run: a new wait would keep this connection, and its slot, alive until `next`.
  if (finished_ || session_.closed()) return;
  timer_.expires_at(next);
  timer_.async_wait(beast::bind_front_handler(&WsSession::on_timer, this->shared_from_this()));
}

template <typename Stream>
void WsSession<Stream>::on_timer(beast::error_code ec) {
  if (ec == boost::asio::error::operation_aborted || finished_) return;
  arm_timer();
}

template <typename Stream>
void WsSession<Stream>::drop(std::string_view reason) {
  spdlog::debug("session {}: dropping connection: {}", session_.id(), reason);
  // The frames of a write in flight stay until it completes: its buffers point into them, and
  // on_write() pops them.
  queue_.erase(queue_.begin() + static_cast<std::ptrdiff_t>(writing_ ? batch_ : 0), queue_.end());
  queued_bytes_ = 0;
  for (const auto& frame : queue_) queued_bytes_ += frame.size();
  finish();
  beast::error_code ignored;
  beast::get_lowest_layer(ws_).socket().close(ignored);
}

template <typename Stream>
void WsSession<Stream>::finish() {
  if (finished_) return;
  finished_ = true;
  timer_.cancel();
  session_.on_closed();  // broker.disconnect: rooms emit `leave`
}

template class WsSession<PlainStream>;
template class WsSession<TlsStream>;

}  // namespace parley::net
