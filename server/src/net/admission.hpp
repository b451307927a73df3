// Admission control by client address: a ceiling on the total and on each address, held by
// RAII tickets. Connections take one at accept (--max-connections, --max-connections-per-ip);
// SockJS sessions take another when they are created (--sockjs-max-sessions-per-ip).
#pragma once

#include <boost/asio/ip/address.hpp>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace parley::net {

class AddressCounter {
 public:
  struct Limits {
    std::size_t total = 0;        // 0: no ceiling
    std::size_t per_address = 0;  // 0: no ceiling
    // Addresses the per-address ceiling does not apply to: a reverse proxy on this host
    // brings every client from 127.0.0.1. They still count towards the total.
    std::vector<boost::asio::ip::address> exempt;
  };

  // Holds one place until destroyed. Move-only; a moved-from ticket holds nothing.
  class Ticket {
   public:
    Ticket() = default;
    Ticket(Ticket&& other) noexcept { *this = std::move(other); }
    Ticket& operator=(Ticket&& other) noexcept;
    Ticket(const Ticket&) = delete;
    Ticket& operator=(const Ticket&) = delete;
    ~Ticket() { release(); }
    explicit operator bool() const { return owner_ != nullptr; }
    const boost::asio::ip::address& address() const { return address_; }
    void release();

   private:
    friend class AddressCounter;
    Ticket(AddressCounter* owner, boost::asio::ip::address address)
        : owner_(owner), address_(std::move(address)) {}
    AddressCounter* owner_ = nullptr;
    boost::asio::ip::address address_;
  };

  enum class Refusal { none, total, per_address };
  struct Admission {
    Ticket ticket;  // empty when refused
    Refusal refusal = Refusal::none;
  };

  explicit AddressCounter(Limits limits) : limits_(std::move(limits)) {}
  AddressCounter(const AddressCounter&) = delete;
  AddressCounter& operator=(const AddressCounter&) = delete;

  // Thread-safe.
  Admission acquire(const boost::asio::ip::address& address);
  std::size_t count() const;
  std::size_t count(const boost::asio::ip::address& address) const;
  bool exempt(const boost::asio::ip::address& address) const;
  const Limits& limits() const { return limits_; }

 private:
  void release(const boost::asio::ip::address& address);

  struct Hash {
    std::size_t operator()(const boost::asio::ip::address& a) const;
  };
  const Limits limits_;
  mutable std::mutex mutex_;
  std::size_t total_ = 0;
  std::unordered_map<boost::asio::ip::address, std::size_t, Hash> by_address_;
};

// The client's address as the server should count it: the TCP peer, or, when the peer is a
// trusted proxy (exempt in `counter`), the last address of its X-Forwarded-For header.
boost::asio::ip::address client_address(const boost::asio::ip::address& peer,
                                        std::string_view forwarded_for,
                                        const AddressCounter& counter);

// A connection's place under --max-connections / --max-connections-per-ip: it travels with
// the socket from session to session (HTTP -> WebSocket, SockJS receiver -> HTTP) and frees
// the place when the last owner is destroyed.
using ConnectionSlot = AddressCounter::Ticket;

}  // namespace parley::net
