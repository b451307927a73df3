// Write corking for a node run by one I/O thread. The writes that handlers start while the thread
// works through its ready handlers begin together once it runs out of them (or after every
// `batch` handlers), so every frame produced for one connection in the meantime — the
// deliveries of a read that carried several SENDs, the frames of a room's fan-out — leaves in
// one write: one system call, and one wake-up of the peer, instead of one per frame. (Beast
// completes each incoming WebSocket message in a handler of its own, so without this the first
// delivery of a read is written alone.) uWebSockets corks its writes per event-loop iteration
// for the same reason.
#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <cstddef>
#include <memory>
#include <optional>
#include <vector>

namespace parley::net {

// A connection whose next write can wait for the cork.
class Corked {
 public:
  virtual ~Corked() = default;
  virtual void start_write() = 0;  // called on the I/O thread, outside any handler
};

class WriteCork {
 public:
  static constexpr std::size_t kDefaultBatch = 64;

  // Off by default: with several I/O threads a connection's write must start on its own
  // strand, and those threads run io_context::run() as usual.
  bool enabled() const { return enabled_; }
  void enable() { enabled_ = true; }

  // From a handler on the I/O thread: start this writer's write at the next flush.
  void defer(std::shared_ptr<Corked> writer);

  // Starts the deferred writes, in the order they were deferred; returns how many.
  std::size_t flush();

  // io_context::run() for the single I/O thread, flushing after every `batch` handlers and
  // whenever no handler is ready. Returns when the io_context is stopped or out of work.
  void run(boost::asio::io_context& ioc, std::size_t batch = kDefaultBatch);

 private:
  bool enabled_ = false;
  boost::asio::io_context* ioc_ = nullptr;  // the one run() runs
  // Held while a write waits: the io_context must not think it is out of work (and stop)
  // between the handler that deferred the write and the flush that starts it.
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> waiting_;
  std::vector<std::shared_ptr<Corked>> pending_;
  std::vector<std::shared_ptr<Corked>> flushing_;
};

}  // namespace parley::net
