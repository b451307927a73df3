// Wires a node together: I/O threads, broker, listener, signals, graceful shutdown.
#pragma once

#include "app/config.hpp"

namespace parley::app {

// Runs until SIGINT/SIGTERM; returns the process exit code.
int run(const Config& config);

}  // namespace parley::app
