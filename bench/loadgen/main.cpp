// parley-loadgen: STOMP load against parley or any STOMP-over-WebSocket broker (RabbitMQ
// Web-STOMP), one thread, thousands of sessions. Prints one JSON object with the results;
// bench/stomp/run.mjs runs it pinned to its own core and writes docs/BENCHMARKS.md.
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <boost/json/serialize.hpp>
#include <exception>
#include <iostream>

#include "scenario.hpp"

int main(int argc, char** argv) {
  loadgen::Options o;
  CLI::App app{
      "parley-loadgen: STOMP signaling load (idle sessions, targeted relay, room fan-out, join "
      "storm)"};
  app.add_option("--url", o.url,
                 "ws://HOST:PORT/PATH for STOMP over WebSocket, http://HOST:PORT/stomp for SockJS")
      ->capture_default_str();
  app.add_option("--transport", o.transport, "ws, or xhr-streaming (SockJS)")
      ->check(CLI::IsMember({"ws", "xhr-streaming"}))
      ->capture_default_str();
  app.add_option("--scenario", o.scenario,
                 "idle: sessions in rooms of 2, server RSS per session; relay: pairs exchange "
                 "targeted ice messages; "
                 "fanout: chat messages in rooms of --room-size; storm: every session joins one "
                 "room at once")
      ->check(CLI::IsMember({"idle", "relay", "fanout", "storm"}))
      ->capture_default_str();
  app.add_option("--subscribe-prefix", o.subscribe_prefix,
                 "SUBSCRIBE destination, followed by the room key")
      ->capture_default_str();
  app.add_option(
         "--send-prefix", o.send_prefix,
         "SEND destination, followed by the room key (RabbitMQ: /exchange/chat.exchange/room.)")
      ->capture_default_str();
  app.add_option("--login", o.login, "STOMP login");
  app.add_option("--passcode", o.passcode, "STOMP passcode");
  app.add_option("--host-header", o.host_header, "STOMP host header (RabbitMQ: the virtual host)")
      ->capture_default_str();
  app.add_option("--room-prefix", o.room_prefix, "room keys are this prefix and a number")
      ->capture_default_str();
  app.add_option("--connections", o.connections,
                 "sessions (relay and idle: an even number, in pairs)")
      ->capture_default_str();
  app.add_option("--room-size", o.room_size, "fanout: members per room")->capture_default_str();
  app.add_option(
         "--rate", o.rate,
         "messages per second in total, open loop; 0 = closed loop (as fast as the server answers)")
      ->capture_default_str();
  app.add_option("--window", o.window, "closed loop: messages in flight per sender")
      ->capture_default_str();
  app.add_option("--seconds", o.seconds, "measured seconds")->capture_default_str();
  app.add_option("--warmup", o.warmup, "traffic seconds before the measurement starts")
      ->capture_default_str();
  app.add_option("--messages", o.messages,
                 "closed loop: send exactly this many messages, then stop (callgrind runs)");
  app.add_option("--payload-bytes", o.payload_bytes,
                 "JSON body size (default: 300 for relay, 100 for fanout)");
  app.add_option("--server-pid", o.server_pid,
                 "the server's PID, for its RSS and CPU time from /proc");
  app.add_option("--label", o.label, "copied into the result");
  app.add_option("--connect-concurrency", o.connect_concurrency, "sessions being set up at once")
      ->capture_default_str();
  app.add_option("--setup-timeout", o.setup_timeout,
                 "seconds for connecting, subscribing and joining (and the storm)")
      ->capture_default_str();
  app.add_option("--idle-settle", o.idle_settle,
                 "idle: seconds between the last join and the RSS sample")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  // Thousands of sockets: take the hard open-files limit.
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
  try {
    bool ok = false;
    const auto result = loadgen::run_scenario(o, ok);
    std::cout << boost::json::serialize(result) << std::endl;
    return ok ? 0 : 1;
  } catch (const std::invalid_argument& e) {
    std::cerr << "parley-loadgen: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "parley-loadgen: " << e.what() << "\n";
    return 1;
  }
}
