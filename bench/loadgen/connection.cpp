#include "connection.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/write.hpp>
#include <random>
#include <vector>

namespace loadgen {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using boost::system::error_code;

namespace {

constexpr std::size_t kMaxMessage = 16u << 20;
constexpr std::size_t kReadChunk = 8192;

/// A read buffer that grows only as far as one message needs.
class ReadBuffer {
 public:
  asio::mutable_buffer prepare() {
    if (begin_ == end_) begin_ = end_ = 0;
    if (data_.size() - end_ < kReadChunk / 2) {
      if (begin_ > 0) {
        std::copy(data_.begin() + static_cast<std::ptrdiff_t>(begin_),
                  data_.begin() + static_cast<std::ptrdiff_t>(end_), data_.begin());
        end_ -= begin_;
        begin_ = 0;
      }
      if (data_.size() - end_ < kReadChunk / 2)
        data_.resize(std::max(data_.size() * 2, kReadChunk));
    }
    return asio::buffer(data_.data() + end_, data_.size() - end_);
  }
  void commit(std::size_t n) { end_ += n; }
  [[nodiscard]] std::string_view view() const { return {data_.data() + begin_, end_ - begin_}; }
  void consume(std::size_t n) { begin_ += n; }

 private:
  std::vector<char> data_;
  std::size_t begin_ = 0;
  std::size_t end_ = 0;
};

/// Queued output: what is being written, and what waits for that write to end.
class Outbox {
 public:
  std::string& pending() { return pending_; }
  [[nodiscard]] bool busy() const { return !flight_.empty(); }
  /// Moves the pending bytes into flight; false when there is nothing to write.
  bool take() {
    if (busy() || pending_.empty()) return false;
    flight_.swap(pending_);
    return true;
  }
  [[nodiscard]] asio::const_buffer flight() const { return asio::buffer(flight_); }
  void done() { flight_.clear(); }

 private:
  std::string pending_;
  std::string flight_;
};

class WsConnection final : public Connection {
 public:
  WsConnection(asio::io_context& io, const Target& target, Listener& listener, std::size_t index)
      : socket_(io), target_(target), listener_(listener), index_(index) {}

  void start() override {
    socket_.async_connect(target_.endpoint, [this](error_code ec) {
      if (ec) return fail("connect: " + ec.message());
      socket_.set_option(tcp::no_delay(true));
      auto& out = outbox_.pending();
      out += "GET " + target_.path + " HTTP/1.1\r\nHost: " + target_.host +
             "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
             "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
             "Sec-WebSocket-Protocol: v12.stomp\r\n\r\n";
      flush();
      read();
    });
  }

  void send(std::string_view frame) override {
    if (failed_) return;
    append_ws_text(outbox_.pending(), frame);
    if (open_) flush();
  }

 private:
  void flush() {
    if (!outbox_.take()) return;
    asio::async_write(socket_, outbox_.flight(), [this](error_code ec, std::size_t) {
      outbox_.done();
      if (ec) return fail("write: " + ec.message());
      flush();
    });
  }

  void read() {
    socket_.async_read_some(in_.prepare(), [this](error_code ec, std::size_t n) {
      if (ec)
        return fail(ec == asio::error::eof ? "closed by the server" : "read: " + ec.message());
      in_.commit(n);
      if (!open_ && !handshake()) return;
      if (open_ && !frames()) return;
      read();
    });
  }

  bool handshake() {
    const std::string_view data = in_.view();
    const std::size_t end = data.find("\r\n\r\n");
    if (end == std::string_view::npos) {
      if (data.size() > 16384) fail("handshake response too long");
      return !failed_;
    }
    if (!data.starts_with("HTTP/1.1 101")) {
      fail("handshake refused: " + std::string(data.substr(0, data.find('\r'))));
      return false;
    }
    in_.consume(end + 4);
    open_ = true;
    listener_.on_open(index_);
    flush();  // a CONNECT queued by on_open
    return !failed_ && frames();
  }

  bool frames() {
    for (;;) {
      std::string error;
      const auto frame = parse_ws_frame(in_.view(), kMaxMessage, error);
      if (!error.empty()) {
        fail(error);
        return false;
      }
      if (!frame) return true;
      const bool ok = on_frame(*frame);
      in_.consume(frame->size);
      if (!ok || failed_) return false;
    }
  }

