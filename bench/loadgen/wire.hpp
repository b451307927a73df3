// The load generator's own client side of the wire: WebSocket frames (RFC 6455, client
// role), STOMP 1.2 frames, and SockJS xhr-streaming framing. Written apart from the server's
// codec on purpose, so that a bug there cannot hide itself here. Pure functions over bytes,
// unit-tested in loadgen_test.cpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace loadgen {

// --- WebSocket (client role) ---

/// Appends one masked text frame carrying `payload`. The masking key is zero: a valid key
/// (RFC 6455 §5.3 only asks clients for an unpredictable one, against proxy cache poisoning,
/// which a load generator on loopback does not face); the server unmasks it like any other,
/// and the client skips the XOR pass.
void append_ws_text(std::string& out, std::string_view payload);
/// Appends a masked pong (answer to a ping) or close frame with `payload` (≤ 125 bytes).
void append_ws_control(std::string& out, std::uint8_t opcode, std::string_view payload);

struct WsFrame {
  bool fin = false;
  std::uint8_t opcode = 0;
  std::string_view payload;  // points into the input
  std::size_t size = 0;      // bytes the whole frame took
};

/// Parses one server frame at the start of `in`: nullopt when more bytes are needed. A server
/// frame that claims more than `max_payload` bytes, or is masked, sets `error`.
std::optional<WsFrame> parse_ws_frame(std::string_view in, std::size_t max_payload,
                                      std::string& error);

// --- STOMP ---

enum class Command { Connected, Message, Receipt, Error, Other };

struct StompFrame {
  Command command = Command::Other;
  std::string_view body;
  std::string_view message;     // ERROR's `message` header
  std::string_view receipt_id;  // RECEIPT's `receipt-id`
};

/// Splits a WebSocket message (or SockJS string) into STOMP frames, skipping heart-beat EOLs.
/// Calls `on_frame` for each; returns false (and sets `error`) on a malformed frame.
template <class F>
bool for_each_stomp_frame(std::string_view in, F&& on_frame, std::string& error);

/// One frame, `\0`-terminated, headers unescaped (the values here never need escaping).
std::string stomp_frame(
    std::string_view command,
    std::initializer_list<std::pair<std::string_view, std::string_view>> headers,
    std::string_view body = {});

// --- SockJS ---

/// Appends `s` as a JSON string literal (what an xhr_send body holds), escaping what JSON and
/// SockJS require (quotes, backslash, control characters such as the frame's NUL).
void append_json_string(std::string& out, std::string_view s);

/// Incremental HTTP/1.1 chunked-body decoder: feed bytes, get the body bytes out.
class ChunkedDecoder {
 public:
  /// Consumes `in`; appends decoded body bytes to `out`. Returns false on a malformed stream.
  bool feed(std::string_view in, std::string& out);
  [[nodiscard]] bool done() const noexcept { return state_ == State::Done; }
  void reset() noexcept {
    state_ = State::Size;
    remaining_ = 0;
    line_.clear();
  }

 private:
  enum class State { Size, Data, DataEnd, Trailer, Done };
  State state_ = State::Size;
  std::size_t remaining_ = 0;
  std::string line_;
};

/// Splits the SockJS stream (`o`, `h`, `a[...]`, `c[...]`, newline-terminated) into frames;
/// consumes complete lines from `buffer`. Calls `on_open` for `o`, and for each `a` frame
/// `on_message` with every string of its array. Returns false on a close frame
/// (`close_reason` set) or bad JSON.
template <class O, class F>
bool for_each_sockjs_message(std::string& buffer, O&& on_open, F&& on_message,
                             std::string& close_reason);

bool decode_sockjs_array(std::string_view json, std::vector<std::string>& out);

// --- template definitions ---

namespace detail {
std::optional<Command> command_of(std::string_view line);
}

template <class F>
bool for_each_stomp_frame(std::string_view in, F&& on_frame, std::string& error) {
  std::size_t pos = 0;
  while (pos < in.size()) {
    if (in[pos] == '\n') {
      ++pos;
      continue;
    }
    if (in[pos] == '\r' && pos + 1 < in.size() && in[pos + 1] == '\n') {
      pos += 2;
      continue;
    }
    const std::size_t eol = in.find('\n', pos);
    if (eol == std::string_view::npos) {
      error = "STOMP frame without a command line";
      return false;
    }
    std::string_view line = in.substr(pos, eol - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    StompFrame frame;
    frame.command = detail::command_of(line).value_or(Command::Other);
    pos = eol + 1;
    std::optional<std::size_t> content_length;
    for (;;) {
      const std::size_t end = in.find('\n', pos);
      if (end == std::string_view::npos) {
        error = "STOMP headers not terminated";
        return false;
      }
      std::string_view header = in.substr(pos, end - pos);
      pos = end + 1;
      if (!header.empty() && header.back() == '\r') header.remove_suffix(1);
      if (header.empty()) break;
      const std::size_t colon = header.find(':');
      if (colon == std::string_view::npos) continue;
      const std::string_view name = header.substr(0, colon);
      const std::string_view value = header.substr(colon + 1);
      if (name == "content-length") {
        std::size_t n = 0;
        for (char c : value) {
          if (c < '0' || c > '9') break;
          n = n * 10 + static_cast<std::size_t>(c - '0');
        }
        if (!content_length) content_length = n;
      } else if (name == "message" && frame.message.empty()) {
        frame.message = value;
      } else if (name == "receipt-id" && frame.receipt_id.empty()) {
        frame.receipt_id = value;
      }
    }
    std::size_t body_end;
    if (content_length) {
      body_end = pos + *content_length;
      if (body_end >= in.size() || in[body_end] != '\0') {
        error = "STOMP body shorter than its content-length";
        return false;
      }
    } else {
      body_end = in.find('\0', pos);
      if (body_end == std::string_view::npos) {
        error = "STOMP frame without its NUL";
        return false;
      }
    }
    frame.body = in.substr(pos, body_end - pos);
    pos = body_end + 1;
    on_frame(frame);
  }
  return true;
}

template <class O, class F>
bool for_each_sockjs_message(std::string& buffer, O&& on_open, F&& on_message,
                             std::string& close_reason) {
  std::size_t pos = 0;
  std::vector<std::string> messages;
  bool ok = true;
  for (;;) {
    const std::size_t eol = buffer.find('\n', pos);
    if (eol == std::string::npos) break;
    const std::string_view line(buffer.data() + pos, eol - pos);
    pos = eol + 1;
    if (line == "o") {
      on_open();
      continue;
    }
    if (line.empty() || line.find_first_not_of('h') == std::string_view::npos) continue;
    if (line[0] == 'a') {
      messages.clear();
      if (!decode_sockjs_array(line.substr(1), messages)) {
        close_reason = "malformed SockJS a-frame";
        ok = false;
        break;
      }
      for (const auto& m : messages) on_message(std::string_view(m));
    } else if (line[0] == 'c') {
      close_reason = std::string(line);
      ok = false;
      break;
    } else {
      close_reason = "unknown SockJS frame: " + std::string(line.substr(0, 40));
      ok = false;
      break;
    }
  }
  buffer.erase(0, pos);
  return ok;
}

}  // namespace loadgen
