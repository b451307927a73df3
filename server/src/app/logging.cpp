#include "app/logging.hpp"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

#include "app/config.hpp"

namespace parley::app {
namespace {

// Writes and flushes one line, so a full disk shows up now (a buffered fwrite would succeed).
std::optional<std::string> probe(const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "ab");
  if (file == nullptr) return std::strerror(errno);
  const int written = std::fprintf(file, "parley %d: log opened\n", static_cast<int>(::getpid()));
  int error = written < 0 ? errno : 0;
  if (std::fflush(file) != 0 && error == 0) error = errno;
  if (std::fclose(file) != 0 && error == 0) error = errno;
  if (error != 0) return std::strerror(error);
  return std::nullopt;
}

}  // namespace

std::optional<std::string> setup_logging(const Config& config) {
  // Logs go to stderr; stdout carries only the "listening" line scripts wait for.
  std::vector<spdlog::sink_ptr> sinks{std::make_shared<spdlog::sinks::stderr_color_sink_mt>()};
  if (!config.log_file.empty()) {
    if (auto error = probe(config.log_file)) {
      return "cannot write log file " + config.log_file + ": " + *error;
    }
    try {
      sinks.push_back(std::make_shared<spdlog::sinks::basic_file_sink_mt>(config.log_file));
    } catch (const spdlog::spdlog_ex& e) {
      return "cannot open log file " + config.log_file + ": " + e.what();
    }
  }
  auto logger = std::make_shared<spdlog::logger>("parley", sinks.begin(), sinks.end());
  logger->set_level(spdlog::level::from_str(config.log_level));
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(std::move(logger));
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  if (!config.log_file.empty()) spdlog::flush_every(std::chrono::seconds{1});
  return std::nullopt;
}

}  // namespace parley::app
