// Process-wide counters for /metrics. Atomics only on the hot path; the rare labelled
// counters (errors by reason) take a mutex.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "stomp/frame.hpp"

namespace parley::app {

class Metrics {
 public:
  static constexpr std::size_t kCommands = 15;

  std::atomic<std::int64_t> sessions{0};  // STOMP sessions past CONNECTED
  std::atomic<std::uint64_t> connections_total{0};
  std::atomic<std::int64_t> sessions_sockjs{0};  // live SockJS sessions (any transport)
  std::atomic<std::uint64_t> sockjs_sessions_total{0};
  std::atomic<std::uint64_t> bytes_in{0};
  std::atomic<std::uint64_t> bytes_out{0};
  std::atomic<std::uint64_t> slow_consumer_drops{0};
  std::atomic<std::uint64_t> http_requests{0};

  void frame_in(stomp::Command c) { frames_in_[index(c)].fetch_add(1, std::memory_order_relaxed); }
  void frame_out(stomp::Command c) {
    frames_out_[index(c)].fetch_add(1, std::memory_order_relaxed);
  }
  void error(const std::string& reason);
  // A limit refused a connection, a frame, a request or a session (parley_limit_hits_total).
  void limit(std::string_view name);

  // Prometheus text exposition of everything above plus the gauges passed in.
  struct Gauges {
    std::size_t connections = 0, rooms = 0, members = 0, topics = 0, queues = 0,
                queued_messages = 0, unacked_messages = 0;
    double uptime_seconds = 0;
  };
  std::string render(const Gauges& gauges) const;

 private:
  static std::size_t index(stomp::Command c) { return static_cast<std::size_t>(c); }
  std::array<std::atomic<std::uint64_t>, kCommands> frames_in_{};
  std::array<std::atomic<std::uint64_t>, kCommands> frames_out_{};
  mutable std::mutex errors_mutex_;
  std::map<std::string, std::uint64_t, std::less<>> errors_;
  std::map<std::string, std::uint64_t, std::less<>> limits_;
};

}  // namespace parley::app
