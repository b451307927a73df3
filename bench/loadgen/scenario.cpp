#include "scenario.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json/array.hpp>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "connection.hpp"
#include "histogram.hpp"

namespace loadgen {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

Clock::duration seconds(double s) {
  return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s));
}

namespace {

// `ts`: 10^18 + nanoseconds since the run began: always 19 digits (fixed-width frames, filled
// in place) and a valid JSON number (no leading zero).
constexpr std::size_t kTsDigits = 19;
constexpr std::uint64_t kTsBase = 1'000'000'000'000'000'000ULL;

std::uint64_t now_ns(Clock::time_point origin) {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - origin).count());
}

// --- the server process, from /proc ---

std::optional<std::uint64_t> rss_kib(int pid) {
  if (pid <= 0) return std::nullopt;
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.starts_with("VmRSS:")) return std::stoull(line.substr(6));
  }
  return std::nullopt;
}

/// utime + stime of the process, in seconds.
std::optional<double> cpu_seconds(int pid) {
  if (pid <= 0) return std::nullopt;
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::size_t paren = stat.rfind(')');
  if (paren == std::string::npos) return std::nullopt;
  std::istringstream fields(stat.substr(paren + 2));
  std::string field;
  std::uint64_t utime = 0;
  std::uint64_t stime = 0;
  for (int i = 3; fields >> field; ++i) {  // field 3 is the state
    if (i == 14) utime = std::stoull(field);
    if (i == 15) {
      stime = std::stoull(field);
      break;
    }
  }
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

/// The host's CPU time stolen by the hypervisor and its total, in clock ticks over all cores
/// (/proc/stat): on a virtual machine, steal is what makes latency tails noisy.
std::pair<double, double> host_steal_and_total() {
  std::ifstream in("/proc/stat");
  std::string cpu;
  in >> cpu;
  double total = 0;
  double steal = 0;
  for (int i = 0; i < 8; ++i) {  // user nice system idle iowait irq softirq steal
    double v = 0;
    if (!(in >> v)) break;
    total += v;
    if (i == 7) steal = v;
  }
  return {steal, total};
}

/// This process's own CPU time, in seconds: a load generator at 100 % measures itself.
double own_cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto sec = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return sec(usage.ru_utime) + sec(usage.ru_stime);
}

// --- fields of the JSON bodies we wrote ourselves (no JSON parser on the hot path) ---

/// The digits after `key` in `body` ("\"ts\":" → 123), or nullopt.
std::optional<std::uint64_t> number_after(std::string_view body, std::string_view key) {
  const std::size_t at = body.find(key);
  if (at == std::string_view::npos) return std::nullopt;
  std::uint64_t value = 0;
  const char* first = body.data() + at + key.size();
  const auto [ptr, ec] = std::from_chars(first, body.data() + body.size(), value);
  if (ec != std::errc() || ptr == first) return std::nullopt;
  return value;
}

char type_of(std::string_view body) {
  static constexpr std::string_view kKey = "\"type\":\"";
  const std::size_t at = body.find(kKey);
  if (at == std::string_view::npos || at + kKey.size() >= body.size()) return '?';
  return body[at + kKey.size()];
}

struct Member {
  std::size_t room = 0;
  std::size_t partner = 0;  // relay: the other member of the pair
  std::string id;
  std::string frame;  // the SEND frame of this member's traffic, ts digits at ts_at
  std::size_t ts_at = 0;
  bool subscribed = false;
  bool failed = false;
  std::size_t joins_seen = 0;
  std::uint64_t inflight = 0;
  std::uint64_t completed_ns = 0;
};