  bool on_frame(const WsFrame& frame) {
    switch (frame.opcode) {
      case 0x0:  // continuation
      case 0x1:
      case 0x2:
        if (!frame.fin || frame.opcode == 0x0) {
          fragments_.append(frame.payload);
          if (!frame.fin) return true;
          const std::string message = std::move(fragments_);
          fragments_.clear();
          return stomp(message);
        }
        return stomp(frame.payload);
      case 0x8:
        fail("WebSocket closed by the server" +
             (frame.payload.size() >= 2
                  ? ": " +
                        std::to_string((static_cast<unsigned char>(frame.payload[0]) << 8) |
                                       static_cast<unsigned char>(frame.payload[1])) +
                        " " + std::string(frame.payload.substr(2))
                  : std::string()));
        return false;
      case 0x9:
        append_ws_control(outbox_.pending(), 0xA, frame.payload);
        flush();
        return true;
      default:
        return true;
    }
  }

  bool stomp(std::string_view message) {
    std::string error;
    if (!for_each_stomp_frame(
            message, [this](const StompFrame& f) { listener_.on_stomp(index_, f); }, error)) {
      fail(error);
      return false;
    }
    return true;
  }

  void fail(std::string what) {
    if (failed_) return;
    failed_ = true;
    error_code ignored;
    socket_.close(ignored);
    listener_.on_failure(index_, what);
  }

  tcp::socket socket_;
  const Target& target_;
  Listener& listener_;
  std::size_t index_;
  ReadBuffer in_;
  Outbox outbox_;
  std::string fragments_;
  bool open_ = false;
  bool failed_ = false;
};

/// SockJS over xhr-streaming, as sockjs-client does it: one long POST .../xhr_streaming whose
/// chunked response carries the server's frames (reopened when the server ends it at its
/// response limit), and POST .../xhr_send on a second keep-alive connection for ours, one at
/// a time, with everything queued meanwhile batched into the next one's JSON array.
class XhrStreamingConnection final : public Connection {
 public:
  XhrStreamingConnection(asio::io_context& io, const Target& target, Listener& listener,
                         std::size_t index)
      : stream_(io), sender_(io), target_(target), listener_(listener), index_(index) {
    static std::mt19937_64 random{std::random_device{}()};
    static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    session_path_ = target_.path + "/" + std::to_string(index % 1000) + "/";
    for (int i = 0; i < 16; ++i) session_path_.push_back(kAlphabet[random() % 36]);
  }

  void start() override {
    stream_.async_connect(target_.endpoint, [this](error_code ec) {
      if (ec) return fail("connect: " + ec.message());
      stream_.set_option(tcp::no_delay(true));
      request_stream();
    });
    sender_.async_connect(target_.endpoint, [this](error_code ec) {
      if (ec) return fail("connect (xhr_send): " + ec.message());
      sender_.set_option(tcp::no_delay(true));
      sender_ready_ = true;
      post_send();
    });
  }

  void send(std::string_view frame) override {
    if (failed_) return;
    batch_.push_back(batch_.empty() ? '[' : ',');
    append_json_string(batch_, frame);
    post_send();
  }

 private:
  // --- the streaming response ---

  void request_stream() {
    stream_request_ = "POST " + session_path_ + "/xhr_streaming HTTP/1.1\r\nHost: " + target_.host +
                      "\r\nContent-Length: 0\r\n\r\n";
    headers_done_ = false;
    chunked_.reset();
    asio::async_write(stream_, asio::buffer(stream_request_), [this](error_code ec, std::size_t) {
      if (ec) return fail("write (xhr_streaming): " + ec.message());
      if (!reading_) read_stream();
    });
  }

  void read_stream() {
    reading_ = true;
    stream_.async_read_some(stream_in_.prepare(), [this](error_code ec, std::size_t n) {
      if (ec)
        return fail(ec == asio::error::eof ? "xhr_streaming closed by the server"
                                           : "read (xhr_streaming): " + ec.message());
      stream_in_.commit(n);
      if (!on_stream_bytes()) return;
      read_stream();
    });
  }

