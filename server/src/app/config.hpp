// Command-line configuration (CLI11), each flag with a PARLEY_* environment fallback.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "broker/local_broker.hpp"
#include "cluster/node.hpp"
#include "net/context.hpp"
#include "stomp/session.hpp"

namespace parley::app {

struct Config {
  std::string bind = "127.0.0.1";
  std::uint16_t port = 8080;
  unsigned threads = 0;  // 0: one per core
  std::string web_root;
  std::string log_level = "info";
  std::string log_file;  // empty: stderr only
  std::string tls_cert;  // PEM chain; with tls_key, --port serves HTTPS and WSS only
  std::string tls_key;
  std::uint16_t http_redirect_port = 0;  // 0: no HTTP->HTTPS redirect listener
  net::NetConfig net;
  net::SockjsConfig sockjs;
  bool sockjs_test_services = false;
  turn::IceConfig ice;
  stomp::SessionConfig stomp;
  broker::LocalBrokerLimits broker;
  cluster::ClusterConfig cluster;  // used when cluster.amqp.url is set (--amqp)
  std::uint32_t shutdown_timeout_ms = 5000;
};

// Parses argv. Returns the exit code when the program should stop (--help, bad flags).
std::optional<int> parse(int argc, char** argv, Config& config);

}  // namespace parley::app
