// libFuzzer target for SockJS framing and the SockJS session state machine (src/sockjs/).
// Byte 0 picks the path; the rest is the input. Invariants (abort on violation):
//   - decoding never crashes: xhr_send / jsonp_send bodies (decode_messages), WebSocket
//     messages (decode_websocket_message), jsonp_send form bodies (jsonp_payload, field `d`);
//   - whatever decodes is valid UTF-8 and agrees with Boost.JSON wherever Boost.JSON accepts
//     the text (same strings; valid JSON that is not an array is "Payload expected.");
//   - decode -> message_frame -> decode round-trips to the same strings;
//   - every frame the encoder writes (a[...], c[...], and their htmlfile / jsonp wrappings)
//     is valid UTF-8 and valid JSON after its one-letter prefix; it carries no raw control
//     character and none of the code points sockjs-node escapes (U+2028/2029 among them);
//     its only \u escapes are for the code points the encoder promises to escape or for
//     UTF-16 surrogate pairs; valid UTF-8 text comes back unchanged, and invalid UTF-8 comes
//     back as valid UTF-8 (U+FFFD for each bad sequence);
//   - a form post carrying any text in `d` yields exactly that text;
//   - the session (driven by attach / detach / send / pull / close / timer operations) never
//     moves its state backwards, delivers what send() queued in order and exactly once,
//     keeps buffered_bytes() equal to what is queued and within max_buffered_bytes, sends
//     "o" at most once, a polling receiver at most one frame, ends a streaming response by
//     response_limit, answers a second receiver with c[2010,...] without disturbing the
//     first, and sends nothing but close frames once it closed.
#include <boost/json.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_input.hpp"
#include "net/utf8.hpp"
#include "sockjs/framing.hpp"
#include "sockjs/session.hpp"
#include "sockjs/transports.hpp"

