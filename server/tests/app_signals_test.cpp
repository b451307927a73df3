// hold_signals(): SIGINT, SIGTERM and SIGHUP are blocked in the calling thread and in every
// thread created after it, so that run() can unblock them in the main thread alone.
#include <gtest/gtest.h>

#include <pthread.h>
#include <csignal>
#include <thread>

#include "app/server.hpp"

namespace {

bool blocked(int signal) {
  sigset_t mask;
  pthread_sigmask(SIG_BLOCK, nullptr, &mask);
  return sigismember(&mask, signal) == 1;
}

// Runs in its own thread, so the test runner's main thread keeps its mask.
TEST(HoldSignals, BlocksStopAndReloadSignalsInTheCallerAndInLaterThreads) {
  std::thread([] {
    ASSERT_FALSE(blocked(SIGTERM)) << "the test thread starts with SIGTERM already blocked";
    parley::app::hold_signals();
    EXPECT_TRUE(blocked(SIGINT));
    EXPECT_TRUE(blocked(SIGTERM));
    EXPECT_TRUE(blocked(SIGHUP));
    EXPECT_FALSE(blocked(SIGUSR1)) << "only the three signals run() handles are held";
    bool in_child[3] = {};
    std::thread([&] {
      in_child[0] = blocked(SIGINT);
      in_child[1] = blocked(SIGTERM);
      in_child[2] = blocked(SIGHUP);
    }).join();
    EXPECT_TRUE(in_child[0] && in_child[1] && in_child[2]) << "a thread created later takes them";
  }).join();
}

}  // namespace
