#include "stomp/parser.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <system_error>
#include <utility>

namespace parley::stomp {
namespace {

// How much of an offending command or value is echoed back in error messages.
constexpr std::size_t kEchoBytes = 32;
// No command is this long, so a command line still without EOL here is unknown; failing at
// this point (rather than at the EOL) echoes the same kEchoBytes prefix either way.
constexpr std::size_t kCommandLineDeadline = kEchoBytes + 2;

std::size_t saturating_add(std::size_t a, std::size_t b) {
  return a > SIZE_MAX - b ? SIZE_MAX : a + b;
}

// Error text goes back to the peer in an ERROR frame header, so keep control bytes out of it.
std::string printable(std::string_view text) {
  text = text.substr(0, kEchoBytes);
  std::string out(text);
  for (char& c : out) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) c = '?';
  }
  return out;
}

// The spec exempts these so that version negotiation never depends on escaping rules.
bool never_unescaped(Command command) {
  return command == Command::connect || command == Command::stomp || command == Command::connected;
}

std::string allowed_escapes(Version version) {
  return version == Version::v1_2 ? "STOMP 1.2 allows \\\\ \\n \\c \\r"
                                  : "STOMP 1.1 allows \\\\ \\n \\c";
}

// Decodes `in` into `out`; returns the error message, empty on success.
std::string unescape_into(std::string_view in, Version version, std::string& out) {
  if (version == Version::v1_0 || in.find('\\') == std::string_view::npos) {
    out.assign(in);
    return {};
  }
  out.clear();
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '\\') {
      out.push_back(in[i]);
      continue;
    }
    if (++i == in.size()) {
      return "invalid header escape: lone '\\' at end of header text (" + allowed_escapes(version) +
             ")";
    }
    switch (in[i]) {
      case '\\':
        out.push_back('\\');
        break;
      case 'n':
        out.push_back('\n');
        break;
      case 'c':
        out.push_back(':');
        break;
      case 'r':
        if (version == Version::v1_2) {
          out.push_back('\r');
          break;
        }
        [[fallthrough]];
      default:
        return "invalid header escape '\\" + printable(in.substr(i, 1)) + "' (" +
               allowed_escapes(version) + ")";
    }
  }
  return {};
}

enum class Number : std::uint8_t { ok, invalid, overflow };

// Digits only: from_chars alone would also take a leading '-'.
Number parse_content_length(std::string_view text, std::size_t& value) {
  if (text.empty()) return Number::invalid;
  if (!std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return Number::invalid;
  }
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec == std::errc::result_out_of_range) return Number::overflow;
  return ec == std::errc{} && end == text.data() + text.size() ? Number::ok : Number::invalid;
}

std::string unknown_command(std::string_view line) {
  return "unknown command '" + printable(line) + "'";
}

}  // namespace

Parser::Parser(ParserLimits limits) : limits_(limits) {}

void Parser::feed(std::string_view bytes) {
  if (failed_) return;
  compact();
  buffer_.append(bytes);
}

std::size_t Parser::buffered() const {
  return buffer_.size() - pos_;
}

// Dropping the consumed prefix only once it outweighs the rest keeps the total copying linear
// in the input, where erasing after every frame would be quadratic for many small frames.
void Parser::compact() {
  if (pos_ == 0) return;
  if (pos_ == buffer_.size()) {
    buffer_.clear();
    pos_ = 0;
  } else if (pos_ > buffer_.size() / 2) {
    buffer_.erase(0, pos_);
    pos_ = 0;
  }
}

Parser::Result Parser::next(Frame& out) {
  while (!failed_) {
    Step step = Step::need_more;
    switch (phase_) {
      case Phase::between_frames:
        step = skip_heartbeats();
        break;
      case Phase::command:
        step = parse_command_line();
        break;
      case Phase::headers:
        step = parse_header_line();
        break;
      case Phase::body:
        step = read_body(out);
        break;
    }
    switch (step) {
      case Step::advance:
        continue;
      case Step::need_more:
        return Result::need_more;
      case Step::frame:
        return Result::frame;
      case Step::error:
        return Result::error;
    }
  }
  return Result::error;
}

Parser::Step Parser::skip_heartbeats() {
  while (pos_ < buffer_.size()) {
    std::size_t eol = 0;
    if (buffer_[pos_] == '\n') {
      eol = 1;
    } else if (buffer_[pos_] == '\r') {
      // A CR alone cannot be classified yet: it is a heart-beat only if LF follows.
      if (pos_ + 1 == buffer_.size()) return Step::need_more;
      if (buffer_[pos_ + 1] == '\n') eol = 2;
    }
    if (eol == 0) {
      reset_frame_state();
      phase_ = Phase::command;
      return Step::advance;
    }
    pos_ += eol;
    ++heartbeats_;
  }
  return Step::need_more;
}