  bool on_stream_bytes() {
    for (;;) {
      const std::string_view data = stream_in_.view();
      if (!headers_done_) {
        const std::size_t end = data.find("\r\n\r\n");
        if (end == std::string_view::npos) return true;
        if (!data.starts_with("HTTP/1.1 200")) {
          fail("xhr_streaming refused: " + std::string(data.substr(0, data.find('\r'))));
          return false;
        }
        stream_in_.consume(end + 4);
        headers_done_ = true;
        continue;
      }
      if (data.empty()) return true;
      if (!chunked_.feed(data, sockjs_)) {
        fail("malformed chunked xhr_streaming response");
        return false;
      }
      stream_in_.consume(data.size());  // the decoder keeps partial lines itself
      std::string close_reason;
      const bool ok = for_each_sockjs_message(
          sockjs_, [this] { listener_.on_open(index_); },
          [this](std::string_view m) { on_message(m); }, close_reason);
      if (!ok) {
        fail("SockJS: " + close_reason);
        return false;
      }
      if (failed_) return false;
      if (chunked_.done()) request_stream();  // the response limit was reached: poll again
      return true;
    }
  }

  void on_message(std::string_view message) {
    std::string error;
    if (!for_each_stomp_frame(
            message, [this](const StompFrame& f) { listener_.on_stomp(index_, f); }, error))
      fail(error);
  }

  // --- xhr_send ---

  void post_send() {
    if (!sender_ready_ || sending_ || batch_.empty() || failed_) return;
    batch_.push_back(']');
    send_request_ = "POST " + session_path_ + "/xhr_send HTTP/1.1\r\nHost: " + target_.host +
                    "\r\nContent-Type: text/plain;charset=UTF-8\r\nContent-Length: " +
                    std::to_string(batch_.size()) + "\r\n\r\n";
    send_request_ += batch_;
    batch_.clear();
    sending_ = true;
    asio::async_write(sender_, asio::buffer(send_request_), [this](error_code ec, std::size_t) {
      if (ec) return fail("write (xhr_send): " + ec.message());
      read_send_response();
    });
  }

  void read_send_response() {
    sender_.async_read_some(send_in_.prepare(), [this](error_code ec, std::size_t n) {
      if (ec) return fail("read (xhr_send): " + ec.message());
      send_in_.commit(n);
      const std::string_view data = send_in_.view();
      const std::size_t end = data.find("\r\n\r\n");
      if (end == std::string_view::npos) return read_send_response();
      const std::string_view head = data.substr(0, end);
      if (!head.starts_with("HTTP/1.1 204") && !head.starts_with("HTTP/1.1 200")) {
        return fail("xhr_send refused: " + std::string(head.substr(0, head.find('\r'))));
      }
      std::size_t body = 0;
      if (const std::size_t at = head.find("\r\nContent-Length: "); at != std::string_view::npos) {
        for (std::size_t i = at + 18; i < head.size() && head[i] >= '0' && head[i] <= '9'; ++i)
          body = body * 10 + static_cast<std::size_t>(head[i] - '0');
      }
      if (data.size() < end + 4 + body) return read_send_response();
      send_in_.consume(end + 4 + body);
      sending_ = false;
      post_send();
    });
  }

  void fail(std::string what) {
    if (failed_) return;
    failed_ = true;
    error_code ignored;
    stream_.close(ignored);
    sender_.close(ignored);
    listener_.on_failure(index_, what);
  }

  tcp::socket stream_;
  tcp::socket sender_;
  const Target& target_;
  Listener& listener_;
  std::size_t index_;
  std::string session_path_;
  std::string stream_request_;
  std::string send_request_;
  std::string batch_;
  ReadBuffer stream_in_;
  ReadBuffer send_in_;
  ChunkedDecoder chunked_;
  std::string sockjs_;
  bool headers_done_ = false;
  bool reading_ = false;
  bool sender_ready_ = false;
  bool sending_ = false;
  bool failed_ = false;
};

}  // namespace

std::unique_ptr<Connection> make_ws_connection(asio::io_context& io, const Target& target,
                                               Listener& listener, std::size_t index) {
  return std::make_unique<WsConnection>(io, target, listener, index);
}

std::unique_ptr<Connection> make_xhr_streaming_connection(asio::io_context& io,
                                                          const Target& target, Listener& listener,
                                                          std::size_t index) {
  return std::make_unique<XhrStreamingConnection>(io, target, listener, index);
}

}  // namespace loadgen
