#include "app/server.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdio>
#include <thread>
#include <vector>

#include "net/listener.hpp"
#include "net/sockjs_service.hpp"
#include "net/static_files.hpp"

namespace parley::app {

namespace asio = boost::asio;

namespace {

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

void schedule_sweep(std::shared_ptr<asio::steady_timer> timer, broker::LocalBroker& broker) {
  timer->expires_after(std::chrono::seconds(30));
  timer->async_wait([timer, &broker](boost::system::error_code ec) {
    if (ec) return;
    broker.sweep(std::chrono::steady_clock::now());
    schedule_sweep(timer, broker);
  });
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

int run(const Config& config) {
  Metrics metrics;
  broker::LocalBroker broker{config.broker};
  net::StaticFiles files{config.web_root};
  net::Context ctx{config.net, config.stomp, broker, metrics, files};
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

  std::shared_ptr<net::Listener> listener;
  try {
    auto address = asio::ip::make_address(config.bind);
    listener =
        std::make_shared<net::Listener>(ioc, asio::ip::tcp::endpoint{address, config.port}, ctx);
  } catch (const std::exception& e) {
    spdlog::critical("cannot listen on {}:{}: {}", config.bind, config.port, e.what());
    return 1;
  }
  listener->run();
  auto endpoint = listener->local_endpoint();
  spdlog::info("web root: {}", files.has_root() ? config.web_root : "(built-in page)");
  spdlog::info("{} I/O threads; embedded broker", config.threads);
  // Scripts wait for this line on stdout.
  std::printf("parley listening on %s:%u\n", endpoint.address().to_string().c_str(),
              endpoint.port());
  std::fflush(stdout);

  auto sweep_timer = std::make_shared<asio::steady_timer>(ioc);
  schedule_sweep(sweep_timer, broker);

  asio::signal_set signals{ioc, SIGINT, SIGTERM};
  signals.async_wait([&](boost::system::error_code ec, int signal) {
    if (ec) return;
    spdlog::info("signal {}: stopping, closing {} sessions", signal, ctx.live());
    ctx.stopping = true;
    listener->stop();
    sweep_timer->cancel();
    ctx.shutdown_all();
    auto deadline =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(config.shutdown_timeout_ms);
    wait_for_drain(ioc, ctx, std::make_shared<asio::steady_timer>(ioc), deadline);
  });

  std::vector<std::thread> threads;
  for (unsigned i = 1; i < config.threads; ++i) threads.emplace_back([&ioc] { ioc.run(); });
  ioc.run();
  for (auto& thread : threads) thread.join();
  spdlog::info("stopped");
  return 0;
}

}  // namespace parley::app
