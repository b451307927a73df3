#include "net/sockjs_session.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>

#include "net/sockjs_service.hpp"
#include "sockjs/framing.hpp"

namespace parley::net {

namespace asio = boost::asio;

SockjsSession::SockjsSession(Context& context, SockjsService& service, std::string id,
                             asio::any_io_executor executor, AddressCounter::Ticket place)
    : context_(context),
      service_(service),
      app_(service.config().app),
      id_(std::move(id)),
      place_(std::move(place)),
      strand_(asio::make_strand(executor)),
      sockjs_(service.config().session, stomp::Clock::now()),
      stomp_(context.next_session.fetch_add(1), context.broker, context.stomp, *this,
             context.metrics),
      timer_(strand_) {
  context_.metrics.sessions_sockjs.fetch_add(1, std::memory_order_relaxed);
  context_.metrics.sockjs_sessions_total.fetch_add(1, std::memory_order_relaxed);
}

SockjsSession::~SockjsSession() {
  context_.untrack(track_key_);
  context_.metrics.sessions_sockjs.fetch_sub(1, std::memory_order_relaxed);
}

template <typename F>
void SockjsSession::on_strand(F&& f) {
  asio::post(strand_, [self = shared_from_this(), f = std::forward<F>(f)]() mutable {
    if (!self->finished_) f(*self);
  });
}

void SockjsSession::start() {
  on_strand([](SockjsSession& s) {
    s.track_key_ = s.context_.track(s.weak_from_this());
    if (!s.carries_stomp()) return s.arm_timer();
    s.context_.broker.connect(s.stomp_.id(), s.shared_from_this());
    s.stomp_.start(stomp::Clock::now());
    s.stomp_deadline_ = s.stomp_.on_timer(stomp::Clock::now());
    spdlog::debug("sockjs session '{}' (STOMP session {}) opened", s.id_, s.stomp_.id());
    if (s.context_.stopping) s.stomp_.shutdown();
    s.arm_timer();
  });
}

void SockjsSession::attach(std::shared_ptr<SockjsReceiver> receiver, sockjs::ReceiverKind kind) {
  asio::post(strand_, [self = shared_from_this(), receiver = std::move(receiver), kind] {
    if (self->finished_) {
      // Expired between lookup and attach: tell the client the session is gone.
      receiver->send({sockjs::close_frame(sockjs::kCloseGoAway, sockjs::kReasonGoAway)}, true);
      return;
    }
    const bool busy = self->receiver_ != nullptr;
    auto delivery = self->sockjs_.attach(kind, stomp::Clock::now());
    if (busy) {
      // c[2010,...]: the session keeps its current receiver.
      receiver->send(std::move(delivery.frames), true);
      return;
    }
    self->receiver_ = receiver;
    const bool opening = delivery.frames.size() == 1 && delivery.frames.front() == "o";
    self->emit(std::move(delivery));
    if (opening && self->app_ == SockjsConfig::App::close) {
      // The sockjs-protocol "close" test service: every session ends as soon as it opens.
      self->emit(
          self->sockjs_.close(sockjs::kCloseGoAway, sockjs::kReasonGoAway, stomp::Clock::now()));
    }
    self->check_closed();
    self->arm_timer();
  });
}

void SockjsSession::detach(const SockjsReceiver* receiver, sockjs::DetachCause cause) {
  on_strand([receiver, cause](SockjsSession& s) {
    if (s.receiver_.get() != receiver) return;  // already let go of
    s.receiver_.reset();
    s.sockjs_.detach(stomp::Clock::now(), cause);
    s.check_closed();
    s.arm_timer();
  });
}

void SockjsSession::incoming(std::vector<std::string> messages) {
  on_strand([messages = std::move(messages)](SockjsSession& s) {
    const auto now = stomp::Clock::now();
    if (s.app_ == SockjsConfig::App::echo) {
      for (auto& message : messages) s.echo(std::move(message));
      return;
    }
    if (!s.carries_stomp()) return;
    if (!s.context_.enter()) return;  // stopping: not accepted; the shutdown ERROR follows
    for (const auto& message : messages) {
      if (s.stomp_.closed()) break;
      s.stomp_.on_data(message, now);
    }
    s.context_.leave();
    // A CONNECT changes the heart-beat deadlines.
    s.stomp_deadline_ = s.stomp_.on_timer(now);
    s.arm_timer();
  });
}

void SockjsSession::deliver(const std::string& subscription, const std::string& ack_id,
                            bool redelivered, const broker::MessagePtr& message) {
  on_strand([subscription, ack_id, redelivered, message](SockjsSession& s) {
    s.stomp_.on_delivery(subscription, ack_id, redelivered, message);
  });
}

void SockjsSession::write(stomp::Outbound frame) {
  std::string text;
  text.reserve(frame.size());
  text.append(frame.head).append(frame.tail);
  echo(std::move(text));
}

void SockjsSession::echo(std::string text) {
  switch (sockjs_.send(std::move(text))) {
    case sockjs::SendResult::queued:
      if (receiver_) emit(sockjs_.pull(stomp::Clock::now()));
      break;
    case sockjs::SendResult::not_open:
      break;
    case sockjs::SendResult::overflow:
      context_.slow_consumer(fmt::format("sockjs session '{}'", id_), sockjs_.buffered_bytes(),
                             service_.config().session.max_buffered_bytes);
      emit(sockjs_.close(sockjs::kCloseGoAway, "slow consumer", stomp::Clock::now()));
      asio::post(strand_, [self = shared_from_this()] { self->end_stomp(); });
      break;
  }
}

void SockjsSession::close() {
  // The STOMP session is done (DISCONNECT, ERROR): end the SockJS session the normal way.
  emit(sockjs_.close(sockjs::kCloseGoAway, sockjs::kReasonGoAway, stomp::Clock::now()));
  // Leave the broker now (room `leave`), not when the SockJS session expires; not from
  // inside the STOMP session's own call.
  asio::post(strand_, [self = shared_from_this()] {
    self->end_stomp();
    // Shutting down: nobody will come back for the close frame.
    if (self->context_.stopping) return self->finish();
    self->check_closed();
    self->arm_timer();
  });
}

void SockjsSession::shutdown() {
  on_strand([](SockjsSession& s) {
    if (s.carries_stomp()) return s.stomp_.shutdown();
    s.emit(s.sockjs_.close(sockjs::kCloseGoAway, sockjs::kReasonGoAway, stomp::Clock::now()));
    s.finish();
  });
}

void SockjsSession::emit(sockjs::Delivery delivery) {
  if (!receiver_ || (delivery.frames.empty() && !delivery.end)) return;
  auto receiver = receiver_;
  if (delivery.end) receiver_.reset();  // the SockJS session already let go of it
  receiver->send(std::move(delivery.frames), delivery.end);
  // Without a receiver the disconnect delay runs from now: the pending wait may be for a
  // later deadline (the heart-beat), and a client that never comes back must not linger.
  if (delivery.end) arm_timer();
}

void SockjsSession::arm_timer() {
  if (finished_) return;
  auto deadline =
      !carries_stomp() || stomp_.closed() ? stomp::Clock::time_point::max() : stomp_deadline_;
  if (auto d = sockjs_.next_deadline(); d && *d < deadline) deadline = *d;
  if (deadline >= armed_for_) return;  // the pending wait fires early enough (or never due)
  armed_for_ = deadline;
  timer_.expires_at(deadline);
  timer_.async_wait(
      [self = shared_from_this()](boost::system::error_code ec) { self->on_timer(ec); });
}

void SockjsSession::on_timer(boost::system::error_code ec) {
  if (ec == asio::error::operation_aborted || finished_) return;
  armed_for_ = stomp::Clock::time_point::max();
  const auto now = stomp::Clock::now();
  if (carries_stomp() && !stomp_.closed() && now >= stomp_deadline_) {
    stomp_deadline_ = stomp_.on_timer(now);
  }
  emit(sockjs_.on_timer(now));
  check_closed();
  arm_timer();
}

void SockjsSession::end_stomp() {
  if (stomp_ended_ || !carries_stomp()) return;
  stomp_ended_ = true;
  stomp_.on_closed();  // broker.disconnect: rooms emit `leave`
}

void SockjsSession::check_closed() {
  if (!sockjs_.closed()) return;
  finish();
}

void SockjsSession::finish() {
  if (finished_) return;
  finished_ = true;
  spdlog::debug("sockjs session '{}' (STOMP session {}) closed", id_, stomp_.id());
  end_stomp();
  timer_.cancel();
  receiver_.reset();
  if (!id_.empty()) service_.remove(id_, this);
}

}  // namespace parley::net
