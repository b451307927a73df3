#include "net/sockjs_receivers.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>

#include "net/http_session.hpp"
#include "net/websocket_options.hpp"
#include "sockjs/framing.hpp"

namespace parley::net {

namespace asio = boost::asio;

namespace {
// Bytes a client may send on a connection that is only receiving (pipelined requests).
constexpr std::size_t kMaxPipelined = 64 * 1024;
// Queued a[...] frames are merged up to this size.
constexpr std::size_t kMaxMergedFrame = 256 * 1024;

std::string chunk(std::string_view data) {
  return fmt::format("{:x}\r\n{}\r\n", data.size(), data);
}
}  // namespace

// ---------------------------------------------------------------------------------------------
// HttpReceiver

template <typename Stream>
HttpReceiver<Stream>::HttpReceiver(Stream stream, ConnectionSlot slot, beast::flat_buffer buffer,
                                   Context& context, sockjs::Transport transport,
                                   std::string callback, std::string head, bool http11,
                                   bool keep_alive)
    : stream_(std::move(stream)),
      slot_(std::move(slot)),
      buffer_(std::move(buffer)),
      context_(context),
      transport_(transport),
      callback_(std::move(callback)),
      head_(std::move(head)),
      polling_(sockjs::receiver_kind(transport) == sockjs::ReceiverKind::polling),
      chunked_(http11),
      keep_alive_(keep_alive) {}

template <typename Stream>
void HttpReceiver<Stream>::start(std::shared_ptr<SockjsSession> session) {
  session_ = std::move(session);
  beast::get_lowest_layer(stream_)
      .expires_never();  // the SockJS heart-beat keeps the response alive
  if (!polling_) {
    // Streaming: the header and the prelude go out now; frames follow as chunks.
    if (chunked_) {
      head_ += "Transfer-Encoding: chunked\r\n\r\n";
    } else {
      keep_alive_ = false;  // HTTP/1.0: the body ends when the connection does
      head_ += "\r\n";
    }
    std::string prelude = sockjs::prelude(transport_, callback_);
    enqueue(std::move(head_));
    if (!prelude.empty()) enqueue(chunked_ ? chunk(prelude) : std::move(prelude));
  }
  watch();
  session_->attach(this->shared_from_this(), *sockjs::receiver_kind(transport_));
}

template <typename Stream>
void HttpReceiver<Stream>::send(std::vector<std::string> frames, bool end) {
  asio::post(stream_.get_executor(), [self = this->shared_from_this(), frames = std::move(frames),
                                      end]() mutable { self->on_send(std::move(frames), end); });
}

template <typename Stream>
void HttpReceiver<Stream>::on_send(std::vector<std::string> frames, bool end) {
  if (done_ || ending_) return;
  if (polling_) {
    std::string body;
    for (const auto& frame : frames) body += sockjs::wrap_frame(transport_, frame, callback_);
    head_ += fmt::format("Content-Length: {}\r\n\r\n", body.size());
    enqueue(std::move(head_) + body);
    ending_ = true;  // a polling response carries one batch
  } else {
    for (const auto& frame : frames) {
      std::string wrapped = sockjs::wrap_frame(transport_, frame, callback_);
      enqueue(chunked_ ? chunk(wrapped) : std::move(wrapped));
    }
    if (end) {
      if (chunked_) enqueue("0\r\n\r\n");
      ending_ = true;
    }
  }
  if (ending_) session_.reset();  // the session has let go of this receiver
  if (!writing_) do_write();
}

template <typename Stream>
void HttpReceiver<Stream>::enqueue(std::string bytes) {
  queued_bytes_ += bytes.size();
  queue_.push_back(std::move(bytes));
  if (queued_bytes_ > context_.net.max_outbound_bytes) {
    context_.slow_consumer(fmt::format("sockjs {} receiver", sockjs::transport_name(transport_)),
                           queued_bytes_, context_.net.max_outbound_bytes);
    interrupted("slow consumer");
  }
}

template <typename Stream>
void HttpReceiver<Stream>::do_write() {
  if (done_) return;
  if (queue_.empty()) {
    writing_ = false;
    if (ending_) finish();
    return;
  }
  writing_ = true;
  gather_.clear();
  for (const auto& bytes : queue_) gather_.push_back(asio::buffer(bytes));
  batch_ = queue_.size();  // one syscall for everything queued
  asio::async_write(stream_, gather_,
                    beast::bind_front_handler(&HttpReceiver::on_write, this->shared_from_this()));
}

template <typename Stream>
void HttpReceiver<Stream>::on_write(beast::error_code ec, std::size_t) {
  if (done_) return;
  if (ec) return interrupted(ec.message());
  for (; batch_ > 0; --batch_) {
    queued_bytes_ -= queue_.front().size();
    queue_.pop_front();
  }
  do_write();
}

// A receiving connection is read only to notice the client going away.
template <typename Stream>
void HttpReceiver<Stream>::watch() {
  reading_ = true;
  stream_.async_read_some(
      buffer_.prepare(4096),
      beast::bind_front_handler(&HttpReceiver::on_watch, this->shared_from_this()));
}

template <typename Stream>
void HttpReceiver<Stream>::on_watch(beast::error_code ec, std::size_t bytes) {
  reading_ = false;
  if (!ec) buffer_.commit(bytes);
  if (done_) {
    if (handed_back_) return;
    return hand_back();  // finish() cancelled this read to return the connection
  }
  if (ec) return interrupted(ec == asio::error::eof ? "client closed" : ec.message());
  if (buffer_.size() > kMaxPipelined) return interrupted("too many pipelined bytes");
  watch();
}

template <typename Stream>
void HttpReceiver<Stream>::interrupted(std::string_view why) {
  if (done_) return;
  spdlog::debug("sockjs {} receiver ended: {}", sockjs::transport_name(transport_), why);
  done_ = true;
  if (session_) {
    session_->detach(this, sockjs::DetachCause::interrupted);
    session_.reset();
  }
  // A write in flight still reads its batch: those strings stay until the receiver goes.
  queue_.erase(queue_.begin() + static_cast<std::ptrdiff_t>(writing_ ? batch_ : 0), queue_.end());
  queued_bytes_ = 0;
  beast::error_code ignored;
  beast::get_lowest_layer(stream_).socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  beast::get_lowest_layer(stream_).socket().close(ignored);
}

template <typename Stream>
void HttpReceiver<Stream>::finish() {
  if (done_) return;
  done_ = true;
  if (!keep_alive_) {
    beast::error_code ignored;
    beast::get_lowest_layer(stream_).socket().shutdown(asio::ip::tcp::socket::shutdown_send,
                                                       ignored);
    beast::get_lowest_layer(stream_).socket().close(ignored);
    return;
  }
  // Keep-alive: the connection serves HTTP again once the watching read has returned.
  if (reading_) {
    beast::get_lowest_layer(stream_).cancel();
  } else {
    hand_back();
  }
}

template <typename Stream>
void HttpReceiver<Stream>::hand_back() {
  if (handed_back_ || !keep_alive_ || !beast::get_lowest_layer(stream_).socket().is_open()) return;
  handed_back_ = true;
  std::make_shared<HttpSession<Stream>>(std::move(stream_), std::move(slot_), std::move(buffer_),
                                        context_)
      ->resume();
}

// ---------------------------------------------------------------------------------------------
// SockjsWsReceiver

template <typename Stream>
SockjsWsReceiver<Stream>::SockjsWsReceiver(Stream stream, ConnectionSlot slot, Context& context,
                                           bool raw)
    : ws_(std::move(stream)), slot_(std::move(slot)), context_(context), raw_(raw) {}

template <typename Stream>
void SockjsWsReceiver<Stream>::run(http::request<http::string_body> request,
                                   std::shared_ptr<SockjsSession> session) {
  session_ = std::move(session);
  // A SockJS message carries STOMP frames, JSON-quoted: allow for the quoting.
  prepare_websocket(ws_, context_.net, {}, context_.stomp.parser.max_frame_bytes * 6 + 1024);
  ws_.async_accept(
      request, beast::bind_front_handler(&SockjsWsReceiver::on_accept, this->shared_from_this()));
}

template <typename Stream>
void SockjsWsReceiver<Stream>::on_accept(beast::error_code ec) {
  if (ec) {
    spdlog::debug("sockjs websocket handshake failed: {}", ec.message());
    session_.reset();
    return;
  }
  session_->start();
  session_->attach(this->shared_from_this(), sockjs::ReceiverKind::websocket);
  do_read();
}

template <typename Stream>
void SockjsWsReceiver<Stream>::do_read() {
  ws_.async_read(buffer_,
                 beast::bind_front_handler(&SockjsWsReceiver::on_read, this->shared_from_this()));
}

template <typename Stream>
void SockjsWsReceiver<Stream>::on_read(beast::error_code ec, std::size_t) {
  if (ec == websocket::error::message_too_big) {
    context_.limit_hit("ws_message_bytes",
                       "SockJS WebSocket message over the limit, closing (1009)");
  }
  if (ec) return gone();
  auto data = buffer_.cdata();
  std::string_view text(static_cast<const char*>(data.data()), data.size());
  if (raw_) {
    if (session_) session_->incoming({std::string(text)});
    buffer_.consume(buffer_.size());
    return do_read();
  }
  auto payload = sockjs::decode_websocket_message(text);
  buffer_.consume(buffer_.size());
  switch (payload.status) {
    case sockjs::PayloadStatus::ok:
      if (session_ && !payload.messages.empty()) session_->incoming(std::move(payload.messages));
      break;
    case sockjs::PayloadStatus::empty:
      break;  // sockjs-client never sends these; ignore as sockjs-node does
    case sockjs::PayloadStatus::broken:
      spdlog::debug("sockjs websocket: broken JSON framing, closing");
      context_.metrics.error("sockjs_broken_framing");
      gone();
      ws_.async_close(
          websocket::close_reason(websocket::close_code::protocol_error, "Broken framing."),
          [self = this->shared_from_this()](beast::error_code) {});
      return;
  }
  do_read();
}

template <typename Stream>
void SockjsWsReceiver<Stream>::send(std::vector<std::string> frames, bool end) {
  asio::post(ws_.get_executor(),
             [self = this->shared_from_this(), frames = std::move(frames), end]() mutable {
               if (self->done_ || self->ending_) return;
               for (auto& frame : frames) {
                 if (self->raw_) {
                   self->push_raw(frame);
                   continue;
                 }
                 self->queued_bytes_ += frame.size();
                 self->queue_.push_back(std::move(frame));
               }
               if (end) {
                 self->ending_ = true;
                 self->session_.reset();
               }
               if (self->queued_bytes_ > self->context_.net.max_outbound_bytes) {
                 self->context_.slow_consumer("sockjs websocket", self->queued_bytes_,
                                              self->context_.net.max_outbound_bytes);
                 self->gone();
                 beast::error_code ignored;
                 beast::get_lowest_layer(self->ws_).socket().close(ignored);
                 return;
               }
               if (!self->writing_) self->do_write();
             });
}

// Raw mode: the messages of an a[...] frame go out one WebSocket message each; o, h and c
// frames have no raw equivalent (c ends the session, and `end` closes the socket).
template <typename Stream>
void SockjsWsReceiver<Stream>::push_raw(std::string_view frame) {
  if (frame.empty() || frame.front() != 'a') return;
  auto payload = sockjs::decode_messages(frame.substr(1));
  for (auto& message : payload.messages) {
    queued_bytes_ += message.size();
    queue_.push_back(std::move(message));
  }
}

template <typename Stream>
void SockjsWsReceiver<Stream>::do_write() {
  if (done_) return;
  if (queue_.empty()) {
    writing_ = false;
    if (ending_) {
      done_ = true;
      ws_.async_close(websocket::close_code::normal,
                      [self = this->shared_from_this()](beast::error_code) {});
    }
    return;
  }
  writing_ = true;
  // Consecutive a[...] frames merge into one: a["x"] + a["y"] -> a["x","y"].
  while (!raw_ && queue_.size() > 1 && queue_[0].starts_with("a[") && queue_[1].starts_with("a[") &&
         queue_[0].size() + queue_[1].size() <= kMaxMergedFrame) {
    queue_[0].back() = ',';
    queue_[0].append(queue_[1], 2);
    queue_.erase(queue_.begin() + 1);
    queued_bytes_ -= 2;  // the "a[" that went
  }
  ws_.text(true);
  ws_.async_write(asio::buffer(queue_.front()),
                  beast::bind_front_handler(&SockjsWsReceiver::on_write, this->shared_from_this()));
}

template <typename Stream>
void SockjsWsReceiver<Stream>::on_write(beast::error_code ec, std::size_t) {
  if (ec || done_) {
    writing_ = false;
    return gone();  // done_: gone() ran while this write was in flight
  }
  queued_bytes_ -= queue_.front().size();
  queue_.pop_front();
  do_write();
}

template <typename Stream>
void SockjsWsReceiver<Stream>::gone() {
  if (session_) {
    session_->detach(this, sockjs::DetachCause::interrupted);
    session_.reset();
  }
  // The frame a write in flight reads stays until that write completes.
  queue_.erase(queue_.begin() + (writing_ && !queue_.empty() ? 1 : 0), queue_.end());
  queued_bytes_ = 0;
  done_ = true;
}

template class HttpReceiver<PlainStream>;
template class HttpReceiver<TlsStream>;
template class SockjsWsReceiver<PlainStream>;
template class SockjsWsReceiver<TlsStream>;

}  // namespace parley::net
