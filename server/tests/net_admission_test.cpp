// Admission by client address (net/admission.hpp): total and per-address ceilings, exempt
// proxies, RAII release, and which address X-Forwarded-For may name.
#include "net/admission.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace parley::net {
namespace {

namespace ip = boost::asio::ip;
using Refusal = AddressCounter::Refusal;

const ip::address kA = ip::make_address("192.0.2.1");
const ip::address kB = ip::make_address("2001:db8::2");
const ip::address kProxy = ip::make_address("127.0.0.1");

TEST(Admission, PerAddressCeilingRefusesOnlyThatAddress) {
  AddressCounter counter({.total = 0, .per_address = 2, .exempt = {}});
  auto a1 = counter.acquire(kA);
  auto a2 = counter.acquire(kA);
  ASSERT_TRUE(a1.ticket && a2.ticket);
  auto a3 = counter.acquire(kA);
  EXPECT_FALSE(a3.ticket);
  EXPECT_EQ(a3.refusal, Refusal::per_address);
  EXPECT_TRUE(counter.acquire(kB).ticket);  // released at once: a temporary
  EXPECT_EQ(counter.count(kA), 2u);
  EXPECT_EQ(counter.count(), 2u);
}

TEST(Admission, TotalCeilingCountsEveryone) {
  AddressCounter counter({.total = 2, .per_address = 0, .exempt = {kProxy}});
  auto a = counter.acquire(kA);
  auto p = counter.acquire(kProxy);
  auto b = counter.acquire(kB);
  EXPECT_FALSE(b.ticket);
  EXPECT_EQ(b.refusal, Refusal::total);
}

TEST(Admission, ReleasingATicketFreesThePlace) {
  AddressCounter counter({.total = 0, .per_address = 1, .exempt = {}});
  {
    auto first = counter.acquire(kA);
    ASSERT_TRUE(first.ticket);
    EXPECT_FALSE(counter.acquire(kA).ticket);
  }
  EXPECT_EQ(counter.count(kA), 0u);
  auto again = counter.acquire(kA);
  EXPECT_TRUE(again.ticket);
  again.ticket.release();
  EXPECT_EQ(counter.count(), 0u);
  again.ticket.release();  // twice is harmless
  EXPECT_EQ(counter.count(), 0u);
}

TEST(Admission, TicketsMoveWithoutDoubleRelease) {
  AddressCounter counter({.total = 0, .per_address = 3, .exempt = {}});
  AddressCounter::Ticket held;
  {
    auto admission = counter.acquire(kA);
    held = std::move(admission.ticket);
    EXPECT_FALSE(admission.ticket);  // NOLINT(bugprone-use-after-move): checking moved-from
  }
  EXPECT_EQ(counter.count(kA), 1u);
  AddressCounter::Ticket moved(std::move(held));
  EXPECT_EQ(counter.count(kA), 1u);
  EXPECT_EQ(moved.address(), kA);
  // Assigning over a held ticket releases the old place.
  moved = counter.acquire(kB).ticket;
  EXPECT_EQ(counter.count(kA), 0u);
  EXPECT_EQ(counter.count(kB), 1u);
}

TEST(Admission, ExemptAddressesHaveNoPerAddressCeiling) {
  AddressCounter counter({.total = 0, .per_address = 1, .exempt = {kProxy}});
  std::vector<AddressCounter::Ticket> held;
  for (int i = 0; i < 10; ++i) {
    auto admission = counter.acquire(kProxy);
    ASSERT_TRUE(admission.ticket);
    held.push_back(std::move(admission.ticket));
  }
  EXPECT_EQ(counter.count(kProxy), 10u);
}

TEST(Admission, CountsStayExactUnderConcurrency) {
  AddressCounter counter({.total = 0, .per_address = 0, .exempt = {}});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&counter] {
      for (int i = 0; i < 10000; ++i) {
        auto admission = counter.acquire(i % 2 == 0 ? kA : kB);
        ASSERT_TRUE(admission.ticket);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(counter.count(), 0u);
  EXPECT_EQ(counter.count(kA), 0u);
}

TEST(Admission, ForwardedForIsBelievedOnlyFromATrustedProxy) {
  AddressCounter counter({.total = 0, .per_address = 1, .exempt = {kProxy}});
  // From the proxy: the last entry, which the proxy appended itself.
  EXPECT_EQ(client_address(kProxy, "10.0.0.9, 192.0.2.1", counter), kA);
  EXPECT_EQ(client_address(kProxy, " 2001:db8::2 ", counter), kB);
  // Garbage or nothing: the proxy's own address.
  EXPECT_EQ(client_address(kProxy, "unknown", counter), kProxy);
  EXPECT_EQ(client_address(kProxy, "", counter), kProxy);
  EXPECT_EQ(client_address(kProxy, "192.0.2.1,", counter), kProxy);
  // From anyone else the header is ignored: it would let a client pick its own address.
  EXPECT_EQ(client_address(kA, "192.0.2.77", counter), kA);
}

}  // namespace
}  // namespace parley::net
