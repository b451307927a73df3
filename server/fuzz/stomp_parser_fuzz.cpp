// libFuzzer target for the STOMP codec.
//
// Input layout: byte 0 picks the version (bits 0-1) and tiny limits (bit 2) so limit paths get
// exercised; bytes 1-3 pick where the payload is split into feeds; the rest is the payload.
// Checked properties:
//  - the outcome (frames, error, heart-beats) does not depend on how the bytes are split:
//    whole buffer, three data-derived split points, and one byte at a time all agree;
//  - every parsed frame that the version can represent survives encode() -> parse unchanged,
//    alone and as one concatenated stream.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "stomp/encoder.hpp"
#include "stomp/frame.hpp"
#include "stomp/parser.hpp"

namespace {

using parley::stomp::Command;
using parley::stomp::Frame;
using parley::stomp::Parser;
using parley::stomp::ParserLimits;
using parley::stomp::Version;

struct Outcome {
  std::vector<Frame> frames;
  bool failed = false;
  std::string error;
  std::size_t heartbeats = 0;
  std::size_t buffered = 0;

  bool operator==(const Outcome&) const = default;
};

[[noreturn]] void die(const char* what) {
  std::fprintf(stderr, "stomp_parser_fuzz: %s\n", what);
  std::abort();
}

void drain(Parser& parser, Outcome& outcome) {
  Frame frame;
  for (;;) {
    switch (parser.next(frame)) {
      case Parser::Result::frame:
        outcome.frames.push_back(frame);
        continue;
      case Parser::Result::need_more:
        return;
      case Parser::Result::error:
        outcome.failed = true;
        outcome.error = parser.error();
        if (parser.next(frame) != Parser::Result::error) die("error state is not sticky");
        return;
    }
  }
}

Outcome run(std::string_view payload, const std::vector<std::size_t>& cuts, Version version,
            ParserLimits limits) {
  Parser parser(limits);
  parser.set_version(version);
  Outcome outcome;
  std::size_t from = 0;
  for (std::size_t cut : cuts) {
    parser.feed(payload.substr(from, cut - from));
    drain(parser, outcome);
    from = cut;
  }
  parser.feed(payload.substr(from));
  drain(parser, outcome);
  outcome.heartbeats = parser.heartbeats();
  outcome.buffered = parser.buffered();
  return outcome;
}

bool never_escaped(Command command) {
  return command == Command::connect || command == Command::stomp || command == Command::connected;
}

// Without a \r escape, a value ending in CR would be read back as part of a CR LF line end.
bool representable(const Frame& frame, Version version) {
  const bool cr_escape = version == Version::v1_2 && !never_escaped(frame.command);
  if (cr_escape) return true;
  for (const auto& header : frame.headers) {
    if (!header.value.empty() && header.value.back() == '\r') return false;
  }
  return true;
}

void check_round_trip(const std::vector<Frame>& frames, Version version) {
  ParserLimits roomy;
  roomy.max_frame_bytes = std::size_t{1} << 24;
  roomy.max_header_count = 1 << 16;
  roomy.max_header_line = std::size_t{1} << 24;
  std::string stream;
  std::vector<Frame> expected;
  for (const Frame& frame : frames) {
    if (!representable(frame, version)) continue;
    const std::string wire = parley::stomp::encode(frame, version);
    const Outcome again = run(wire, {}, version, roomy);
    if (again.failed) die(("re-parse failed: " + again.error).c_str());
    if (again.frames.size() != 1 || !(again.frames[0] == frame)) die("round trip changed frame");
    if (again.buffered != 0) die("re-parse left bytes behind");
    parley::stomp::append_encoded(stream, frame, version);
    expected.push_back(frame);
  }
  const Outcome all = run(stream, {}, version, roomy);
  if (all.failed || all.frames != expected) die("concatenated round trip differs");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 4) return 0;
  const Version version = static_cast<Version>(data[0] % 3);
  ParserLimits limits;
  if ((data[0] & 4) != 0) {
    limits.max_frame_bytes = 48;
    limits.max_header_count = 3;
    limits.max_header_line = 12;
  }
  const std::string_view payload(reinterpret_cast<const char*>(data + 4), size - 4);

  std::vector<std::size_t> cuts;
  for (int i = 1; i <= 3; ++i) cuts.push_back(data[i] * payload.size() / 255);
  std::sort(cuts.begin(), cuts.end());
  std::vector<std::size_t> every_byte;
  for (std::size_t i = 1; i < payload.size(); ++i) every_byte.push_back(i);

  const Outcome whole = run(payload, {}, version, limits);
  if (!(run(payload, cuts, version, limits) == whole)) die("split feeds differ from whole");
  if (!(run(payload, every_byte, version, limits) == whole)) die("byte feeds differ from whole");
  check_round_trip(whole.frames, version);
  return 0;
}
