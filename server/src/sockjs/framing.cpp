#include "sockjs/framing.hpp"

#include <boost/json/parse.hpp>

namespace parley::sockjs {
namespace {

constexpr char32_t kReplacement = 0xFFFD;

// JSON's two-character escapes: kEscapedChars[k] is written as '\\' kEscapeLetters[k]. The
// solidus comes last: it is decoded but never needs escaping.
constexpr std::string_view kEscapedChars = "\"\\\b\f\n\r\t/";
constexpr std::string_view kEscapeLetters = "\"\\bfnrt/";
constexpr std::size_t kEscapedOnOutput = kEscapedChars.size() - 1;

// One step of UTF-8 decoding. An invalid sequence consumes its maximal valid prefix (at
// least one byte) and decodes to U+FFFD, so one bad sequence yields one replacement.
struct Decoded {
  char32_t code_point;
  std::size_t length;
};

Decoded decode_utf8(std::string_view s, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char lead = byte(i);
  if (lead < 0x80) return {lead, 1};

  std::size_t need = 0;
  char32_t cp = 0;
  unsigned char lo = 0x80;  // allowed range of the second byte: rules out overlong forms,
  unsigned char hi = 0xBF;  // surrogates and code points above U+10FFFF
  if (lead >= 0xC2 && lead <= 0xDF) {
    need = 1;
    cp = lead & 0x1F;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    need = 2;
    cp = lead & 0x0F;
    if (lead == 0xE0) lo = 0xA0;
    if (lead == 0xED) hi = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    need = 3;
    cp = lead & 0x07;
    if (lead == 0xF0) lo = 0x90;
    if (lead == 0xF4) hi = 0x8F;
  } else {
    return {kReplacement, 1};
  }

  std::size_t k = 1;
  for (; k <= need; ++k) {
    if (i + k >= s.size()) return {kReplacement, k};
    const unsigned char c = byte(i + k);
    const bool ok = k == 1 ? (c >= lo && c <= hi) : (c >= 0x80 && c <= 0xBF);
    if (!ok) return {kReplacement, k};
    cp = (cp << 6) | (c & 0x3F);
  }
  return {cp, k};
}

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

void append_u_escape(std::string& out, char32_t unit) {
  static constexpr std::string_view kHex = "0123456789abcdef";
  out += "\\u";
  for (int shift = 12; shift >= 0; shift -= 4) out += kHex[(unit >> shift) & 0xF];
}

// The union of what sockjs-node's server-side `escapable` regex and the sockjs-protocol
// client list escape among BMP code points: characters that browsers, proxies or
// JavaScript string literals mangle. Escaping extra characters is harmless: JSON.parse
// restores them.
bool needs_escape(char32_t cp) {
  return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0xAD || (cp >= 0x600 && cp <= 0x604) ||
         cp == 0x70F || cp == 0x17B4 || cp == 0x17B5 || (cp >= 0x200C && cp <= 0x200F) ||
         (cp >= 0x2028 && cp <= 0x202F) || (cp >= 0x2060 && cp <= 0x206F) || cp == 0xFEFF ||
         (cp >= 0xD800 && cp <= 0xDFFF) || (cp >= 0xFFF0 && cp <= 0xFFFF);
}

bool is_json_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// A reader for the one JSON shape SockJS clients send: strings, optionally in an array.
// Hand-written rather than Boost.JSON because Boost.JSON rejects lone surrogate escapes,
// which JavaScript strings may legitimately contain.
class Reader {
 public:
  explicit Reader(std::string_view text) : text_(text) {}

  void skip_space() {
    while (pos_ < text_.size() && is_json_space(text_[pos_])) ++pos_;
  }
  bool at_end() const { return pos_ == text_.size(); }
  char peek() const { return at_end() ? '\0' : text_[pos_]; }
  bool consume(char c) {
    if (at_end() || text_[pos_] != c) return false;
    ++pos_;
    return true;
  }

