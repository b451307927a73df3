// The scenarios of parley-loadgen: many simulated users on one thread, their STOMP sessions,
// the room traffic they exchange, and what is measured of it (docs/BENCHMARKS.md).
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <string>

namespace loadgen {

struct Options {
  std::string url = "ws://127.0.0.1:8080/ws";
  std::string transport = "ws";    // ws | xhr-streaming
  std::string scenario = "relay";  // idle | relay | fanout | storm
  std::string subscribe_prefix = "/exchange/chat.exchange/room.";
  std::string send_prefix = "/chat/room.";
  std::string login;
  std::string passcode;
  std::string host_header = "/";
  std::string room_prefix = "lg";
  std::string label;
  unsigned connections = 1000;
  unsigned room_size = 2;
  double rate = 0;  // messages/s in total, open loop; 0 = closed loop
  unsigned window = 8;
  double seconds = 10;
  double warmup = 2;
  std::uint64_t messages = 0;  // closed loop: exactly this many messages, then stop
  unsigned payload_bytes = 0;  // 0 = the scenario's default
  int server_pid = 0;
  unsigned connect_concurrency = 200;
  double setup_timeout = 180;
  double idle_settle = 3;
};

/// Runs one scenario to its end; the result object is what the tool prints. `ok` false when
/// something failed (errors, a phase that never completed).
boost::json::object run_scenario(const Options& options, bool& ok);

}  // namespace loadgen
