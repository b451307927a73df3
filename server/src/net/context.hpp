// What every connection of a node shares (the "shared_state" of Beast's chat example).
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "app/metrics.hpp"
#include "broker/local_broker.hpp"
#include "net/admission.hpp"
#include "net/write_cork.hpp"
#include "sockjs/session.hpp"
#include "stomp/session.hpp"
#include "turn/credentials.hpp"

namespace parley::cluster {
class ClusterNode;
}

namespace parley::net {

class StaticFiles;
class SockjsService;

// One SockJS service: /stomp carries STOMP; the sockjs-protocol test services
// (--sockjs-test-services) echo or close (see docs/PROTOCOL.md "SockJS").
struct SockjsConfig {
  enum class App { stomp, echo, close };
  std::string prefix = "/stomp";
  App app = App::stomp;
  bool websocket = true;       // offer the websocket transport in /info and accept it
  bool cookie_needed = false;  // /info cookie_needed, and JSESSIONID cookies on responses
  std::string client_url = "/stomp/sockjs.min.js";  // the script iframe.html loads
  std::string client_file;  // the file served at /stomp/sockjs.min.js (empty: 404)
  std::size_t max_sessions = 10000;
  sockjs::SessionConfig session;
};

struct NetConfig {
  std::size_t max_outbound_bytes = 4 * 1024 * 1024;  // per connection, then it is dropped
  std::vector<std::string> allowed_origins;  // see net/origin.hpp; empty: the default policy
  std::size_t max_http_body = 256 * 1024;    // room for a max-size STOMP frame, JSON-quoted
  std::size_t max_http_header = 16 * 1024;   // request line and headers
  std::chrono::milliseconds handshake_timeout{10000};  // TCP accept -> HTTP request / WS upgrade
  std::chrono::seconds http_idle_timeout{30};
  std::chrono::seconds ws_idle_timeout{60};     // WebSocket-level pings keep dead peers detectable
  std::size_t max_connections = 10000;          // open TCP connections, all listeners
  std::size_t max_connections_per_ip = 256;     // per client address (not for trusted proxies)
  std::size_t max_sockjs_sessions_per_ip = 64;  // HTTP-transport SockJS sessions
  std::vector<boost::asio::ip::address> trusted_proxies;  // exempt per address; X-Forwarded-For
};

// Something the node can ask to close at shutdown.
class Closable {
 public:
  virtual ~Closable() = default;
  virtual void shutdown() = 0;  // thread-safe: posts onto the connection's own strand
};

struct Context {
  Context(NetConfig net_config, stomp::SessionConfig stomp_config, broker::LocalBroker& b,
          app::Metrics& m, const StaticFiles& f)
      : net(net_config),
        stomp(std::move(stomp_config)),
        broker(b),
        metrics(m),
        files(f),
        connections({net.max_connections, net.max_connections_per_ip, net.trusted_proxies}),
        sockjs_sessions({0, net.max_sockjs_sessions_per_ip, net.trusted_proxies}) {}

  NetConfig net;
  // Set by the node before it accepts connections: /stomp first, then any test services.
  std::vector<SockjsService*> sockjs;
  turn::IceConfig ice;  // GET /api/ice-servers
  stomp::SessionConfig stomp;
  broker::LocalBroker& broker;
  app::Metrics& metrics;
  const StaticFiles& files;
  cluster::ClusterNode* cluster = nullptr;  // set with --amqp
  WriteCork cork;                           // enabled by the node when one I/O thread runs it
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  std::atomic<bool> stopping{false};
  std::atomic<std::uint64_t> next_session{1};
  AddressCounter connections;      // every open TCP connection holds a ConnectionSlot
  AddressCounter sockjs_sessions;  // SockJS sessions over HTTP transports, by client address

  // A limit refused something: counted by name in /metrics, and logged (a warning at most
  // once a second, so a flood cannot flood the log too).
  void limit_hit(std::string_view limit, std::string_view detail);

  // A client that does not read fast enough is cut: counted, and logged with what it was.
  void slow_consumer(std::string_view who, std::size_t bytes, std::size_t limit);

  // Client input being handled right now. A handler calls enter() before it feeds a session
  // and leave() after; enter() refuses once the node is stopping. Shutdown waits for quiet()
  // before it ends the sessions, so every delivery of a frame that was accepted (and
  // receipted) is queued on its recipients before their shutdown is (Dekker-style: both sides
  // are sequentially consistent).
  bool enter();
  void leave() { handling_.fetch_sub(1); }
  bool quiet() const { return handling_.load() == 0; }

  // Live WebSocket connections, for graceful shutdown.
  std::uint64_t track(std::weak_ptr<Closable> connection);
  void untrack(std::uint64_t key);
  std::size_t live() const;
  void shutdown_all();

 private:
  mutable std::mutex mutex_;
  std::uint64_t next_key_ = 1;
  std::unordered_map<std::uint64_t, std::weak_ptr<Closable>> live_;
  std::atomic<std::int64_t> last_limit_warning_ms_{0};
  std::atomic<int> handling_{0};
};

}  // namespace parley::net
