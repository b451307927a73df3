// parley: parse the command line, set up logging, run the node.
#include <spdlog/cfg/helpers.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "app/config.hpp"
#include "app/server.hpp"

int main(int argc, char** argv) {
  parley::app::Config config;
  if (auto exit_code = parley::app::parse(argc, argv, config)) return *exit_code;
  // Logs go to stderr; stdout carries only the "listening" line scripts wait for.
  spdlog::set_default_logger(spdlog::stderr_color_mt("parley"));
  spdlog::set_level(spdlog::level::from_str(config.log_level));
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  return parley::app::run(config);
}