// Looks for the LF ending the current line, never re-reading bytes and never past `deadline`.
// Bounding the search by deadlines (instead of by how much happens to be buffered) makes the
// outcome, including which error wins, independent of how the input was split into feeds.
Parser::LineScan Parser::find_line_end(std::size_t deadline, std::size_t& line_end) {
  const std::size_t limit = std::min(buffer_.size() - pos_, deadline);
  if (scan_ < limit) {
    const char* base = buffer_.data() + pos_;
    const auto* lf = static_cast<const char*>(std::memchr(base + scan_, '\n', limit - scan_));
    const std::size_t end = lf != nullptr ? static_cast<std::size_t>(lf - base) : limit;
    // A NUL before the blank line means the peer ended the frame without finishing its
    // headers; reading on would swallow the next frame as header lines.
    if (std::memchr(base + scan_, '\0', end - scan_) != nullptr) return LineScan::nul;
    if (lf != nullptr) {
      line_end = end;
      return LineScan::found;
    }
    scan_ = limit;
  }
  return scan_ >= deadline ? LineScan::deadline : LineScan::need_more;
}

std::string_view Parser::current_line(std::size_t line_end) const {
  std::string_view line(buffer_.data() + pos_ + line_start_, line_end - line_start_);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

Parser::Step Parser::parse_command_line() {
  // The blank line must end before max_frame_bytes, or the NUL cannot fit within the limit.
  const std::size_t frame_deadline = limits_.max_frame_bytes;
  std::size_t line_end = 0;
  switch (find_line_end(std::min(kCommandLineDeadline, frame_deadline), line_end)) {
    case LineScan::need_more:
      return Step::need_more;
    case LineScan::nul:
      return fail("NUL byte before the end of the frame's command and headers");
    case LineScan::deadline:
      if (kCommandLineDeadline <= frame_deadline) {
        return fail(unknown_command(std::string_view(buffer_.data() + pos_, kEchoBytes)));
      }
      return fail_limit("frame_bytes", "frame too large (limit " +
                                           std::to_string(limits_.max_frame_bytes) + " bytes)");
    case LineScan::found:
      break;
  }
  const std::string_view line = current_line(line_end);
  const std::optional<Command> command = command_from_string(line);
  if (!command) return fail(unknown_command(line));
  pending_.command = *command;
  escaping_ = never_unescaped(*command) ? Version::v1_0 : version_;
  phase_ = Phase::headers;
  line_start_ = scan_ = line_end + 1;
  return Step::advance;
}

Parser::Step Parser::parse_header_line() {
  // "+ 2": a line of exactly max_header_line bytes may still be followed by CR LF.
  const std::size_t line_deadline =
      saturating_add(line_start_, saturating_add(limits_.max_header_line, 2));
  const std::size_t frame_deadline = limits_.max_frame_bytes;
  std::size_t line_end = 0;
  switch (find_line_end(std::min(line_deadline, frame_deadline), line_end)) {
    case LineScan::need_more:
      return Step::need_more;
    case LineScan::nul:
      return fail("NUL byte before the end of the frame's command and headers");
    case LineScan::deadline:
      if (line_deadline <= frame_deadline) {
        return fail_limit("header_line", "header line too long (limit " +
                                             std::to_string(limits_.max_header_line) + " bytes)");
      }
      return fail_limit("frame_bytes", "frame too large (limit " +
                                           std::to_string(limits_.max_frame_bytes) + " bytes)");
    case LineScan::found:
      break;
  }
  const std::string_view line = current_line(line_end);
  if (line.empty()) return finish_headers(line_end + 1);
  return parse_header(line, line_end + 1);
}

Parser::Step Parser::parse_header(std::string_view line, std::size_t next_line) {
  if (line.size() > limits_.max_header_line) {
    return fail_limit("header_line", "header line too long (limit " +
                                         std::to_string(limits_.max_header_line) + " bytes)");
  }
  if (pending_.headers.size() >= limits_.max_header_count) {
    return fail_limit("header_count",
                      "too many headers (limit " + std::to_string(limits_.max_header_count) + ")");
  }
  // The first ':' separates; later raw colons stay in the value (required by 1.0, tolerated
  // from 1.1/1.2 peers that forget to escape them).
  const std::size_t colon = line.find(':');
  if (colon == std::string_view::npos) return fail("header line without ':' separator");
  if (colon == 0) return fail("empty header name");

  Header header;
  if (std::string err = unescape_into(line.substr(0, colon), escaping_, header.name);
      !err.empty()) {
    return fail(std::move(err));
  }
  if (std::string err = unescape_into(line.substr(colon + 1), escaping_, header.value);
      !err.empty()) {
    return fail(std::move(err));
  }

  // Only the first content-length counts, like any repeated header.
  if (!content_length_ && header.name == "content-length") {
    std::size_t length = 0;
    switch (parse_content_length(header.value, length)) {
      case Number::ok:
        break;
      case Number::invalid:
        return fail("invalid content-length '" + printable(header.value) +
                    "' (must be a non-negative decimal integer)");
      case Number::overflow:
        return fail_limit("frame_bytes", "frame too large (limit " +
                                             std::to_string(limits_.max_frame_bytes) + " bytes)");
    }
    // The frame is at least this line, a blank line and the body: reject it now rather than
    // buffering a body that can never be accepted.
    if (length > limits_.max_frame_bytes || next_line + 1 > limits_.max_frame_bytes - length) {
      return fail_limit("frame_bytes", "frame too large (limit " +
                                           std::to_string(limits_.max_frame_bytes) + " bytes)");
    }
    content_length_ = length;
  }
  pending_.headers.push_back(std::move(header));
  line_start_ = scan_ = next_line;
  return Step::advance;
}

Parser::Step Parser::finish_headers(std::size_t body_start) {
  // body_start <= max_frame_bytes: the blank line's LF was found before that deadline.
  if (content_length_ && *content_length_ > limits_.max_frame_bytes - body_start) {
    return fail_limit("frame_bytes", "frame too large (limit " +
                                         std::to_string(limits_.max_frame_bytes) + " bytes)");
  }
  body_start_ = body_start;
  phase_ = Phase::body;
  scan_ = body_start;
  return Step::advance;
}

Parser::Step Parser::read_body(Frame& out) {
  const std::size_t available = buffer_.size() - pos_;
  if (content_length_) {
    const std::size_t nul = body_start_ + *content_length_;
    if (available <= nul) return Step::need_more;
    if (buffer_[pos_ + nul] != '\0') {
      return fail("frame body not terminated by NUL after content-length");
    }
    return emit(out, *content_length_, nul + 1);
  }
  // The NUL may sit at offset max_frame_bytes at the latest (frame bytes exclude the NUL).
  const std::size_t deadline = saturating_add(limits_.max_frame_bytes, 1);
  const std::size_t limit = std::min(available, deadline);
  if (scan_ < limit) {
    const char* base = buffer_.data() + pos_;
    const auto* nul = static_cast<const char*>(std::memchr(base + scan_, '\0', limit - scan_));
    if (nul != nullptr) {
      const auto nul_offset = static_cast<std::size_t>(nul - base);
      return emit(out, nul_offset - body_start_, nul_offset + 1);
    }
    scan_ = limit;
  }
  if (scan_ >= deadline) {
    return fail_limit("frame_bytes", "frame too large (limit " +
                                         std::to_string(limits_.max_frame_bytes) + " bytes)");
  }
  return Step::need_more;
}

Parser::Step Parser::emit(Frame& out, std::size_t body_size, std::size_t frame_end) {
  out.command = pending_.command;
  // Swapping hands the caller's old header vector back to us, so its capacity is reused.
  out.headers.clear();
  out.headers.swap(pending_.headers);
  out.body.assign(buffer_, pos_ + body_start_, body_size);
  pos_ += frame_end;
  reset_frame_state();
  return Step::frame;
}

void Parser::reset_frame_state() {
  phase_ = Phase::between_frames;
  scan_ = line_start_ = body_start_ = 0;
  content_length_.reset();
  escaping_ = Version::v1_0;
  pending_.headers.clear();
}

Parser::Step Parser::fail_limit(std::string_view limit, std::string message) {
  limit_ = limit;
  return fail(std::move(message));
}

Parser::Step Parser::fail(std::string message) {
  failed_ = true;
  error_ = std::move(message);
  // Nothing more will be parsed; release what the peer made us buffer.
  std::string().swap(buffer_);
  pos_ = 0;
  reset_frame_state();
  return Step::error;
}

}  // namespace parley::stomp