class Scenario final : public Listener {
 public:
  explicit Scenario(const Options& options) : options_(options), timer_(io_) {
    parse_url();
    kind_ = options_.scenario;
    if (kind_ != "idle" && kind_ != "relay" && kind_ != "fanout" && kind_ != "storm") {
      throw std::invalid_argument("unknown scenario: " + kind_);
    }
    if (options_.transport != "ws" && options_.transport != "xhr-streaming") {
      throw std::invalid_argument("unknown transport: " + options_.transport);
    }
    const std::size_t n = options_.connections;
    if (n == 0) throw std::invalid_argument("--connections must be at least 1");
    room_size_ = kind_ == "storm" ? n : kind_ == "fanout" ? std::max(1u, options_.room_size) : 2;
    if ((kind_ == "relay" || kind_ == "idle") && n % 2 != 0)
      throw std::invalid_argument("--connections must be even");
    payload_ = options_.payload_bytes ? options_.payload_bytes : kind_ == "fanout" ? 100 : 300;
    members_.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      Member& m = members_[i];
      m.room = i / room_size_;
      m.partner = (i % 2 == 0) ? i + 1 : i - 1;
      m.id = "u" + std::to_string(i);
      build_traffic_frame(m);
    }
    rooms_ = (n + room_size_ - 1) / room_size_;
  }

  boost::json::object run(bool& ok) {
    origin_ = Clock::now();
    rss_before_ = rss_kib(options_.server_pid);
    setup_deadline_ = Clock::now() + seconds(options_.setup_timeout);
    conns_.reserve(members_.size());
    for (std::size_t i = 0; i < members_.size(); ++i) {
      conns_.push_back(options_.transport == "ws"
                           ? make_ws_connection(io_, target_, *this, i)
                           : make_xhr_streaming_connection(io_, target_, *this, i));
    }
    phase_ = Phase::Connecting;
    std::cerr << "loadgen: " << kind_ << ": connecting " << members_.size() << " sessions ("
              << options_.transport << ")\n";
    while (started_ < conns_.size() && started_ < options_.connect_concurrency)
      conns_[started_++]->start();
    tick();
    io_.run();
    ok = ok_ && errors_ == 0;
    return result();
  }

  // --- Listener ---

  void on_open(std::size_t index) override {
    std::string connect =
        "CONNECT\naccept-version:1.2\nhost:" + options_.host_header + "\nheart-beat:0,0\n";
    if (!options_.login.empty())
      connect += "login:" + options_.login + "\npasscode:" + options_.passcode + "\n";
    connect += "\n";
    connect.push_back('\0');
    conns_[index]->send(connect);
  }

  void on_stomp(std::size_t index, const StompFrame& frame) override {
    switch (frame.command) {
      case Command::Message:
        on_message(index, frame.body);
        return;
      case Command::Connected:
        conns_[index]->send(
            stomp_frame("SUBSCRIBE", {{"id", "0"},
                                      {"destination", subscribe_destination(members_[index].room)},
                                      {"receipt", "sub"}}));
        return;
      case Command::Receipt:
        on_subscribed(index);
        return;
      case Command::Error:
        error("ERROR frame: " + std::string(frame.message.substr(0, 200)));
        return;
      case Command::Other:
        return;
    }
  }

  void on_failure(std::size_t index, std::string_view what) override {
    members_[index].failed = true;
    if (phase_ == Phase::Finished) return;
    error("session " + members_[index].id + ": " + std::string(what));
    if (phase_ != Phase::Running) abort("a session failed during setup");
  }

 private:
  enum class Phase { Connecting, Joining, Running, Draining, Finished };

  void parse_url() {
    std::string_view url = options_.url;
    std::string_view rest;
    if (url.starts_with("ws://")) {
      rest = url.substr(5);
    } else if (url.starts_with("http://")) {
      rest = url.substr(7);
    } else {
      throw std::invalid_argument(
          "--url must be ws://HOST:PORT/PATH or http://HOST:PORT/PATH (no TLS)");
    }
    const std::size_t slash = rest.find('/');
    const std::string_view authority = rest.substr(0, slash);
    target_.path = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
    if (target_.path.size() > 1 && target_.path.back() == '/') target_.path.pop_back();
    const std::size_t colon = authority.rfind(':');
    if (colon == std::string_view::npos)
      throw std::invalid_argument("--url needs an explicit port");
    const std::string host(authority.substr(0, colon));
    unsigned port = 0;
    std::from_chars(authority.data() + colon + 1, authority.data() + authority.size(), port);
    if (port == 0 || port > 65535) throw std::invalid_argument("bad port in --url");
    target_.endpoint = {asio::ip::make_address(host == "localhost" ? "127.0.0.1" : host),
                        static_cast<unsigned short>(port)};
    target_.host = std::string(authority);
  }

  std::string room_key(std::size_t room) const {
    return options_.room_prefix + std::to_string(room);
  }
  std::string subscribe_destination(std::size_t room) const {
    return options_.subscribe_prefix + room_key(room);
  }
  std::string send_destination(std::size_t room) const {
    return options_.send_prefix + room_key(room);
  }

  std::string send_frame(std::size_t room, std::string_view body) const {
    return stomp_frame(
        "SEND", {{"destination", send_destination(room)}, {"content-type", "application/json"}},
        body);
  }

  /// The member's relay (`ice` to its partner) or fan-out (`message` to its room) frame, of
  /// payload_ bytes of JSON, with a fixed-width `ts` filled in at each send.
  void build_traffic_frame(Member& m) {
    const std::string ts = std::to_string(kTsBase);
    std::string head;
    std::string tail;
    if (kind_ == "fanout") {
      head = R"({"type":"message","from":")" + m.id + R"(","nickname":")" + m.id + R"(","ts":)";
      tail = R"(,"msg":")";
    } else {
      head = R"({"type":"ice","from":")" + m.id + R"(","target":"u)" + std::to_string(m.partner) +
             R"(","ts":)";
      tail =
          R"(,"iceCandidate":{"sdpMid":"0","sdpMLineIndex":0,"candidate":"candidate:842163049 1 udp 1677729535 )";
    }
    std::string body = head + ts + tail;
    const std::string close =
        kind_ == "fanout" ? "\"}" : " typ srflx raddr 0.0.0.0 rport 0 generation 0\"}}";
    while (body.size() + close.size() < payload_)
      body.push_back(static_cast<char>('a' + body.size() % 26));
    body += close;
    m.frame = send_frame(m.room, body);
    m.ts_at = m.frame.find(head) + head.size();
  }

  void send_traffic(std::size_t index, std::uint64_t ts) {
    Member& m = members_[index];
    if (m.failed) return;
    char* digits = m.frame.data() + m.ts_at;
    ts += kTsBase;
    for (std::size_t i = kTsDigits; i-- > 0; ts /= 10) digits[i] = static_cast<char>('0' + ts % 10);
    conns_[index]->send(m.frame);
    ++m.inflight;
    ++sent_;
    if (measuring_) ++sent_measured_;
  }

  // --- setup ---

  void on_subscribed(std::size_t index) {
    Member& m = members_[index];
    if (m.subscribed) return;
    m.subscribed = true;
    ++subscribed_;
    if (started_ < conns_.size()) conns_[started_++]->start();
    if (subscribed_ % 1000 == 0) std::cerr << "loadgen: " << subscribed_ << " subscribed\n";
    if (subscribed_ < members_.size()) return;
    if (kind_ == "storm") {
      start_storm();
    } else {
      phase_ = Phase::Joining;
      for (std::size_t i = 0; i < members_.size(); ++i) send_join(i);
    }
  }

  void send_join(std::size_t index) {
    const Member& m = members_[index];
    conns_[index]->send(send_frame(
        m.room, R"({"type":"join","from":")" + m.id + R"(","nickname":")" + m.id + R"("})"));
  }

  void on_join_seen(std::size_t index) {
    Member& m = members_[index];
    const std::size_t expected = std::min(room_size_, members_.size() - m.room * room_size_);
    if (++m.joins_seen != expected) return;
    m.completed_ns = now_ns(origin_);
    if (++joined_ < members_.size()) return;
    if (kind_ == "storm") {
      finish_storm();
    } else if (kind_ == "idle") {
      std::cerr << "loadgen: idle: all joined; settling " << options_.idle_settle << " s\n";
      phase_ = Phase::Running;
      idle_until_ = Clock::now() + seconds(options_.idle_settle);
    } else {
      start_traffic();
    }
  }

  void start_storm() {
    std::cerr << "loadgen: storm: " << members_.size() << " joins at once\n";
    phase_ = Phase::Joining;
    storm_start_ns_ = now_ns(origin_);
    begin_cpu();
    for (std::size_t i = 0; i < members_.size(); ++i) send_join(i);
  }

  void finish_storm() {
    std::vector<std::uint64_t> done;
    done.reserve(members_.size());
    for (const Member& m : members_) done.push_back(m.completed_ns - storm_start_ns_);
    std::sort(done.begin(), done.end());
    auto at = [&](double q) {
      return static_cast<double>(
                 done[std::min(done.size() - 1,
                               static_cast<std::size_t>(q * static_cast<double>(done.size())))]) /
             1e6;
    };
    result_["storm_ms"] = static_cast<double>(done.back()) / 1e6;
    result_["storm_p50_ms"] = at(0.5);
    result_["storm_p99_ms"] = at(0.99);
    end_cpu(static_cast<double>(done.back()) / 1e9);
    finish();
  }

  // --- traffic ---

  void start_traffic() {
    phase_ = Phase::Running;
    const auto now = Clock::now();
    traffic_start_ = now;
    const bool counted = options_.messages > 0;
    warmup_end_ = counted ? now : now + seconds(options_.warmup);
    measure_end_ = warmup_end_ + seconds(options_.seconds);
    std::cerr << "loadgen: " << kind_ << ": traffic "
              << (options_.rate > 0
                      ? std::to_string(static_cast<long long>(options_.rate)) + " msg/s"
                      : "closed loop, window " + std::to_string(options_.window))
              << (counted ? ", " + std::to_string(options_.messages) + " messages" : "") << "\n";
    if (counted) begin_measure();
    if (options_.rate <= 0) {
      for (std::size_t i = 0; i < members_.size(); ++i) {
        for (unsigned w = 0; w < options_.window && may_send(); ++w)
          send_traffic(i, now_ns(origin_));
      }
    }
  }

  bool may_send() const {
    if (phase_ != Phase::Running) return false;
    return options_.messages == 0 || sent_ < options_.messages;
  }

  void begin_measure() {
    measuring_ = true;
    latency_.reset();
    delivered_measured_ = 0;
    deliveries_measured_ = 0;
    sent_measured_ = 0;
    begin_cpu();
    measure_start_ = Clock::now();
  }

  void begin_cpu() {
    cpu_start_ = cpu_seconds(options_.server_pid);
    own_cpu_start_ = own_cpu_seconds();
    steal_start_ = host_steal_and_total();
  }

  /// Server and load generator CPU over the last `elapsed` seconds, in % of one core.
  void end_cpu(double elapsed) {
    if (elapsed <= 0) return;
    if (const auto cpu = cpu_seconds(options_.server_pid); cpu && cpu_start_) {
      result_["server_cpu_percent"] = 100.0 * (*cpu - *cpu_start_) / elapsed;
    }
    result_["loadgen_cpu_percent"] = 100.0 * (own_cpu_seconds() - own_cpu_start_) / elapsed;
    const auto [steal, total] = host_steal_and_total();
    if (total > steal_start_.second) {
      result_["host_steal_percent"] =
          100.0 * (steal - steal_start_.first) / (total - steal_start_.second);
    }
  }

  void end_measure() {
    measuring_ = false;
    measured_seconds_ = std::chrono::duration<double>(Clock::now() - measure_start_).count();
    end_cpu(measured_seconds_);
    phase_ = Phase::Draining;
    drain_until_ = Clock::now() + std::chrono::milliseconds(options_.messages ? 10000 : 1000);
  }

  void on_message(std::size_t index, std::string_view body) {
    const char type = type_of(body);
    if (type == 'j') {
      on_join_seen(index);
      return;
    }
    if (type != 'i' && type != 'm') return;  // leave, media...
    ++deliveries_;
    const auto from = number_after(body, "\"from\":\"u");
    const auto ts = number_after(body, "\"ts\":");
    if (!from || !ts || *from >= members_.size() || *ts < kTsBase) {
      error("a message without our from/ts: " + std::string(body.substr(0, 120)));
      return;
    }
    const std::uint64_t now = now_ns(origin_);
    const auto sender = static_cast<std::size_t>(*from);
    const bool fanout = type == 'm';
    if (measuring_) {
      ++deliveries_measured_;
      const std::uint64_t sent_at = *ts - kTsBase;
      if (fanout || sender != index) latency_.record(now > sent_at ? now - sent_at : 0);
    }
    // A message is complete at its target (relay) or when it is back at its sender (fan-out:
    // every member gets it, the sender too). RabbitMQ also echoes relay messages to the sender.
    const bool complete = fanout ? sender == index : sender != index;
    if (!complete) return;
    Member& s = members_[sender];
    if (s.inflight > 0) --s.inflight;
    ++delivered_;
    if (measuring_) ++delivered_measured_;
    if (options_.rate <= 0 && may_send()) send_traffic(sender, now);
    if (phase_ == Phase::Draining && options_.messages && delivered_ >= options_.messages) finish();
    if (options_.messages && phase_ == Phase::Running && delivered_ >= options_.messages) {
      end_measure();
      finish();
    }
  }

  /// Open loop: every 100 µs, the messages due by now, stamped with the time they go out.
  /// How late that is against their schedule is reported (pacing_lag_us_max): when the load
  /// generator itself falls behind, the result says so instead of hiding it.
  void pace() {
    if (options_.rate <= 0 || phase_ != Phase::Running) return;
    const double elapsed = std::chrono::duration<double>(Clock::now() - traffic_start_).count();
    const auto due = static_cast<std::uint64_t>(elapsed * options_.rate);
    const std::uint64_t cap =
        std::max<std::uint64_t>(100000, static_cast<std::uint64_t>(options_.rate));
    while (paced_ < due) {
      const double scheduled = static_cast<double>(paced_) / options_.rate;
      if (measuring_) pacing_lag_max_ = std::max(pacing_lag_max_, elapsed - scheduled);
      const std::uint64_t ts = now_ns(origin_);
      ++paced_;
      if (sent_ - delivered_ > cap) {
        ++skipped_;  // the server is that far behind: do not grow our queues without bound
        continue;
      }
      send_traffic(next_sender_, ts);
      next_sender_ = (next_sender_ + 1) % members_.size();
    }
  }

  // --- the clock ---

  void tick() {
    const bool pacing = options_.rate > 0 && phase_ == Phase::Running;
    timer_.expires_after(pacing ? std::chrono::microseconds(100) : std::chrono::microseconds(1000));
    timer_.async_wait([this](boost::system::error_code ec) {
      if (ec || phase_ == Phase::Finished) return;
      const auto now = Clock::now();
      if ((phase_ == Phase::Connecting || phase_ == Phase::Joining) && now > setup_deadline_) {
        if (kind_ == "storm" && phase_ == Phase::Joining) {
          result_["storm_ms"] = nullptr;
          abort("join storm: " + std::to_string(joined_) + " of " +
                std::to_string(members_.size()) + " members saw every join");
        } else {
          abort("setup did not complete: " + std::to_string(subscribed_) + " subscribed, " +
                std::to_string(joined_) + " joined of " + std::to_string(members_.size()));
        }
        return;
      }
      if (phase_ == Phase::Running && kind_ == "idle") {
        if (now >= idle_until_) finish_idle();
      } else if (phase_ == Phase::Running) {
        if (!measuring_ && options_.messages == 0 && now >= warmup_end_) begin_measure();
        pace();
        if (options_.messages == 0 && now >= measure_end_) end_measure();
      } else if (phase_ == Phase::Draining && now >= drain_until_) {
        if (options_.messages && delivered_ < options_.messages)
          error("messages still undelivered after the drain");
        finish();
      }
      if (phase_ != Phase::Finished) tick();
    });
  }

  void finish_idle() {
    const auto after = rss_kib(options_.server_pid);
    if (after && rss_before_) {
      result_["server_rss_kib_after"] = *after;
      result_["rss_per_connection_bytes"] =
          (static_cast<double>(*after) - static_cast<double>(*rss_before_)) * 1024.0 /
          static_cast<double>(members_.size());
    }
    finish();
  }

  void finish() {
    if (phase_ == Phase::Finished) return;
    phase_ = Phase::Finished;
    timer_.cancel();
    io_.stop();
  }

  void abort(const std::string& why) {
    ok_ = false;
    error(why);
    finish();
  }

  void error(std::string what) {
    ++errors_;
    if (error_samples_.size() < 8) {
      std::cerr << "loadgen: " << what << "\n";
      error_samples_.emplace_back(std::move(what));
    }
  }

  boost::json::object result() {
    boost::json::object r = std::move(result_);
    r["scenario"] = kind_;
    r["transport"] = options_.transport;
    r["label"] = options_.label;
    r["connections"] = members_.size();
    r["room_size"] = room_size_;
    r["rooms"] = rooms_;
    r["payload_bytes"] = payload_;
    r["rate_target"] = options_.rate;
    r["window"] = options_.window;
    r["seconds"] = measured_seconds_;
    r["sent"] = sent_;
    r["delivered"] = delivered_;
    r["skipped"] = skipped_;
    if (options_.rate > 0) r["pacing_lag_us_max"] = pacing_lag_max_ * 1e6;
    if (measured_seconds_ > 0) {
      r["messages_per_s"] = static_cast<double>(delivered_measured_) / measured_seconds_;
      r["deliveries_per_s"] = static_cast<double>(deliveries_measured_) / measured_seconds_;
      r["sent_per_s"] = static_cast<double>(sent_measured_) / measured_seconds_;
      boost::json::object lat;
      auto us = [](std::uint64_t ns) { return static_cast<double>(ns) / 1000.0; };
      lat["p50"] = us(latency_.quantile(0.50));
      lat["p90"] = us(latency_.quantile(0.90));
      lat["p99"] = us(latency_.quantile(0.99));
      lat["p999"] = us(latency_.quantile(0.999));
      lat["max"] = us(latency_.max());
      lat["count"] = latency_.count();
      r["latency_us"] = std::move(lat);
    }
    if (rss_before_) r["server_rss_kib_before"] = *rss_before_;
    if (!r.contains("server_rss_kib_after")) {
      if (const auto after = rss_kib(options_.server_pid)) r["server_rss_kib_after"] = *after;
    }
    r["errors"] = errors_;
    boost::json::array samples;
    for (const auto& s : error_samples_) samples.emplace_back(s);
    r["error_samples"] = std::move(samples);
    return r;
  }

  asio::io_context io_;
  Options options_;
  Target target_;
  asio::steady_timer timer_;
  std::string kind_;
  std::size_t room_size_ = 2;
  std::size_t rooms_ = 0;
  std::size_t payload_ = 0;
  std::vector<Member> members_;
  std::vector<std::unique_ptr<Connection>> conns_;
  Phase phase_ = Phase::Connecting;
  Clock::time_point origin_;
  Clock::time_point setup_deadline_;
  Clock::time_point traffic_start_;
  Clock::time_point warmup_end_;
  Clock::time_point measure_end_;
  Clock::time_point measure_start_;
  Clock::time_point drain_until_;
  Clock::time_point idle_until_;
  std::size_t started_ = 0;
  std::size_t subscribed_ = 0;
  std::size_t joined_ = 0;
  std::uint64_t storm_start_ns_ = 0;
  std::uint64_t sent_ = 0;
  std::uint64_t paced_ = 0;
  std::uint64_t skipped_ = 0;
  std::uint64_t delivered_ = 0;
  std::uint64_t deliveries_ = 0;
  std::uint64_t sent_measured_ = 0;
  std::uint64_t delivered_measured_ = 0;
  std::uint64_t deliveries_measured_ = 0;
  std::size_t next_sender_ = 0;
  bool measuring_ = false;
  double measured_seconds_ = 0;
  std::optional<double> cpu_start_;
  double own_cpu_start_ = 0;
  double pacing_lag_max_ = 0;  // seconds
  std::pair<double, double> steal_start_{};
  std::optional<std::uint64_t> rss_before_;
  Histogram latency_;
  std::uint64_t errors_ = 0;
  std::vector<std::string> error_samples_;
  bool ok_ = true;
  boost::json::object result_;
};

}  // namespace

boost::json::object run_scenario(const Options& options, bool& ok) {
  Scenario scenario(options);
  return scenario.run(ok);
}

}  // namespace loadgen