  // Reads a JSON string at the current position into `out`; false if malformed.
  bool read_string(std::string& out) {
    if (!consume('"')) return false;
    while (!at_end()) {
      const char c = text_[pos_];
      if (c == '"') {
        ++pos_;
        return true;
      }
      if (c == '\\') {
        if (!read_escape(out)) return false;
        continue;
      }
      if (static_cast<unsigned char>(c) < 0x20) return false;  // JSON forbids raw controls
      if (static_cast<unsigned char>(c) < 0x80) {
        out += c;
        ++pos_;
        continue;
      }
      const Decoded d = decode_utf8(text_, pos_);
      append_utf8(out, d.code_point);
      pos_ += d.length;
    }
    return false;  // unterminated
  }

 private:
  bool read_hex4(char32_t& unit) {
    if (text_.size() - pos_ < 4) return false;
    unit = 0;
    for (int k = 0; k < 4; ++k) {
      const char h = text_[pos_++];
      unit <<= 4;
      if (h >= '0' && h <= '9') {
        unit |= static_cast<char32_t>(h - '0');
      } else if (h >= 'a' && h <= 'f') {
        unit |= static_cast<char32_t>(h - 'a' + 10);
      } else if (h >= 'A' && h <= 'F') {
        unit |= static_cast<char32_t>(h - 'A' + 10);
      } else {
        return false;
      }
    }
    return true;
  }

