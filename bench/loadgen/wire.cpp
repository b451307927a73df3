#include "wire.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

namespace loadgen {

namespace {

void append_ws_header(std::string& out, std::uint8_t first, std::size_t size) {
  out.push_back(static_cast<char>(first));
  if (size < 126) {
    out.push_back(static_cast<char>(0x80 | size));
  } else if (size <= 0xffff) {
    out.push_back(static_cast<char>(0x80 | 126));
    out.push_back(static_cast<char>(size >> 8));
    out.push_back(static_cast<char>(size & 0xff));
  } else {
    out.push_back(static_cast<char>(0x80 | 127));
    for (int shift = 56; shift >= 0; shift -= 8)
      out.push_back(static_cast<char>((static_cast<std::uint64_t>(size) >> shift) & 0xff));
  }
  out.append(4, '\0');  // masking key 0: the payload goes out as is
}

}  // namespace

void append_ws_text(std::string& out, std::string_view payload) {
  append_ws_header(out, 0x81, payload.size());
  out.append(payload);
}

void append_ws_control(std::string& out, std::uint8_t opcode, std::string_view payload) {
  if (payload.size() > 125) payload = payload.substr(0, 125);
  append_ws_header(out, static_cast<std::uint8_t>(0x80 | opcode), payload.size());
  out.append(payload);
}

std::optional<WsFrame> parse_ws_frame(std::string_view in, std::size_t max_payload,
                                      std::string& error) {
  if (in.size() < 2) return std::nullopt;
  const auto b0 = static_cast<std::uint8_t>(in[0]);
  const auto b1 = static_cast<std::uint8_t>(in[1]);
  if (b1 & 0x80) {
    error = "masked frame from the server";
    return std::nullopt;
  }
  std::size_t header = 2;
  std::uint64_t size = b1 & 0x7f;
  if (size == 126) {
    if (in.size() < 4) return std::nullopt;
    size = (static_cast<std::uint64_t>(static_cast<std::uint8_t>(in[2])) << 8) |
           static_cast<std::uint8_t>(in[3]);
    header = 4;
  } else if (size == 127) {
    if (in.size() < 10) return std::nullopt;
    size = 0;
    for (int i = 2; i < 10; ++i)
      size = (size << 8) | static_cast<std::uint8_t>(in[static_cast<std::size_t>(i)]);
    header = 10;
  }
  if (size > max_payload) {
    error = "frame of " + std::to_string(size) + " bytes from the server";
    return std::nullopt;
  }
  if (in.size() < header + size) return std::nullopt;
  WsFrame frame;
  frame.fin = (b0 & 0x80) != 0;
  frame.opcode = b0 & 0x0f;
  frame.payload = in.substr(header, static_cast<std::size_t>(size));
  frame.size = header + static_cast<std::size_t>(size);
  return frame;
}

namespace detail {
std::optional<Command> command_of(std::string_view line) {
  if (line == "MESSAGE") return Command::Message;
  if (line == "RECEIPT") return Command::Receipt;
  if (line == "CONNECTED") return Command::Connected;
  if (line == "ERROR") return Command::Error;
  return std::nullopt;
}
}  // namespace detail

std::string stomp_frame(
    std::string_view command,
    std::initializer_list<std::pair<std::string_view, std::string_view>> headers,
    std::string_view body) {
  std::string out;
  out.reserve(command.size() + body.size() + 128);
  out.append(command).push_back('\n');
  for (const auto& [name, value] : headers) {
    out.append(name).push_back(':');
    out.append(value).push_back('\n');
  }
  if (!body.empty()) {
    out.append("content-length:").append(std::to_string(body.size())).push_back('\n');
  }
  out.push_back('\n');
  out.append(body);
  out.push_back('\0');
  return out;
}

void append_json_string(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (c == '\n') {
      out.append("\\n");
    } else if (u < 0x20) {
      out.append("\\u00");
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 0xf]);
    } else {
      out.push_back(c);
    }
  }
  out.push_back('"');
}

bool ChunkedDecoder::feed(std::string_view in, std::string& out) {
  std::size_t pos = 0;
  while (pos < in.size() && state_ != State::Done) {
    switch (state_) {
      case State::Size:
      case State::DataEnd:
      case State::Trailer: {
        const std::size_t eol = in.find('\n', pos);
        const std::size_t end = eol == std::string_view::npos ? in.size() : eol;
        line_.append(in.substr(pos, end - pos));
        if (line_.size() > 1024) return false;
        if (eol == std::string_view::npos) return true;
        pos = eol + 1;
        if (!line_.empty() && line_.back() == '\r') line_.pop_back();
        if (state_ == State::DataEnd) {
          if (!line_.empty()) return false;
          state_ = State::Size;
        } else if (state_ == State::Trailer) {
          if (line_.empty()) state_ = State::Done;
        } else {
          std::size_t size = 0;
          std::size_t digits = 0;
          for (const char c : line_) {
            int v;
            if (c >= '0' && c <= '9') {
              v = c - '0';
            } else if (c >= 'a' && c <= 'f') {
              v = c - 'a' + 10;
            } else if (c >= 'A' && c <= 'F') {
              v = c - 'A' + 10;
            } else {
              break;  // chunk extensions
            }
            if (++digits > 12) return false;
            size = size * 16 + static_cast<std::size_t>(v);
          }
          if (digits == 0) return false;
          remaining_ = size;
          state_ = size == 0 ? State::Trailer : State::Data;
        }
        line_.clear();
        break;
      }
      case State::Data: {
        const std::size_t n = std::min(remaining_, in.size() - pos);
        out.append(in.substr(pos, n));
        pos += n;
        remaining_ -= n;
        if (remaining_ == 0) state_ = State::DataEnd;
        break;
      }
      case State::Done:
        break;
    }
  }
  return true;
}

bool decode_sockjs_array(std::string_view json, std::vector<std::string>& out) {
  boost::system::error_code ec;
  const boost::json::value value = boost::json::parse(json, ec);
  if (ec || !value.is_array()) return false;
  for (const auto& item : value.get_array()) {
    if (!item.is_string()) return false;
    out.emplace_back(item.get_string());
  }
  return true;
}

}  // namespace loadgen
