// Incremental STOMP frame parser: bytes in, frames out, no I/O.
//
// Bytes may arrive in any split (one frame across many reads, many frames in one read).
// Heart-beat EOLs between frames are skipped. Header values are unescaped according to the
// negotiated version (CONNECT/CONNECTED are never unescaped, per the spec). Every malformed
// input ends in Result::error with a message that names the broken rule; the parser then
// stays in the error state.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "stomp/frame.hpp"

namespace parley::stomp {

struct ParserLimits {
  std::size_t max_frame_bytes = 64 * 1024;  // command + headers + body
  std::size_t max_header_count = 64;
  std::size_t max_header_line = 8 * 1024;  // one "name:value" line
};

class Parser {
 public:
  enum class Result { frame, need_more, error };

  explicit Parser(ParserLimits limits = {});

  // Version used for unescaping headers of frames that follow (default 1.2 rules until the
  // session negotiates; the first frame is CONNECT/STOMP, which is never unescaped anyway).
  void set_version(Version version) { version_ = version; }

  // Appends bytes to the internal buffer. Cheap; parsing happens in next().
  void feed(std::string_view bytes);

  // Extracts the next complete frame into `out`. Call until it returns need_more.
  Result next(Frame& out);

  // The rule that was broken, set when next() returned Result::error.
  const std::string& error() const { return error_; }
  // When that rule was a size limit, its name (frame_bytes, header_line, header_count).
  std::string_view limit() const { return limit_; }

  // Number of heart-beat EOLs consumed between frames so far.
  std::size_t heartbeats() const { return heartbeats_; }

  // Bytes buffered but not yet consumed as a complete frame.
  std::size_t buffered() const;

 private:
  // implementation details are free to change
  enum class Phase : std::uint8_t { between_frames, command, headers, body };
  enum class Step : std::uint8_t { advance, need_more, frame, error };
  enum class LineScan : std::uint8_t { found, need_more, deadline, nul };

  Step skip_heartbeats();
  Step parse_command_line();
  Step parse_header_line();
  Step parse_header(std::string_view line, std::size_t next_line);
  Step finish_headers(std::size_t body_start);
  Step read_body(Frame& out);
  Step emit(Frame& out, std::size_t body_size, std::size_t frame_end);
  LineScan find_line_end(std::size_t deadline, std::size_t& line_end);
  std::string_view current_line(std::size_t line_end) const;
  Step fail(std::string message);
  Step fail_limit(std::string_view limit, std::string message);  // `limit`: a literal
  void compact();
  void reset_frame_state();

  ParserLimits limits_;
  Version version_ = Version::v1_2;
  std::string buffer_;
  std::size_t pos_ = 0;  // start of the frame (or heart-beats) not yet consumed
  std::size_t heartbeats_ = 0;
  std::string error_;
  std::string_view limit_;
  bool failed_ = false;

  // State of the frame being parsed, kept across need_more so nothing is scanned twice.
  // Offsets are relative to pos_, so compaction does not have to fix them up.
  Phase phase_ = Phase::between_frames;
  std::size_t scan_ = 0;        // first byte not yet examined
  std::size_t line_start_ = 0;  // start of the command/header line being read
  std::size_t body_start_ = 0;
  std::optional<std::size_t> content_length_;
  // Escaping rules for this frame's headers, latched when its command is read (v1_0 = none);
  // set_version() mid-frame then only affects the frames after it.
  Version escaping_ = Version::v1_0;
  Frame pending_;
};

}  // namespace parley::stomp
