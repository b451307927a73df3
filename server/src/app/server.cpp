#include "app/server.hpp"

#include <spdlog/spdlog.h>

#include <pthread.h>
#include <sys/resource.h>
#include <boost/asio/io_context.hpp>

#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <csignal>
#include <cstdio>
#include <thread>
#include <vector>

#include "net/http_session.hpp"
#include "net/listener.hpp"
#include "net/redirect_session.hpp"
#include "net/sockjs_service.hpp"
#include "net/static_files.hpp"
#include "net/tls.hpp"

namespace parley::app {

namespace asio = boost::asio;

namespace {

// The signals the main thread alone takes (hold_signals()).
sigset_t held_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  return set;
}

// Polls until every WebSocket session has closed or the deadline passes, then stops the loop.
void wait_for_drain(asio::io_context& ioc, net::Context& ctx,
                    std::shared_ptr<asio::steady_timer> timer,
                    std::chrono::steady_clock::time_point deadline) {
  if (ctx.live() == 0 || std::chrono::steady_clock::now() >= deadline) {
    if (ctx.live() > 0) spdlog::warn("shutdown: {} sessions still open at deadline", ctx.live());
    ioc.stop();
    return;
  }
  timer->expires_after(std::chrono::milliseconds(20));
  timer->async_wait([&ioc, &ctx, timer, deadline](boost::system::error_code) {
    wait_for_drain(ioc, ctx, timer, deadline);
  });
}

// Polls until no client input is being handled (Context::quiet), then ends every session:
// the deliveries of every frame accepted before the stop are queued ahead of the shutdowns.
void shut_down_when_quiet(asio::io_context& ioc, net::Context& ctx,
                          std::shared_ptr<asio::steady_timer> timer,
                          std::chrono::steady_clock::time_point deadline) {
  if (ctx.quiet() || std::chrono::steady_clock::now() >= deadline) {
    ctx.shutdown_all();
    wait_for_drain(ioc, ctx, std::move(timer), deadline);
    return;
  }
  timer->expires_after(std::chrono::milliseconds(1));
  timer->async_wait([&ioc, &ctx, timer, deadline](boost::system::error_code) {
    shut_down_when_quiet(ioc, ctx, timer, deadline);
  });
}

void schedule_sweep(std::shared_ptr<asio::steady_timer> timer, broker::LocalBroker& broker) {
  timer->expires_after(std::chrono::seconds(30));
  timer->async_wait([timer, &broker](boost::system::error_code ec) {
    if (ec) return;
    broker.sweep(std::chrono::steady_clock::now());
    schedule_sweep(timer, broker);
  });
}

// Each SIGHUP loads the TLS files again; a bad pair keeps the old certificate (logged).
void wait_for_reload(asio::signal_set& signals, std::shared_ptr<net::TlsCertificate> tls) {
  signals.async_wait([&signals, tls](boost::system::error_code ec, int) {
    if (ec) return;
    if (tls) {
      tls->reload();
    } else {
      spdlog::info("SIGHUP: no --tls-cert to reload");
    }
    wait_for_reload(signals, tls);
  });
}

// Each connection is a file descriptor: lift the soft open-files limit to the hard one, and
// say so when --max-connections cannot be reached (accept would fail with EMFILE first).
void raise_open_files_limit(std::size_t max_connections) {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  if (limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);
    ::getrlimit(RLIMIT_NOFILE, &limit);
  }
  constexpr rlim_t kReserve = 64;  // logs, certificates, the AMQP link, static files
  if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < max_connections + kReserve) {
    spdlog::warn(
        "open-files limit is {}: fewer than --max-connections {} can be served; raise "
        "it (ulimit -n, LimitNOFILE=) or lower --max-connections",
        limit.rlim_cur, max_connections);
  }
}

// The services the sockjs-protocol project's test server defines, next to /stomp.
std::vector<net::SockjsConfig> test_services(const net::SockjsConfig& base) {
  using App = net::SockjsConfig::App;
  auto make = [&](std::string prefix, App app) {
    net::SockjsConfig c = base;
    c.prefix = std::move(prefix);
    c.app = app;
    c.websocket = true;
    c.cookie_needed = false;
    return c;
  };
  std::vector<net::SockjsConfig> out;
  out.push_back(make("/echo", App::echo));
  out.back().session.response_limit = 4096;
  out.push_back(make("/disabled_websocket_echo", App::echo));
  out.back().websocket = false;
  out.push_back(make("/cookie_needed_echo", App::echo));
  out.back().cookie_needed = true;
  out.push_back(make("/close", App::close));
  return out;
}

}  // namespace

void hold_signals() {
  const auto held = held_signals();
  pthread_sigmask(SIG_BLOCK, &held, nullptr);
}

