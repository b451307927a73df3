// WriteCork: writes deferred by handlers start once the ready handlers have run (or every
// `batch` handlers), in order, and the loop ends like io_context::run().
#include "net/write_cork.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace parley::net {
namespace {

namespace asio = boost::asio;

// Records, in one shared log, each handler that ran and each write that started.
struct Writer final : Corked {
  Writer(std::string writer_name, std::vector<std::string>& events)
      : name(std::move(writer_name)), log(events) {}
  void start_write() override {
    log.push_back("write " + name);
    if (on_start) on_start();
  }
  std::string name;
  std::vector<std::string>& log;
  std::function<void()> on_start;
};

TEST(WriteCork, OffUntilEnabled) {
  WriteCork cork;
  EXPECT_FALSE(cork.enabled());
  cork.enable();
  EXPECT_TRUE(cork.enabled());
}

TEST(WriteCork, WritesStartAfterTheReadyHandlersInTheOrderDeferred) {
  asio::io_context ioc{1};
  WriteCork cork;
  std::vector<std::string> log;
  auto a = std::make_shared<Writer>("a", log);
  auto b = std::make_shared<Writer>("b", log);
  // Three handlers ready at once, as a read carrying several frames makes them.
  asio::post(ioc, [&] {
    log.push_back("h1");
    cork.defer(b);
  });
  asio::post(ioc, [&] {
    log.push_back("h2");
    cork.defer(a);
  });
  asio::post(ioc, [&] { log.push_back("h3"); });
  cork.run(ioc);
  EXPECT_EQ(log, (std::vector<std::string>{"h1", "h2", "h3", "write b", "write a"}));
}

TEST(WriteCork, FlushesEveryBatchOfHandlersUnderSustainedLoad) {
  asio::io_context ioc{1};
  WriteCork cork;
  std::vector<std::string> log;
  std::vector<std::shared_ptr<Writer>> writers;
  for (int i = 1; i <= 5; ++i) {
    writers.push_back(std::make_shared<Writer>(std::to_string(i), log));
    asio::post(ioc, [&, i] {
      log.push_back("h" + std::to_string(i));
      cork.defer(writers[static_cast<std::size_t>(i - 1)]);
    });
  }
  cork.run(ioc, 2);
  // A long queue of ready handlers does not hold writes back for more than two handlers.
  EXPECT_EQ(log, (std::vector<std::string>{"h1", "h2", "write 1", "write 2", "h3", "h4", "write 3",
                                           "write 4", "h5", "write 5"}));
}

TEST(WriteCork, AWriteDeferredWhileFlushingWaitsForTheNextFlush) {
  asio::io_context ioc{1};
  WriteCork cork;
  std::vector<std::string> log;
  auto w = std::make_shared<Writer>("w", log);
  int completions = 0;
  // Each write "completes" into a handler that has more to write, three times.
  w->on_start = [&] {
    asio::post(ioc, [&] {
      log.push_back("completion");
      if (++completions < 3) cork.defer(w);
    });
  };
  asio::post(ioc, [&] { cork.defer(w); });
  cork.run(ioc);
  EXPECT_EQ(log, (std::vector<std::string>{"write w", "completion", "write w", "completion",
                                           "write w", "completion"}));
}

TEST(WriteCork, WaitsForWorkLikeRunAndReturnsWhenStopped) {
  asio::io_context ioc{1};
  WriteCork cork;
  std::vector<std::string> log;
  auto w = std::make_shared<Writer>("late", log);
  asio::steady_timer timer{ioc, std::chrono::milliseconds(20)};
  timer.async_wait([&](boost::system::error_code) {
    log.push_back("timer");
    cork.defer(w);
    asio::post(ioc, [&] {
      log.push_back("stop");
      ioc.stop();
    });
  });
  // Outstanding work that never completes: only stop() ends the loop.
  asio::steady_timer forever{ioc, std::chrono::hours(1)};
  forever.async_wait([](boost::system::error_code) {});
  cork.run(ioc);
  EXPECT_TRUE(ioc.stopped());
  EXPECT_EQ(log, (std::vector<std::string>{"timer", "stop", "write late"}));
}

TEST(WriteCork, FlushByHandStartsEachPendingWriteOnce) {
  WriteCork cork;
  std::vector<std::string> log;
  cork.defer(std::make_shared<Writer>("x", log));
  cork.defer(std::make_shared<Writer>("y", log));
  EXPECT_EQ(cork.flush(), 2u);
  EXPECT_EQ(cork.flush(), 0u);
  EXPECT_EQ(log, (std::vector<std::string>{"write x", "write y"}));
}

}  // namespace
}  // namespace parley::net
