// Wires a node together: I/O threads, broker, listener, signals, graceful shutdown.
#pragma once

#include "app/config.hpp"

namespace parley::app {

// Blocks SIGINT, SIGTERM and SIGHUP in the calling thread, and so in every thread it creates
// from then on (spdlog's flusher, the cluster threads, the I/O threads). main() calls it before
// anything else: run() unblocks them in the main thread alone, once their handlers are
// installed, so each such signal is taken by that one thread, and one sent during the start
// waits for the handlers instead of killing the process.
void hold_signals();

// Runs until SIGINT/SIGTERM; returns the process exit code.
int run(const Config& config);

}  // namespace parley::app
