// parley: parse the command line, set up logging, run the node.
#include <cstdio>

#include "app/config.hpp"
#include "app/logging.hpp"
#include "app/server.hpp"

int main(int argc, char** argv) {
  parley::app::hold_signals();
  parley::app::Config config;
  if (auto exit_code = parley::app::parse(argc, argv, config)) return *exit_code;
  if (auto error = parley::app::setup_logging(config)) {
    std::fprintf(stderr, "parley: %s\n", error->c_str());
    return 2;
  }
  return parley::app::run(config);
}