int run(const Config& config) {
  raise_open_files_limit(config.net.max_connections);
  Metrics metrics;
  broker::LocalBroker broker{config.broker};
  net::StaticFiles files{config.web_root};
  net::Context ctx{config.net, config.stomp, broker, metrics, files};
  if (config.threads == 1) ctx.cork.enable();
  std::unique_ptr<cluster::ClusterNode> cluster;
  if (!config.cluster.amqp.url.empty()) {
    try {
      cluster = std::make_unique<cluster::ClusterNode>(config.cluster, broker);
    } catch (const std::invalid_argument& e) {
      spdlog::critical("--amqp: {}", e.what());
      return 2;
    }
    cluster->start();
    ctx.cluster = cluster.get();
  }
  // Declared after what sessions reference: handlers destroyed with it may still touch them.
  asio::io_context ioc{static_cast<int>(config.threads)};
  ctx.ice = config.ice;
  std::vector<std::unique_ptr<net::SockjsService>> sockjs;
  sockjs.push_back(std::make_unique<net::SockjsService>(ctx, ioc.get_executor(), config.sockjs));
  if (config.sockjs_test_services) {
    for (auto& service : test_services(config.sockjs)) {
      sockjs.push_back(std::make_unique<net::SockjsService>(ctx, ioc.get_executor(), service));
    }
    spdlog::info(
        "sockjs test services mounted: /echo, /disabled_websocket_echo, "
        "/cookie_needed_echo, /close");
  }
  for (auto& service : sockjs) ctx.sockjs.push_back(service.get());

  // Startup errors (unreadable files, a key that does not match) stop here, before listening.
  std::shared_ptr<net::TlsCertificate> tls;
  if (!config.tls_cert.empty()) {
    try {
      tls = std::make_shared<net::TlsCertificate>(config.tls_cert, config.tls_key);
    } catch (const std::exception& e) {
      spdlog::critical("{}", e.what());
      return 1;
    }
  }

  net::Listener::Serve serve_http = [&ctx](asio::ip::tcp::socket socket, net::ConnectionSlot slot) {
    std::make_shared<net::HttpSession<net::PlainStream>>(net::PlainStream(std::move(socket)),
                                                         std::move(slot), ctx)
        ->run();
  };
  net::Listener::Serve serve_https = [&ctx, tls](asio::ip::tcp::socket socket,
                                                 net::ConnectionSlot slot) {
    std::make_shared<net::HttpSession<net::TlsStream>>(
        net::TlsStream(std::move(socket), tls->current()), std::move(slot), ctx)
        ->run();
  };
  const std::string busy =
      "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nContent-Length: 21\r\n"
      "Connection: close\r\n\r\ntoo many connections\n";
  std::shared_ptr<net::Listener> listener;
  std::shared_ptr<net::Listener> redirect;
  try {
    auto address = asio::ip::make_address(config.bind);
    listener =
        std::make_shared<net::Listener>(ioc, asio::ip::tcp::endpoint{address, config.port}, ctx,
                                        tls ? serve_https : serve_http, tls ? std::string() : busy);
    if (tls && config.http_redirect_port != 0) {
      const auto tls_port = listener->local_endpoint().port();
      redirect = std::make_shared<net::Listener>(
          ioc, asio::ip::tcp::endpoint{address, config.http_redirect_port}, ctx,
          [&ctx, tls_port](asio::ip::tcp::socket socket, net::ConnectionSlot slot) {
            std::make_shared<net::RedirectSession>(std::move(socket), std::move(slot), ctx,
                                                   tls_port)
                ->run();
          },
          busy);
    }
  } catch (const std::exception& e) {
    spdlog::critical("cannot listen on {}:{}: {}", config.bind,
                     listener ? config.http_redirect_port : config.port, e.what());
    return 1;
  }
  listener->run();
  if (redirect) redirect->run();
  auto endpoint = listener->local_endpoint();
  spdlog::info("web root: {}", files.has_root() ? config.web_root : "(built-in page)");
  spdlog::info("{} I/O threads; {}", config.threads,
               cluster ? "rooms shared through RabbitMQ" : "embedded broker");
  spdlog::info("access: {}; {} room(s) with a password",
               config.stomp.verifier ? "room token required at CONNECT" : "open (no room tokens)",
               config.broker.rooms.passwords.size());
  if (tls)
    spdlog::info("TLS: certificate {}, key {} (SIGHUP reloads)", config.tls_cert, config.tls_key);
  if (redirect) {
    spdlog::info("redirecting http://{}:{} to https", config.bind,
                 redirect->local_endpoint().port());
  }
  auto sweep_timer = std::make_shared<asio::steady_timer>(ioc);
  schedule_sweep(sweep_timer, broker);

  asio::signal_set signals{ioc, SIGINT, SIGTERM};
  signals.async_wait([&](boost::system::error_code ec, int signal) {
    if (ec) return;
    spdlog::info("signal {}: stopping, closing {} sessions", signal, ctx.live());
    ctx.stopping = true;
    listener->stop();
    if (redirect) redirect->stop();
    sweep_timer->cancel();
    auto deadline =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(config.shutdown_timeout_ms);
    shut_down_when_quiet(ioc, ctx, std::make_shared<asio::steady_timer>(ioc), deadline);
  });
  // SIGHUP reloads the certificate; it never stops the node (without TLS it is ignored).
  asio::signal_set reload_signals{ioc, SIGHUP};
  wait_for_reload(reload_signals, tls);

  // The I/O threads keep the signals blocked (they inherit main()'s mask): only this thread
  // takes them, from here on, and one sent during the start is taken now. Under
  // ThreadSanitizer (clang 14) a SIGTERM sent while the I/O threads were being created was
  // sometimes never handled: the node kept running.
  std::vector<std::thread> threads;
  for (unsigned i = 1; i < config.threads; ++i) threads.emplace_back([&ioc] { ioc.run(); });
  const auto held = held_signals();
  pthread_sigmask(SIG_UNBLOCK, &held, nullptr);

  // Scripts wait for this line on stdout, and may send SIGTERM as soon as they see it: it is
  // printed only once the signal handlers are in place and the I/O threads run, or that
  // SIGTERM could kill the process without the orderly shutdown (and without the "stopped"
  // line in the log).
  std::printf("parley listening on %s:%u%s\n", endpoint.address().to_string().c_str(),
              endpoint.port(), tls ? " (https)" : "");
  std::fflush(stdout);

  if (ctx.cork.enabled()) {
    ctx.cork.run(ioc);
  } else {
    ioc.run();
  }
  for (auto& thread : threads) thread.join();
  // Every session is gone and its leaves are queued: tell the others and flush.
  if (cluster) cluster->stop();
  spdlog::info("stopped");
  return 0;
}

}  // namespace parley::app
