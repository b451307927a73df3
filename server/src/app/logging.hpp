// Logging setup: stderr always, plus an optional append-only file (--log-file).
#pragma once

#include <optional>
#include <string>

namespace parley::app {

struct Config;

// Installs the default spdlog logger. Returns an error text when the log file cannot be
// opened or written (missing directory, no permission, disk full): the caller exits with 2
// instead of serving with its logs silently lost.
std::optional<std::string> setup_logging(const Config& config);

}  // namespace parley::app
