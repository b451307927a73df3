#include "net/context.hpp"

#include <spdlog/spdlog.h>

#include <vector>

namespace parley::net {

void Context::limit_hit(std::string_view limit, std::string_view detail) {
  metrics.limit(limit);
  const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::steady_clock::now().time_since_epoch())
                          .count();
  auto last = last_limit_warning_ms_.load(std::memory_order_relaxed);
  if (now_ms - last >= 1000 &&
      last_limit_warning_ms_.compare_exchange_strong(last, now_ms, std::memory_order_relaxed)) {
    spdlog::warn("limit {}: {}", limit, detail);
  } else {
    spdlog::debug("limit {}: {}", limit, detail);
  }
}

bool Context::enter() {
  handling_.fetch_add(1);
  if (stopping.load()) {
    handling_.fetch_sub(1);
    return false;
  }
  return true;
}

void Context::slow_consumer(std::string_view who, std::size_t bytes, std::size_t limit) {
  metrics.slow_consumer_drops.fetch_add(1, std::memory_order_relaxed);
  metrics.limit("outbound_bytes");
  metrics.error("slow_consumer");
  spdlog::warn("{}: slow consumer: {} bytes waiting to be sent (limit {}), disconnecting", who,
               bytes, limit);
}

std::uint64_t Context::track(std::weak_ptr<Closable> connection) {
  std::lock_guard lock(mutex_);
  auto key = next_key_++;
  live_.emplace(key, std::move(connection));
  return key;
}

void Context::untrack(std::uint64_t key) {
  std::lock_guard lock(mutex_);
  live_.erase(key);
}

std::size_t Context::live() const {
  std::lock_guard lock(mutex_);
  return live_.size();
}

void Context::shutdown_all() {
  std::vector<std::shared_ptr<Closable>> targets;
  {
    std::lock_guard lock(mutex_);
    for (auto& [key, weak] : live_) {
      if (auto strong = weak.lock()) targets.push_back(std::move(strong));
    }
  }
  for (auto& target : targets) target->shutdown();
}

}  // namespace parley::net
