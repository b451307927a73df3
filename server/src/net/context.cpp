#include "net/context.hpp"

#include <vector>

namespace parley::net {

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
