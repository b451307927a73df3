#include "app/metrics.hpp"

#include <fmt/format.h>

namespace parley::app {

void Metrics::error(const std::string& reason) {
  std::lock_guard lock(errors_mutex_);
  ++errors_[reason];
}

void Metrics::limit(std::string_view name) {
  std::lock_guard lock(errors_mutex_);
  auto it = limits_.find(name);
  if (it == limits_.end()) it = limits_.emplace(std::string(name), 0).first;
  ++it->second;
}

namespace {

void family(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
  fmt::format_to(std::back_inserter(out), "# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

template <typename T>
void sample(std::string& out, std::string_view name, T value) {
  fmt::format_to(std::back_inserter(out), "{} {}\n", name, value);
}

}  // namespace

std::string Metrics::render(const Gauges& g) const {
  std::string out;
  out.reserve(4096);
  auto gauge = [&](std::string_view name, std::string_view help, auto value) {
    family(out, name, "gauge", help);
    sample(out, name, value);
  };
  auto counter = [&](std::string_view name, std::string_view help, auto value) {
    family(out, name, "counter", help);
    sample(out, name, value);
  };
  gauge("parley_connections", "Open TCP connections (HTTP and WebSocket).", g.connections);
  counter("parley_connections_total", "TCP connections accepted.", connections_total.load());
  gauge("parley_sessions", "Connected STOMP sessions.", sessions.load());
  gauge("parley_sockjs_sessions", "Live SockJS sessions (any transport).", sessions_sockjs.load());
  counter("parley_sockjs_sessions_total", "SockJS sessions opened.", sockjs_sessions_total.load());
  gauge("parley_rooms", "Live rooms on this node.", g.rooms);
  gauge("parley_members", "Room members bound on this node.", g.members);
  gauge("parley_topics", "Topics with subscribers.", g.topics);
  gauge("parley_queues", "Queues that exist.", g.queues);
  gauge("parley_queued_messages", "Messages waiting in /queue/ destinations.", g.queued_messages);
  gauge("parley_unacked_messages", "Delivered messages awaiting ACK.", g.unacked_messages);
  gauge("parley_uptime_seconds", "Seconds since start.", g.uptime_seconds);
  counter("parley_bytes_in_total", "Bytes received in STOMP frames.", bytes_in.load());
  counter("parley_bytes_out_total", "Bytes sent in STOMP frames.", bytes_out.load());
  counter("parley_http_requests_total", "HTTP requests served.", http_requests.load());
  counter("parley_slow_consumer_drops_total",
          "Sessions disconnected because their outbound queue exceeded its byte limit.",
          slow_consumer_drops.load());

  auto per_command = [&](std::string_view name, std::string_view help, const auto& counters) {
    family(out, name, "counter", help);
    for (std::size_t i = 0; i < kCommands; ++i) {
      auto value = counters[i].load(std::memory_order_relaxed);
      if (value == 0) continue;
      fmt::format_to(std::back_inserter(out), "{}{{command=\"{}\"}} {}\n", name,
                     stomp::to_string(static_cast<stomp::Command>(i)), value);
    }
  };
  per_command("parley_frames_in_total", "STOMP frames received, by command.", frames_in_);
  per_command("parley_frames_out_total", "STOMP frames sent, by command.", frames_out_);

  std::lock_guard lock(errors_mutex_);
  family(out, "parley_limit_hits_total", "counter",
         "Connections, requests, frames and sessions refused by a limit, by limit.");
  for (const auto& [name, value] : limits_) {
    fmt::format_to(std::back_inserter(out), "parley_limit_hits_total{{limit=\"{}\"}} {}\n", name,
                   value);
  }
  family(out, "parley_errors_total", "counter", "Sessions ended by an error, by reason.");
  for (const auto& [reason, value] : errors_) {
    fmt::format_to(std::back_inserter(out), "parley_errors_total{{reason=\"{}\"}} {}\n", reason,
                   value);
  }
  return out;
}

}  // namespace parley::app