namespace {

namespace json = boost::json;
namespace sockjs = parley::sockjs;

[[noreturn]] void violated(const char* rule, std::string_view detail) {
  std::fprintf(stderr, "sockjs rule violated: %s: %.*s\n", rule,
               static_cast<int>(std::min<std::size_t>(detail.size(), 400)), detail.data());
  std::abort();
}

// ---------------------------------------------------------------------------------------------
// UTF-8, independently of the code under test

// Strict decoding (no overlong forms, no surrogates, nothing above U+10FFFF); nullopt when
// `s` is not valid UTF-8.
std::optional<std::vector<char32_t>> code_points(std::string_view s) {
  std::vector<char32_t> out;
  for (std::size_t i = 0; i < s.size();) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    // Sequence length, lead-byte bits and the smallest code point that needs this length.
    std::size_t n = 4;
    char32_t cp = b0 & 0x07;
    char32_t min = 0x10000;
    if (b0 < 0x80) {
      n = 1;
      cp = b0;
      min = 0;
    } else if ((b0 & 0xE0) == 0xC0) {
      n = 2;
      cp = b0 & 0x1F;
      min = 0x80;
    } else if ((b0 & 0xF0) == 0xE0) {
      n = 3;
      cp = b0 & 0x0F;
      min = 0x800;
    } else if ((b0 & 0xF8) != 0xF0) {
      return std::nullopt;
    }
    if (i + n > s.size()) return std::nullopt;
    for (std::size_t k = 1; k < n; ++k) {
      const auto b = static_cast<unsigned char>(s[i + k]);
      if ((b & 0xC0) != 0x80) return std::nullopt;
      cp = (cp << 6) | (b & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return std::nullopt;
    out.push_back(cp);
    i += n;
  }
  return out;
}

// sockjs-node's `escapable`: what must never travel raw inside a frame. Its surrogate range
// covers every code point above U+FFFF (a JavaScript string holds those as surrogate pairs).
bool must_escape(char32_t cp) {
  return cp < 0x20 || (cp >= 0x200C && cp <= 0x200F) || (cp >= 0x2028 && cp <= 0x202F) ||
         (cp >= 0x2060 && cp <= 0x206F) || (cp >= 0xFFF0 && cp <= 0xFFFF) || cp > 0xFFFF;
}

// What quote() promises to escape as \uXXXX (framing.cpp): must_escape() plus the
// characters Crockford's json2 escapes, and every surrogate half.
bool may_escape(char32_t unit) {
  return must_escape(unit) || (unit >= 0x7F && unit <= 0x9F) || unit == 0xAD ||
         (unit >= 0x600 && unit <= 0x604) || unit == 0x70F || unit == 0x17B4 || unit == 0x17B5 ||
         unit == 0xFEFF || (unit >= 0xD800 && unit <= 0xDFFF);
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The raw text of an encoded frame: valid UTF-8, no raw character sockjs-node escapes, and
// only the escapes the encoder promises (pairs for astral code points, never a lone half).
void check_encoded_text(std::string_view text) {
  const auto cps = code_points(text);
  if (!cps) violated("encoded frame is not valid UTF-8", text);
  for (const char32_t cp : *cps) {
    if (must_escape(cp)) violated("encoded frame carries a raw character SockJS escapes", text);
  }
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\') continue;
    if (i + 1 >= text.size()) violated("encoded frame ends in a backslash", text);
    const char e = text[++i];
    if (e != 'u') {
      if (std::string_view("\"\\bfnrt").find(e) == std::string_view::npos) {
        violated("encoded frame has an escape JSON does not define", text);
      }
      continue;
    }
    if (i + 4 >= text.size()) violated("encoded frame has a short \\u escape", text);
    char32_t unit = 0;
    for (int k = 1; k <= 4; ++k) {
      const int h = hex_digit(text[i + k]);
      if (h < 0) violated("encoded frame has a bad \\u escape", text);
      unit = unit * 16 + static_cast<char32_t>(h);
    }
    i += 4;
    if (!may_escape(unit)) violated("encoder escaped a character it need not", text);
    if (unit >= 0xDC00 && unit <= 0xDFFF) violated("encoder wrote a lone trailing half", text);
    if (unit >= 0xD800 && unit <= 0xDBFF) {
      const bool pair = i + 6 < text.size() && text[i + 1] == '\\' && text[i + 2] == 'u' &&
                        (text[i + 3] == 'd' || text[i + 3] == 'D') &&
                        std::string_view("cdefCDEF").find(text[i + 4]) != std::string_view::npos;
      if (!pair) violated("encoder wrote a lone leading half", text);
      i += 6;  // the trailing half
    }
  }
}

// The strings of a JSON array of strings, by Boost.JSON; nullopt when it is anything else.
std::optional<std::vector<std::string>> boost_strings(std::string_view text) {
  json::error_code ec;
  const json::value v = json::parse(text, ec);
  if (ec || !v.is_array()) return std::nullopt;
  std::vector<std::string> out;
  for (const auto& element : v.as_array()) {
    if (!element.is_string()) return std::nullopt;
    out.emplace_back(element.as_string());
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Framing

// An a[...] frame for `messages`, checked, and the strings a client would read out of it.
std::vector<std::string> encode_and_read_back(const std::vector<std::string>& messages) {
  const std::string frame = sockjs::message_frame(messages);
  if (!frame.starts_with("a[") || !frame.ends_with(']')) violated("bad a[...] frame", frame);
  check_encoded_text(frame);
  auto by_boost = boost_strings(std::string_view(frame).substr(1));
  if (!by_boost) violated("a[...] frame is not a JSON array of strings", frame);
  if (by_boost->size() != messages.size()) violated("a[...] frame lost messages", frame);
  auto ours = sockjs::decode_messages(std::string_view(frame).substr(1));
  if (ours.status != sockjs::PayloadStatus::ok || ours.messages != *by_boost) {
    violated("decoder and Boost.JSON read an a[...] frame differently", frame);
  }
  for (std::size_t i = 0; i < messages.size(); ++i) {
    const std::string& got = (*by_boost)[i];
    if (!code_points(got)) violated("a frame decodes to invalid UTF-8", frame);
    if (parley::net::valid_utf8(messages[i]) && got != messages[i]) {
      violated("valid UTF-8 changed on its way through a frame", messages[i]);
    }
  }
  // The transports wrap the frame; htmlfile and jsonp embed it as a script string.
  const std::string html = sockjs::htmlfile_frame(frame);
  const std::string_view head = "<script>\np(";
  const std::string_view tail = ");\n</script>\r\n";
  if (!html.starts_with(head) || !html.ends_with(tail)) violated("bad htmlfile frame", html);
  const std::string_view literal =
      std::string_view(html).substr(head.size(), html.size() - head.size() - tail.size());
  if (literal.find_first_of("<>&") != std::string_view::npos) {
    violated("htmlfile frame can end its script block", html);
  }
  json::error_code ec;
  const json::value inner = json::parse(literal, ec);
  if (ec || !inner.is_string() || inner.as_string() != frame) {
    violated("htmlfile frame does not carry the frame", html);
  }
  const std::string jsonp = sockjs::jsonp_frame("cb.x_1", frame);
  if (jsonp != "/**/cb.x_1(" + std::string(literal) + ");\r\n") violated("bad jsonp frame", jsonp);
  return std::move(*by_boost);
}

void round_trip(const sockjs::Payload& payload, std::string_view input) {
  if (payload.status != sockjs::PayloadStatus::ok) {
    if (!payload.messages.empty()) violated("a refused payload carries messages", input);
    if (sockjs::payload_error_text(payload.status).empty()) violated("no error text", input);
    return;
  }
  for (const auto& m : payload.messages) {
    if (!code_points(m)) violated("decoded a message that is not valid UTF-8", input);
  }
  if (encode_and_read_back(payload.messages) != payload.messages) {
    violated("decode -> encode -> decode changed the messages", input);
  }
}

bool only_json_space(std::string_view s) {
  return s.find_first_not_of(" \t\n\r") == std::string_view::npos;
}

void check_body(std::string_view body) {
  const sockjs::Payload payload = sockjs::decode_messages(body);
  round_trip(payload, body);
  if (only_json_space(body)) {
    if (payload.status != sockjs::PayloadStatus::empty) violated("blank body not empty", body);
    return;
  }
  json::error_code ec;
  const json::value v = json::parse(body, ec);
  if (ec) return;  // ours may accept more (lone surrogate escapes, invalid UTF-8 in strings)
  if (!v.is_array()) {
    if (payload.status != sockjs::PayloadStatus::empty) violated("non-array JSON not empty", body);
    return;
  }
  const auto strings = boost_strings(body);
  if (!strings) {
    if (payload.status != sockjs::PayloadStatus::broken) violated("non-string element ok", body);
    return;
  }
  if (payload.status != sockjs::PayloadStatus::ok || payload.messages != *strings) {
    violated("decode_messages disagrees with Boost.JSON", body);
  }
}

void check_websocket_message(std::string_view message) {
  const sockjs::Payload payload = sockjs::decode_websocket_message(message);
  round_trip(payload, message);
  if (message.empty()) {
    if (payload.status != sockjs::PayloadStatus::empty)
      violated("empty message not empty", message);
    return;
  }
  json::error_code ec;
  const json::value v = json::parse(message, ec);
  if (ec) return;
  std::optional<std::vector<std::string>> expected;
  if (v.is_string()) expected = std::vector<std::string>{std::string(v.as_string())};
  if (v.is_array()) expected = boost_strings(message);
  if (!expected) {
    if (payload.status != sockjs::PayloadStatus::broken) violated("non-strings accepted", message);
    return;
  }
  if (payload.status != sockjs::PayloadStatus::ok || payload.messages != *expected) {
    violated("decode_websocket_message disagrees with Boost.JSON", message);
  }
}

constexpr std::string_view kContentTypes[] = {
    "application/x-www-form-urlencoded",
    "application/x-www-form-urlencoded; charset=UTF-8",
    " Application/X-WWW-Form-URLEncoded ;charset=utf-8",
    "text/plain",
    "",
    "application/json",
};

std::string form_encode(std::string_view text) {
  static constexpr std::string_view kHex = "0123456789ABCDEF";
  std::string out;
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '*') {
      out += c;
    } else if (c == ' ') {
      out += '+';
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 0xF];
    }
  }
  return out;
}

void check_jsonp(std::string_view input) {
  if (input.empty()) return;
  const std::string_view type = kContentTypes[static_cast<unsigned char>(input[0]) % 6];
  const std::string_view body = input.substr(1);
  const auto text = sockjs::jsonp_payload(type, body);
  if (text) {
    if (text->empty()) violated("jsonp_payload returned an empty payload", body);
    check_body(*text);
  }
  // What a browser's form post of `body` in field d looks like, between other fields.
  const std::string form = "x=1&d=" + form_encode(body) + "&y=%zz";
  const auto back = sockjs::jsonp_payload(kContentTypes[0], form);
  if (body.empty() ? back.has_value() : back != body) {
    violated("form field d does not come back as posted", form);
  }
  if (!body.empty() && sockjs::jsonp_payload("text/plain", body) != body) {
    violated("a raw jsonp_send body is not passed through", body);
  }
}

// Messages cut out of the input by length bytes; raw bytes, not necessarily UTF-8.
void check_encoder(std::string_view input) {
  std::vector<std::string> messages;
  while (!input.empty()) {
    const std::size_t n =
        std::min<std::size_t>(static_cast<unsigned char>(input[0]) % 32, input.size() - 1);
    messages.emplace_back(input.substr(1, n));
    input.remove_prefix(1 + n);
  }
  encode_and_read_back(messages);
  const std::string reason = messages.empty() ? std::string() : messages.front();
  const std::string close = sockjs::close_frame(3000, reason);
  check_encoded_text(close);
  json::error_code ec;
  const json::value v = json::parse(std::string_view(close).substr(1), ec);
  if (ec || !v.is_array() || v.as_array().size() != 2 || !v.as_array()[0].is_int64() ||
      v.as_array()[0].as_int64() != 3000 || !v.as_array()[1].is_string()) {
    violated("close frame is not [code, reason]", close);
  }
  if (parley::net::valid_utf8(reason) && v.as_array()[1].as_string() != reason) {
    violated("close frame changed its reason", close);
  }
  // The reader quote()'s output is for: JSON inside a one-message array.
  if (!reason.empty() && sockjs::decode_messages("[" + sockjs::quote(reason) + "]").messages !=
                             std::vector<std::string>{std::string(v.as_array()[1].as_string())}) {
    violated("decode_messages reads quote() differently from Boost.JSON", reason);
  }
  // The jsonp callback check: only identifier-path characters, 1..64 of them.
  if (sockjs::valid_callback(reason)) {
    if (reason.size() > sockjs::kMaxCallbackLength ||
        reason.find_first_not_of(
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.") !=
            std::string::npos) {
      violated("valid_callback accepted a dangerous callback", reason);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Session

using parley::fuzz::Input;

int rank(sockjs::Session::State s) {
  return static_cast<int>(s);
}

class SessionModel {
 public:
  explicit SessionModel(Input& in) : in_(in) {
    config_.heartbeat_interval = std::chrono::milliseconds(100);
    config_.disconnect_delay = std::chrono::milliseconds(300);
    config_.response_limit = 1 + in.next() % 64;
    config_.max_buffered_bytes = in.next() % 48;
  }

  void run() {
    sockjs::Session session(config_, now_);
    for (int step = 0; step < 200 && in_.size > 0; ++step) {
      const auto before = session.state();
      const bool had_receiver = session.receiver_attached();
      const auto deadline = session.next_deadline();
      op(session, had_receiver, deadline);
      if (!session.receiver_attached()) receiver_.reset();
      if (rank(session.state()) < rank(before)) violated("session state went backwards", "");
      if (session.next_deadline().has_value() == session.closed()) {
        violated("next_deadline() does not match closed()", "");
      }
      check_buffer(session);
    }
    if (expired_) return;
    // Whatever was queued reaches the next receivers: a few polls drain the session.
    session.detach(now_);
    for (int poll = 0; poll < 3; ++poll) {
      receiver_ = sockjs::ReceiverKind::polling;
      response_bytes_ = 0;
      deliver(session, session.attach(sockjs::ReceiverKind::polling, now_));
      session.detach(now_);
      receiver_.reset();
    }
    if (delivered_ != sent_.size()) violated("a queued message was never delivered", "");
  }

 private:
  void op(sockjs::Session& session, bool had_receiver,
          std::optional<sockjs::Clock::time_point> deadline) {
    using sockjs::Session;
    switch (in_.next() % 8) {
      case 0: {
        const auto kind = static_cast<sockjs::ReceiverKind>(in_.next() % 3);
        const auto state = session.state();
        const sockjs::Delivery out = session.attach(kind, now_);
        if (had_receiver) {
          // A second receiver: told off, the first one keeps the session.
          if (out.frames.size() != 1 || !out.end ||
              out.frames[0] != sockjs::close_frame(sockjs::kCloseAnotherConnection,
                                                   sockjs::kReasonAnotherConnection) ||
              !session.receiver_attached() || session.state() != state) {
            violated("a second receiver disturbed the session", "");
          }
          return;
        }
        receiver_ = kind;
        response_bytes_ = 0;
        deliver(session, out);
        return;
      }
      case 1:
      case 2: {
        const bool interrupted = in_.next() % 2 == 0;
        const auto state = session.state();
        session.detach(
            now_, interrupted ? sockjs::DetachCause::interrupted : sockjs::DetachCause::finished);
        if (session.receiver_attached()) violated("detach left a receiver", "");
        if (had_receiver && receiver_ == sockjs::ReceiverKind::websocket && !session.closed()) {
          violated("a WebSocket session outlived its socket", "");
        }
        if (had_receiver && interrupted && receiver_ != sockjs::ReceiverKind::websocket &&
            state == Session::State::open) {
          close_frame_ = sockjs::close_frame(sockjs::kCloseInterrupted, sockjs::kReasonInterrupted);
        }
        return;
      }
      case 3: {
        std::string message = "m" + std::to_string(sent_.size());
        for (std::size_t n = in_.next() % 24; n > 0; --n) {
          message += static_cast<char>(0x20 + in_.next() % 0x5F);  // printable ASCII
        }
        const std::size_t pending = pending_bytes();
        const auto state = session.state();
        const sockjs::SendResult result = session.send(message);
        const bool open = state == Session::State::connecting || state == Session::State::open;
        const sockjs::SendResult expected = !open ? sockjs::SendResult::not_open
                                            : pending + message.size() > config_.max_buffered_bytes
                                                ? sockjs::SendResult::overflow
                                                : sockjs::SendResult::queued;
        if (result != expected) violated("send() answered the wrong result", message);
        if (result == sockjs::SendResult::queued) sent_.push_back(std::move(message));
        return;
      }
      case 4:
        deliver(session, session.pull(now_));
        return;
      case 5: {
        constexpr int kCodes[] = {3000, 3001, 1000, 4000};
        const int code = kCodes[in_.next() % 4];
        const std::string reason = in_.next() % 2 == 0 ? "bye" : "end \u2028 \"quoted\"";
        const auto state = session.state();
        const sockjs::Delivery out = session.close(code, reason, now_);
        if (state == Session::State::connecting || state == Session::State::open) {
          close_frame_ = sockjs::close_frame(code, reason);
        }
        deliver(session, out);
        return;
      }
      default: {
        now_ += std::chrono::milliseconds(in_.next() % 4 == 0 ? 1000 : 10 * (in_.next() % 16));
        const sockjs::Delivery out = session.on_timer(now_);
        if (!out.frames.empty() && (!deadline || now_ < *deadline)) {
          violated("on_timer() wrote before its deadline", out.frames[0]);
        }
        for (const auto& frame : out.frames) {
          if (frame != "h") violated("on_timer() wrote something other than a heartbeat", frame);
        }
        if (deadline && now_ >= *deadline && !had_receiver) {
          if (!session.closed()) violated("session did not expire without a receiver", "");
          expired_ = true;
        }
        deliver(session, out);
        return;
      }
    }
  }

  // Frames for the receiver the model thinks is attached (or, from attach(), just arrived).
  void deliver(const sockjs::Session& session, const sockjs::Delivery& out) {
    if (!receiver_ && !out.frames.empty()) violated("frames without a receiver", out.frames[0]);
    if (out.frames.empty()) {
      if (out.end && session.receiver_attached()) violated("ended but kept the receiver", "");
      return;
    }
    bool closing = false;
    for (const auto& frame : out.frames) {
      response_bytes_ += frame.size();
      if (frame == "o") {
        if (opened_) violated("\"o\" sent twice", "");
        opened_ = true;
      } else if (frame == "h") {
      } else if (frame.starts_with("a[")) {
        if (closed_frame_sent_) violated("messages after the close frame", frame);
        const auto messages = sockjs::parse_messages(std::string_view(frame).substr(1));
        if (!messages || messages->empty()) violated("an empty or unreadable a[...] frame", frame);
        for (const auto& m : *messages) {
          if (delivered_ >= sent_.size() || sent_[delivered_] != m) {
            violated("message delivered out of order, twice, or never sent", m);
          }
          ++delivered_;
        }
      } else if (frame.starts_with("c[")) {
        const std::string expected =
            close_frame_.empty() ? sockjs::close_frame(sockjs::kCloseGoAway, sockjs::kReasonGoAway)
                                 : close_frame_;
        if (frame != expected) violated("unexpected close frame", frame);
        closed_frame_sent_ = true;
        closing = true;
      } else {
        violated("not a SockJS frame", frame);
      }
    }
    if (receiver_ == sockjs::ReceiverKind::polling && out.frames.size() > 1) {
      violated("a polling receiver got more than one frame", out.frames[1]);
    }
    if (receiver_ == sockjs::ReceiverKind::polling && !out.end) {
      violated("a polling response did not end after its frame", out.frames[0]);
    }
    if (receiver_ == sockjs::ReceiverKind::streaming && response_bytes_ >= config_.response_limit &&
        !out.end) {
      violated("a streaming response went past response_limit", out.frames.back());
    }
    if (out.end && !closing && receiver_ == sockjs::ReceiverKind::streaming &&
        response_bytes_ < config_.response_limit &&
        session.state() == sockjs::Session::State::open) {
      violated("a streaming response ended early", out.frames.back());
    }
    if (out.end && !closing && receiver_ == sockjs::ReceiverKind::websocket) {
      violated("a WebSocket receiver was let go without a close frame", out.frames.back());
    }
    if (out.end && session.receiver_attached()) violated("ended but kept the receiver", "");
  }

  std::size_t pending_bytes() const {
    std::size_t n = 0;
    for (std::size_t i = delivered_; i < sent_.size(); ++i) n += sent_[i].size();
    return n;
  }

  void check_buffer(const sockjs::Session& session) const {
    if (session.buffered_bytes() > config_.max_buffered_bytes) {
      violated("buffered_bytes() above max_buffered_bytes", "");
    }
    if (expired_) {
      if (session.buffered_bytes() != 0) violated("an expired session still buffers", "");
      return;
    }
    if (session.buffered_bytes() != pending_bytes()) {
      violated("buffered_bytes() differs from what is queued", "");
    }
  }

  Input& in_;
  sockjs::SessionConfig config_;
  sockjs::Clock::time_point now_ = sockjs::Clock::time_point{} + std::chrono::hours(1);
  std::optional<sockjs::ReceiverKind> receiver_;
  std::size_t response_bytes_ = 0;
  std::vector<std::string> sent_;  // every message send() queued, in order
  std::size_t delivered_ = 0;      // how many of them went out in a[...] frames
  std::string close_frame_;        // what the session should close with
  bool opened_ = false;
  bool closed_frame_sent_ = false;
  bool expired_ = false;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 6) {
    case 0:  // xhr_send / jsonp_send body
      check_body(input);
      break;
    case 1:  // WebSocket message
      check_websocket_message(input);
      break;
    case 2:  // jsonp_send, form-encoded or raw
      check_jsonp(input);
      break;
    case 3:  // server frames from raw bytes
      check_encoder(input);
      break;
    default: {  // the session state machine
      Input in{data + 1, size - 1};
      SessionModel(in).run();
      break;
    }
  }
  return 0;
}
