#include "net/write_cork.hpp"

namespace parley::net {

void WriteCork::defer(std::shared_ptr<Corked> writer) {
  if (ioc_ && !waiting_) waiting_.emplace(ioc_->get_executor());
  pending_.push_back(std::move(writer));
}

std::size_t WriteCork::flush() {
  // A write started here may complete into a handler that defers again: that one waits for
  // the next flush, so swap first.
  flushing_.swap(pending_);
  const std::size_t started = flushing_.size();
  for (const auto& writer : flushing_) writer->start_write();
  flushing_.clear();
  if (pending_.empty()) waiting_.reset();  // the writes started are work of their own
  return started;
}

void WriteCork::run(boost::asio::io_context& ioc, std::size_t batch) {
  ioc_ = &ioc;
  for (;;) {
    std::size_t handled = 0;
    while (handled < batch && ioc.poll_one() > 0) ++handled;
    flush();
    if (handled == batch) continue;  // more may be ready: no need to wait
    // Stopped, or out of work. Nothing is left to flush: the handler run_one() would have
    // run is the only place a write could have been deferred since the flush above.
    if (ioc.run_one() == 0) break;
  }
  // Empty already; and nothing may outlive the io_context here (sessions hold its sockets).
  pending_.clear();
  waiting_.reset();
  ioc_ = nullptr;
}

}  // namespace parley::net