  bool read_escape(std::string& out) {
    ++pos_;  // the backslash
    if (at_end()) return false;
    const char e = text_[pos_++];
    if (e != 'u') {
      const std::size_t k = kEscapeLetters.find(e);
      if (k == std::string_view::npos) return false;
      out += kEscapedChars[k];
      return true;
    }
    char32_t unit = 0;
    if (!read_hex4(unit)) return false;
    if (unit >= 0xDC00 && unit <= 0xDFFF) {  // trailing half without a leading one
      append_utf8(out, kReplacement);
      return true;
    }
    if (unit < 0xD800 || unit > 0xDBFF) {
      append_utf8(out, unit);
      return true;
    }
    // A leading half: pair it with an immediately following trailing-half escape.
    const bool pair_follows =
        text_.size() - pos_ >= 6 && text_[pos_] == '\\' && text_[pos_ + 1] == 'u';
    if (pair_follows) {
      const std::size_t saved = pos_;
      pos_ += 2;
      char32_t low = 0;
      if (!read_hex4(low)) return false;
      if (low >= 0xDC00 && low <= 0xDFFF) {
        append_utf8(out, 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00));
        return true;
      }
      pos_ = saved;  // not a trailing half: decode it as its own escape next
    }
    append_utf8(out, kReplacement);
    return true;
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

bool only_space(std::string_view s) {
  for (const char c : s) {
    if (!is_json_space(c)) return false;
  }
  return true;
}

// Valid JSON that is not what SockJS expects counts as "no payload" (sockjs-node's rule);
// anything else is broken.
PayloadStatus classify_non_array(std::string_view body) {
  boost::system::error_code ec;
  boost::json::parse(body, ec);
  return ec ? PayloadStatus::broken : PayloadStatus::empty;
}

Payload read_array(Reader& reader) {
  Payload result;
  reader.consume('[');
  reader.skip_space();
  if (!reader.consume(']')) {
    while (true) {
      reader.skip_space();
      std::string message;
      if (!reader.read_string(message)) return {PayloadStatus::broken, {}};
      result.messages.push_back(std::move(message));
      reader.skip_space();
      if (reader.consume(',')) continue;
      if (reader.consume(']')) break;
      return {PayloadStatus::broken, {}};
    }
  }
  reader.skip_space();
  if (!reader.at_end()) return {PayloadStatus::broken, {}};
  result.status = PayloadStatus::ok;
  return result;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// application/x-www-form-urlencoded value decoding: '+' is a space, %XX a byte. A malformed
// escape is kept literally.
std::string form_decode(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (std::size_t i = 0; i < value.size(); ++i) {
    const char c = value[i];
    if (c == '+') {
      out += ' ';
      continue;
    }
    if (c == '%' && i + 2 < value.size() && hex_value(value[i + 1]) >= 0 &&
        hex_value(value[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(value[i + 1]) * 16 + hex_value(value[i + 2]));
      i += 2;
      continue;
    }
    out += c;
  }
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::string_view open_frame() {
  return "o";
}

std::string_view heartbeat_frame() {
  return "h";
}

std::string close_frame(int code, std::string_view reason) {
  std::string frame = "c[";
  frame += std::to_string(code);
  frame += ',';
  append_quoted(frame, reason);
  frame += ']';
  return frame;
}

std::string message_frame(std::span<const std::string> messages) {
  std::size_t size = 3;
  for (const auto& m : messages) size += m.size() + 3;
  std::string frame;
  frame.reserve(size);
  frame += "a[";
  bool first = true;
  for (const auto& m : messages) {
    if (!first) frame += ',';
    first = false;
    append_quoted(frame, m);
  }
  frame += ']';
  return frame;
}

void append_quoted(std::string& out, std::string_view utf8) {
  out += '"';
  std::size_t i = 0;
  while (i < utf8.size()) {
    const char c = utf8[i];
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x20 && byte < 0x7F && c != '"' && c != '\\') {  // the common case
      out += c;
      ++i;
      continue;
    }
    if (const std::size_t k = kEscapedChars.find(c); k < kEscapedOnOutput) {
      out += '\\';
      out += kEscapeLetters[k];
      ++i;
      continue;
    }
    const Decoded d = decode_utf8(utf8, i);
    if (d.code_point > 0xFFFF) {
      const char32_t v = d.code_point - 0x10000;
      append_u_escape(out, 0xD800 + (v >> 10));
      append_u_escape(out, 0xDC00 + (v & 0x3FF));
    } else if (needs_escape(d.code_point)) {
      append_u_escape(out, d.code_point);
    } else {
      out.append(utf8.substr(i, d.length));
    }
    i += d.length;
  }
  out += '"';
}

std::string quote(std::string_view utf8) {
  std::string out;
  out.reserve(utf8.size() + 2);
  append_quoted(out, utf8);
  return out;
}

std::string_view payload_error_text(PayloadStatus status) {
  switch (status) {
    case PayloadStatus::ok:
      return {};
    case PayloadStatus::empty:
      return "Payload expected.";
    case PayloadStatus::broken:
      return "Broken JSON encoding.";
  }
  return {};
}

Payload decode_messages(std::string_view body) {
  if (only_space(body)) return {PayloadStatus::empty, {}};
  Reader reader(body);
  reader.skip_space();
  if (reader.peek() != '[') return {classify_non_array(body), {}};
  return read_array(reader);
}

Payload decode_websocket_message(std::string_view message) {
  if (message.empty()) return {PayloadStatus::empty, {}};
  Reader reader(message);
  reader.skip_space();
  if (reader.peek() == '[') return read_array(reader);
  if (reader.peek() != '"') {
    // Valid non-string JSON has no message to deliver; treat it like broken framing.
    return {PayloadStatus::broken, {}};
  }
  Payload result;
  std::string text;
  if (!reader.read_string(text)) return {PayloadStatus::broken, {}};
  reader.skip_space();
  if (!reader.at_end()) return {PayloadStatus::broken, {}};
  result.status = PayloadStatus::ok;
  result.messages.push_back(std::move(text));
  return result;
}

std::optional<std::vector<std::string>> parse_messages(std::string_view body) {
  Payload payload = decode_messages(body);
  if (payload.status != PayloadStatus::ok) return std::nullopt;
  return std::move(payload.messages);
}

std::optional<std::string> jsonp_payload(std::string_view content_type, std::string_view body) {
  const std::string_view media_type = trim(content_type.substr(0, content_type.find(';')));
  if (!iequals(media_type, "application/x-www-form-urlencoded")) {
    if (body.empty()) return std::nullopt;
    return std::string(body);
  }
  while (!body.empty()) {
    const std::size_t amp = body.find('&');
    const std::string_view field = body.substr(0, amp);
    body = amp == std::string_view::npos ? std::string_view{} : body.substr(amp + 1);
    const std::size_t eq = field.find('=');
    if (field.substr(0, eq) != "d") continue;
    if (eq == std::string_view::npos) return std::nullopt;
    std::string value = form_decode(field.substr(eq + 1));
    if (value.empty()) return std::nullopt;
    return value;
  }
  return std::nullopt;
}

bool valid_callback(std::string_view callback) {
  if (callback.empty() || callback.size() > kMaxCallbackLength) return false;
  for (const char c : callback) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

}  // namespace parley::sockjs
