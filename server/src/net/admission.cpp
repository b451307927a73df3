#include "net/admission.hpp"

#include <algorithm>
#include <functional>
#include <string>
#include <utility>

namespace parley::net {

namespace ip = boost::asio::ip;

AddressCounter::Ticket& AddressCounter::Ticket::operator=(Ticket&& other) noexcept {
  if (this != &other) {
    release();
    owner_ = std::exchange(other.owner_, nullptr);
    address_ = other.address_;
  }
  return *this;
}

void AddressCounter::Ticket::release() {
  if (owner_ != nullptr) std::exchange(owner_, nullptr)->release(address_);
}

std::size_t AddressCounter::Hash::operator()(const ip::address& a) const {
  if (a.is_v4()) return std::hash<ip::address_v4::uint_type>{}(a.to_v4().to_uint());
  const auto bytes = a.to_v6().to_bytes();
  return std::hash<std::string_view>{}(
      std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

bool AddressCounter::exempt(const ip::address& address) const {
  return std::find(limits_.exempt.begin(), limits_.exempt.end(), address) != limits_.exempt.end();
}

AddressCounter::Admission AddressCounter::acquire(const ip::address& address) {
  const bool unlimited = limits_.per_address == 0 || exempt(address);
  std::lock_guard lock(mutex_);
  if (limits_.total != 0 && total_ >= limits_.total) return {{}, Refusal::total};
  auto& mine = by_address_[address];
  if (!unlimited && mine >= limits_.per_address) {
    if (mine == 0) by_address_.erase(address);
    return {{}, Refusal::per_address};
  }
  ++mine;
  ++total_;
  return {Ticket(this, address), Refusal::none};
}

void AddressCounter::release(const ip::address& address) {
  std::lock_guard lock(mutex_);
  --total_;
  auto it = by_address_.find(address);
  if (it != by_address_.end() && --it->second == 0) by_address_.erase(it);
}

std::size_t AddressCounter::count() const {
  std::lock_guard lock(mutex_);
  return total_;
}

std::size_t AddressCounter::count(const ip::address& address) const {
  std::lock_guard lock(mutex_);
  auto it = by_address_.find(address);
  return it == by_address_.end() ? 0 : it->second;
}

ip::address client_address(const ip::address& peer, std::string_view forwarded_for,
                           const AddressCounter& counter) {
  if (forwarded_for.empty() || !counter.exempt(peer)) return peer;
  // The proxy appends the address it saw: the last entry is the one it vouches for.
  auto last = forwarded_for.substr(forwarded_for.rfind(',') + 1);
  while (!last.empty() && last.front() == ' ') last.remove_prefix(1);
  while (!last.empty() && last.back() == ' ') last.remove_suffix(1);
  boost::system::error_code ec;
  auto address = ip::make_address(std::string(last), ec);
  return ec ? peer : address;
}

}  // namespace parley::net
