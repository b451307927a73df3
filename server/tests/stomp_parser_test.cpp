#include "stomp/parser.hpp"

#include <gtest/gtest.h>

#include <cstddef>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "stomp/encoder.hpp"
#include "stomp/frame.hpp"

namespace parley::stomp {
namespace {

using namespace std::string_literals;

struct Outcome {
  std::vector<Frame> frames;
  bool failed = false;
  std::string error;
  std::size_t heartbeats = 0;
  std::size_t buffered = 0;
};

void drain(Parser& parser, Outcome& outcome) {
  Frame frame;
  for (;;) {
    const Parser::Result result = parser.next(frame);
    if (result == Parser::Result::frame) {
      outcome.frames.push_back(frame);
      continue;
    }
    if (result == Parser::Result::error) {
      outcome.failed = true;
      outcome.error = parser.error();
    }
    return;
  }
}

// Feeds `input` in pieces of `chunk` bytes (0 = all at once), draining after every feed the
// way a session does after every read.
Outcome parse(std::string_view input, Version version = Version::v1_2, std::size_t chunk = 0,
              ParserLimits limits = {}) {
  Parser parser(limits);
  parser.set_version(version);
  Outcome outcome;
  if (chunk == 0) chunk = input.empty() ? 1 : input.size();
  for (std::size_t i = 0; i < input.size() && !outcome.failed; i += chunk) {
    parser.feed(input.substr(i, chunk));
    drain(parser, outcome);
  }
  if (input.empty()) drain(parser, outcome);
  outcome.heartbeats = parser.heartbeats();
  outcome.buffered = parser.buffered();
  return outcome;
}

Frame parse_one(std::string_view input, Version version = Version::v1_2) {
  const Outcome outcome = parse(input, version);
  EXPECT_FALSE(outcome.failed) << outcome.error;
  EXPECT_EQ(outcome.frames.size(), 1u);
  return outcome.frames.empty() ? Frame{} : outcome.frames.front();
}

std::string parse_error(std::string_view input, Version version = Version::v1_2,
                        ParserLimits limits = {}) {
  const Outcome outcome = parse(input, version, 0, limits);
  EXPECT_TRUE(outcome.failed) << "expected an error for: " << input;
  return outcome.error;
}

bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

const std::vector<Command> kAllCommands = {
    Command::connect,   Command::stomp,       Command::connected, Command::send,
    Command::subscribe, Command::unsubscribe, Command::ack,       Command::nack,
    Command::begin,     Command::commit,      Command::abort,     Command::disconnect,
    Command::message,   Command::receipt,     Command::error,
};

// ---- frame structure ---------------------------------------------------------------------

TEST(StompParser, EveryCommandParses) {
  for (Command command : kAllCommands) {
    const std::string wire = std::string(to_string(command)) + "\nk:v\n\nbody"s + '\0';
    const Frame frame = parse_one(wire);
    EXPECT_EQ(frame.command, command) << wire;
    EXPECT_EQ(frame.header_or("k", ""), "v");
    EXPECT_EQ(frame.body, "body");
  }
}

TEST(StompParser, CommandMatchIsCaseSensitive) {
  EXPECT_EQ(parse_error("send\n\n\0"s), "unknown command 'send'");
}

TEST(StompParser, UnknownCommandIsError) {
  EXPECT_EQ(parse_error("PUBLISH\ndestination:/a\n\n\0"s), "unknown command 'PUBLISH'");
}

TEST(StompParser, UnknownCommandEchoIsTruncated) {
  const std::string long_command(200, 'X');
  const std::string error = parse_error(long_command + "\n\n\0"s);
  EXPECT_EQ(error, "unknown command '" + std::string(32, 'X') + "'");
}

TEST(StompParser, UnknownCommandFailsBeforeItsEolArrives) {
  Parser parser;
  parser.feed(std::string(100, 'X'));
  Frame frame;
  EXPECT_EQ(parser.next(frame), Parser::Result::error);
  EXPECT_EQ(parser.error(), "unknown command '" + std::string(32, 'X') + "'");
}

TEST(StompParser, LfLineEndingsAccepted) {
  const Frame frame = parse_one("SEND\ndestination:/a\nx:y\n\nhi\0"s);
  EXPECT_EQ(frame.command, Command::send);
  ASSERT_EQ(frame.headers.size(), 2u);
  EXPECT_EQ(frame.headers[0], (Header{"destination", "/a"}));
  EXPECT_EQ(frame.headers[1], (Header{"x", "y"}));
  EXPECT_EQ(frame.body, "hi");
}

TEST(StompParser, CrLfLineEndingsAccepted) {
  const Frame frame = parse_one("SEND\r\ndestination:/a\r\nx:y\r\n\r\nhi\0"s);
  EXPECT_EQ(frame.command, Command::send);
  ASSERT_EQ(frame.headers.size(), 2u);
  EXPECT_EQ(frame.headers[0], (Header{"destination", "/a"}));
  EXPECT_EQ(frame.headers[1], (Header{"x", "y"}));
  EXPECT_EQ(frame.body, "hi");
}

TEST(StompParser, MixedEolsInOneFrameAccepted) {
  const Frame frame = parse_one("SEND\r\na:1\nb:2\r\n\nhi\0"s);
  EXPECT_EQ(frame.header_or("a", ""), "1");
  EXPECT_EQ(frame.header_or("b", ""), "2");
  EXPECT_EQ(frame.body, "hi");
}

TEST(StompParser, FrameWithoutHeadersOrBody) {
  const Frame frame = parse_one("DISCONNECT\n\n\0"s);
  EXPECT_EQ(frame.command, Command::disconnect);
  EXPECT_TRUE(frame.headers.empty());
  EXPECT_TRUE(frame.body.empty());
}

TEST(StompParser, BodyWithoutContentLengthEndsAtFirstNul) {
  const Outcome outcome = parse("SEND\n\nab\0SEND\n\ncd\0"s);
  ASSERT_FALSE(outcome.failed) << outcome.error;
  ASSERT_EQ(outcome.frames.size(), 2u);
  EXPECT_EQ(outcome.frames[0].body, "ab");
  EXPECT_EQ(outcome.frames[1].body, "cd");
}

TEST(StompParser, BodyKeepsEolsAndCrsVerbatim) {
  EXPECT_EQ(parse_one("SEND\n\n\r\nline\r\n\n\0"s).body, "\r\nline\r\n\n");
}

TEST(StompParser, HeartbeatEolsBetweenFramesAreSkippedAndCounted) {
  const Outcome outcome = parse("\n\r\nSEND\n\na\0\n\n\r\nSEND\n\nb\0\r\n"s, Version::v1_2);
  ASSERT_FALSE(outcome.failed) << outcome.error;
  ASSERT_EQ(outcome.frames.size(), 2u);
  EXPECT_EQ(outcome.frames[0].body, "a");
  EXPECT_EQ(outcome.frames[1].body, "b");
  EXPECT_EQ(outcome.heartbeats, 6u);
  EXPECT_EQ(outcome.buffered, 0u);
}

TEST(StompParser, HeartbeatCrLfSplitAcrossFeedsCountsOnce) {
  Parser parser;
  Frame frame;
  parser.feed("\r");
  EXPECT_EQ(parser.next(frame), Parser::Result::need_more);
  EXPECT_EQ(parser.heartbeats(), 0u);
  parser.feed("\n");
  EXPECT_EQ(parser.next(frame), Parser::Result::need_more);
  EXPECT_EQ(parser.heartbeats(), 1u);
  EXPECT_EQ(parser.buffered(), 0u);
}

TEST(StompParser, LoneCrBeforeCommandIsNotAHeartbeat) {
  EXPECT_EQ(parse_error("\rSEND\n\n\0"s), "unknown command '?SEND'");
}

TEST(StompParser, NulBeforeEndOfHeadersIsError) {
  EXPECT_TRUE(contains(parse_error("SEND\ndestination:/a\0"s), "NUL byte"));
  EXPECT_TRUE(contains(parse_error("\0"s), "NUL byte"));
}

// ---- headers -------------------------------------------------------------------------------

TEST(StompParser, RepeatedHeaderFirstOneWins) {
  const Frame frame = parse_one("MESSAGE\nfoo:World\nfoo:Hello\n\n\0"s);
  EXPECT_EQ(frame.header("foo"), "World");
  ASSERT_EQ(frame.headers.size(), 2u);
  EXPECT_EQ(frame.headers[1], (Header{"foo", "Hello"}));
}

TEST(StompParser, FirstColonSeparatesAndRawColonInValueIsTolerated) {
  for (Version version : {Version::v1_0, Version::v1_1, Version::v1_2}) {
    const Frame frame = parse_one("SEND\nurl:http://x:80/\n\n\0"s, version);
    EXPECT_EQ(frame.header("url"), "http://x:80/") << to_string(version);
  }
}

TEST(StompParser, EmptyHeaderValueAllowed) {
  EXPECT_EQ(parse_one("SEND\nempty:\n\n\0"s).header("empty"), "");
}

TEST(StompParser, HeaderWhitespaceIsNotTrimmed) {
  EXPECT_EQ(parse_one("SEND\n key : value \n\n\0"s).header(" key "), " value ");
}

TEST(StompParser, HeaderLineWithoutColonIsError) {
  EXPECT_EQ(parse_error("SEND\nno-colon-here\n\n\0"s), "header line without ':' separator");
}

TEST(StompParser, EmptyHeaderNameIsError) {
  EXPECT_EQ(parse_error("SEND\n:value\n\n\0"s), "empty header name");
}

// ---- escaping --------------------------------------------------------------------------------

TEST(StompParser, V12UnescapesBackslashLfColonAndCr) {
  const Frame frame = parse_one("SEND\na\\cb:x\\\\y\\nz\\c\\r\n\n\0"s, Version::v1_2);
  EXPECT_EQ(frame.header("a:b"), "x\\y\nz:\r");
}

TEST(StompParser, V11UnescapesBackslashLfColon) {
  const Frame frame = parse_one("SEND\na\\cb:x\\\\y\\nz\\c\n\n\0"s, Version::v1_1);
  EXPECT_EQ(frame.header("a:b"), "x\\y\nz:");
}

TEST(StompParser, V11HasNoCrEscape) {
  EXPECT_TRUE(
      contains(parse_error("SEND\nk:a\\rb\n\n\0"s, Version::v1_1), "invalid header escape '\\r'"));
}

TEST(StompParser, V11KeepsRawCrInsideValue) {
  EXPECT_EQ(parse_one("SEND\nk:a\rb\n\n\0"s, Version::v1_1).header("k"), "a\rb");
}

TEST(StompParser, V10HeadersAreNotUnescaped) {
  const Frame frame = parse_one("SEND\na\\cb:x\\\\y\\t\\\n\n\0"s, Version::v1_0);
  EXPECT_EQ(frame.header("a\\cb"), "x\\\\y\\t\\");
}

TEST(StompParser, ConnectStompAndConnectedAreNeverUnescaped) {
  for (const char* command : {"CONNECT", "STOMP", "CONNECTED"}) {
    const Frame frame = parse_one(command + "\npasscode:a\\cb\\t\\\n\n\0"s, Version::v1_2);
    EXPECT_EQ(frame.header("passcode"), "a\\cb\\t\\") << command;
  }
}

TEST(StompParser, InvalidEscapeIsError) {
  EXPECT_TRUE(contains(parse_error("SEND\nk:a\\tb\n\n\0"s), "invalid header escape '\\t'"));
}

TEST(StompParser, InvalidEscapeInHeaderNameIsError) {
  EXPECT_TRUE(contains(parse_error("SEND\na\\xb:v\n\n\0"s), "invalid header escape '\\x'"));
}

TEST(StompParser, TrailingLoneBackslashIsError) {
  EXPECT_TRUE(contains(parse_error("SEND\nk:abc\\\n\n\0"s), "invalid header escape"));
}

TEST(StompParser, SetVersionAppliesToFollowingFrames) {
  Parser parser;
  Frame frame;
  parser.feed("CONNECT\naccept-version:1.0\n\n\0SEND\nk:a\\tb\n\n\0"s);
  ASSERT_EQ(parser.next(frame), Parser::Result::frame);
  parser.set_version(Version::v1_0);
  ASSERT_EQ(parser.next(frame), Parser::Result::frame);
  EXPECT_EQ(frame.header("k"), "a\\tb");
}

// ---- content-length ----------------------------------------------------------------------

TEST(StompParser, ContentLengthBodyMayContainNulBytes) {
  const std::string body = "a\0b\0\0c"s;
  const Frame frame = parse_one("SEND\ncontent-length:6\n\n"s + body + '\0');
  EXPECT_EQ(frame.body, body);
  EXPECT_EQ(frame.body.size(), 6u);
}

TEST(StompParser, ContentLengthZero) {
  const Outcome outcome = parse("SEND\ncontent-length:0\n\n\0SEND\n\nx\0"s);
  ASSERT_FALSE(outcome.failed) << outcome.error;
  ASSERT_EQ(outcome.frames.size(), 2u);
  EXPECT_EQ(outcome.frames[0].body, "");
  EXPECT_EQ(outcome.frames[1].body, "x");
}

TEST(StompParser, ContentLengthLeadingZerosAreDecimal) {
  EXPECT_EQ(parse_one("SEND\ncontent-length:003\n\nabc\0"s).body, "abc");
}

TEST(StompParser, ContentLengthMismatchIsError) {
  EXPECT_EQ(parse_error("SEND\ncontent-length:2\n\nabc\0"s),
            "frame body not terminated by NUL after content-length");
}

TEST(StompParser, FirstContentLengthWins) {
  const Frame frame = parse_one("SEND\ncontent-length:2\ncontent-length:bogus\n\na\0\0"s);
  EXPECT_EQ(frame.body, "a\0"s);
}

TEST(StompParser, BadContentLengthIsError) {
  for (const char* bad : {"-1", "+1", " 1", "1 ", "", "abc", "0x10", "1.5", "1e3"}) {
    const std::string error = parse_error("SEND\ncontent-length:"s + bad + "\n\n\0"s);
    EXPECT_TRUE(contains(error, "invalid content-length")) << bad << ": " << error;
  }
}

TEST(StompParser, HugeContentLengthIsTooLarge) {
  EXPECT_EQ(parse_error("SEND\ncontent-length:99999999999999999999999999\n\n\0"s),
            "frame too large (limit 65536 bytes)");
}

TEST(StompParser, KoreanUtf8BodyContentLengthCountsBytes) {
  const std::string body = "안녕하세요, 반갑습니다!";  // 10 Hangul syllables x 3 bytes + 3 ASCII
  ASSERT_EQ(body.size(), 33u);
  const Frame frame = parse_one(
      "SEND\ncontent-type:text/plain;charset=utf-8\ncontent-length:33\n\n"s + body + '\0');
  EXPECT_EQ(frame.body, body);
  // Counting characters (13) instead of bytes would cut the body mid-syllable.
  EXPECT_TRUE(parse("SEND\ncontent-length:13\n\n"s + body + '\0').failed);
}

TEST(StompParser, KoreanUtf8HeaderValue) {
  EXPECT_EQ(parse_one("SEND\nnickname:철수\n\n\0"s).header("nickname"), "철수");
}

// ---- limits --------------------------------------------------------------------------------

ParserLimits small_limits() {
  ParserLimits limits;
  limits.max_frame_bytes = 64;
  limits.max_header_count = 3;
  limits.max_header_line = 16;
  return limits;
}

TEST(StompParser, FrameExactlyAtSizeLimitIsAccepted) {
  // "SEND\n\n" + 58 body bytes = 64 frame bytes (the NUL is not counted).
  const std::string wire = "SEND\n\n" + std::string(58, 'b') + '\0';
  const Outcome outcome = parse(wire, Version::v1_2, 0, small_limits());
  EXPECT_FALSE(outcome.failed) << outcome.error;
  ASSERT_EQ(outcome.frames.size(), 1u);
  EXPECT_EQ(outcome.frames[0].body.size(), 58u);
}

TEST(StompParser, FrameOverSizeLimitIsErrorNamingTheLimit) {
  const std::string wire = "SEND\n\n" + std::string(59, 'b') + '\0';
  EXPECT_EQ(parse_error(wire, Version::v1_2, small_limits()), "frame too large (limit 64 bytes)");
}

TEST(StompParser, FrameSizeLimitFailsBeforeNulArrives) {
  Parser parser(small_limits());
  Frame frame;
  parser.feed("SEND\n\n");
  EXPECT_EQ(parser.next(frame), Parser::Result::need_more);
  parser.feed(std::string(59, 'b'));  // no NUL yet, and already over the limit
  EXPECT_EQ(parser.next(frame), Parser::Result::error);
  EXPECT_EQ(parser.error(), "frame too large (limit 64 bytes)");
}

TEST(StompParser, FrameSizeLimitAppliesToUnfinishedHeaders) {
  ParserLimits limits = small_limits();
  limits.max_header_line = 1000;
  Parser parser(limits);
  Frame frame;
  parser.feed("SEND\nk:" + std::string(100, 'v'));
  EXPECT_EQ(parser.next(frame), Parser::Result::error);
  EXPECT_EQ(parser.error(), "frame too large (limit 64 bytes)");
}

TEST(StompParser, ContentLengthOverLimitFailsAtTheHeader) {
  ParserLimits limits = small_limits();
  limits.max_header_line = 100;
  Parser parser(limits);
  Frame frame;
  parser.feed("SEND\ncontent-length:100\n");  // body not sent yet
  EXPECT_EQ(parser.next(frame), Parser::Result::error);
  EXPECT_EQ(parser.error(), "frame too large (limit 64 bytes)");
}

TEST(StompParser, TooManyHeadersIsErrorNamingTheLimit) {
  EXPECT_FALSE(parse("SEND\na:1\nb:2\nc:3\n\n\0"s, Version::v1_2, 0, small_limits()).failed);
  EXPECT_EQ(parse_error("SEND\na:1\nb:2\nc:3\nd:4\n\n\0"s, Version::v1_2, small_limits()),
            "too many headers (limit 3)");
}

TEST(StompParser, HeaderLineAtLimitIsAcceptedWithEitherEol) {
  const std::string line = "k:" + std::string(14, 'v');  // exactly 16 bytes
  EXPECT_FALSE(parse("SEND\n" + line + "\n\n\0"s, Version::v1_2, 0, small_limits()).failed);
  EXPECT_FALSE(parse("SEND\r\n" + line + "\r\n\r\n\0"s, Version::v1_2, 1, small_limits()).failed);
}

TEST(StompParser, HeaderLineTooLongIsErrorNamingTheLimit) {
  const std::string line = "k:" + std::string(15, 'v');  // 17 bytes
  EXPECT_EQ(parse_error("SEND\n" + line + "\n\n\0"s, Version::v1_2, small_limits()),
            "header line too long (limit 16 bytes)");
  EXPECT_EQ(parse_error("SEND\r\n" + line + "\r\n\r\n\0"s, Version::v1_2, small_limits()),
            "header line too long (limit 16 bytes)");
}

TEST(StompParser, HeaderLineLimitFailsBeforeItsEolArrives) {
  Parser parser(small_limits());
  Frame frame;
  parser.feed("SEND\nk:" + std::string(20, 'v'));
  EXPECT_EQ(parser.next(frame), Parser::Result::error);
  EXPECT_EQ(parser.error(), "header line too long (limit 16 bytes)");
}

TEST(StompParser, ErrorIsSticky) {
  Parser parser;
  Frame frame;
  parser.feed("BOGUS\n\n\0"s);
  EXPECT_EQ(parser.next(frame), Parser::Result::error);
  parser.feed("SEND\n\n\0"s);
  EXPECT_EQ(parser.next(frame), Parser::Result::error);
  EXPECT_EQ(parser.next(frame), Parser::Result::error);
  EXPECT_EQ(parser.error(), "unknown command 'BOGUS'");
}

// ---- incremental parsing -------------------------------------------------------------------

std::string mixed_stream() {
  const std::string korean = "세션 신호";
  return "\n\r\nCONNECT\r\naccept-version:1.2\r\nhost:a\\c\r\n\r\n\0"s +
         "SEND\ndestination:/chat/room.a\ncontent-length:5\n\nx\0y\0z\0\n"s +
         "SUBSCRIBE\nid:0\ndestination:/exchange/chat.exchange/room.a\n\n\0\r\n\n"s +
         "SEND\nk\\c:v\\n\\r\\\\\ncontent-length:" + std::to_string(korean.size()) + "\n\n" +
         korean + '\0' + "ACK\nid:1\nid:2\n\n\0DISCONNECT\nreceipt:77\n\n\0"s;
}

void expect_same(const Outcome& a, const Outcome& b, const std::string& what) {
  EXPECT_EQ(a.frames, b.frames) << what;
  EXPECT_EQ(a.failed, b.failed) << what;
  EXPECT_EQ(a.error, b.error) << what;
  EXPECT_EQ(a.heartbeats, b.heartbeats) << what;
}

TEST(StompParser, ByteByByteEqualsWholeBuffer) {
  const std::string input = mixed_stream();
  const Outcome whole = parse(input);
  ASSERT_FALSE(whole.failed) << whole.error;
  EXPECT_EQ(whole.frames.size(), 6u);
  EXPECT_EQ(whole.heartbeats, 5u);
  expect_same(whole, parse(input, Version::v1_2, 1), "byte by byte");
}

TEST(StompParser, ByteByByteEqualsWholeBufferForErrors) {
  ParserLimits limits = small_limits();
  const std::vector<std::string> inputs = {
      "SEND\n\n" + std::string(80, 'b'),
      "SEND\nk:" + std::string(80, 'v') + "\n\n\0",
      std::string(80, 'X'),
      "SEND\na:1\nb:2\nc:3\nd:4\n\n\0"s,
      "SEND\nk:a\\tb\n\n\0"s,
      "SEND\ncontent-length:2\n\nabc\0"s,
      "SEND\ncontent-length:x\n\n\0"s,
      "SEND\nnocolon\n\n\0"s,
      "SEND\nk:v\0"s,
  };
  for (const std::string& input : inputs) {
    const Outcome whole = parse(input, Version::v1_2, 0, limits);
    EXPECT_TRUE(whole.failed) << input;
    for (std::size_t chunk : {1, 2, 3, 7}) {
      expect_same(whole, parse(input, Version::v1_2, chunk, limits), input);
    }
  }
}

TEST(StompParser, MultipleFramesInOneFeed) {
  Parser parser;
  parser.feed("SEND\n\n1\0SEND\n\n2\0SEND\n\n3\0"s);
  Frame frame;
  for (const char* body : {"1", "2", "3"}) {
    ASSERT_EQ(parser.next(frame), Parser::Result::frame);
    EXPECT_EQ(frame.body, body);
  }
  EXPECT_EQ(parser.next(frame), Parser::Result::need_more);
  EXPECT_EQ(parser.buffered(), 0u);
}

TEST(StompParser, FrameSplitAcrossSeveralFeeds) {
  Parser parser;
  Frame frame;
  for (const char* piece : {"SE", "ND\r", "\ndestination:/a", "\ncontent-len", "gth:4\n", "\nab"}) {
    parser.feed(piece);
    EXPECT_EQ(parser.next(frame), Parser::Result::need_more) << piece;
  }
  EXPECT_GT(parser.buffered(), 0u);
  parser.feed("\0c"s);
  EXPECT_EQ(parser.next(frame), Parser::Result::need_more);
  parser.feed("\0"s);
  ASSERT_EQ(parser.next(frame), Parser::Result::frame);
  EXPECT_EQ(frame.header("destination"), "/a");
  EXPECT_EQ(frame.body, "ab\0c"s);
  EXPECT_EQ(parser.buffered(), 0u);
}

TEST(StompParser, RandomSplitsEqualWholeBuffer) {
  const std::string input = mixed_stream() + mixed_stream();
  const Outcome whole = parse(input);
  std::mt19937 rng(12345);
  for (int round = 0; round < 200; ++round) {
    Parser parser;
    Outcome pieces;
    std::size_t at = 0;
    while (at < input.size()) {
      const std::size_t n = std::uniform_int_distribution<std::size_t>(1, 40)(rng);
      parser.feed(std::string_view(input).substr(at, n));
      at += n;
      drain(parser, pieces);
    }
    pieces.heartbeats = parser.heartbeats();
    expect_same(whole, pieces, "round " + std::to_string(round));
  }
}

TEST(StompParser, ByteByByteFeedingOfLargeBodyStaysLinear) {
  // Quadratic rescanning would need ~10^11 byte visits here and time out; linear is instant.
  ParserLimits limits;
  limits.max_frame_bytes = 1 << 20;
  Parser parser(limits);
  Frame frame;
  parser.feed("SEND\n\n");
  for (int i = 0; i < 512 * 1024; ++i) {
    parser.feed("x");
    ASSERT_EQ(parser.next(frame), Parser::Result::need_more);
  }
  parser.feed("\0"s);
  ASSERT_EQ(parser.next(frame), Parser::Result::frame);
  EXPECT_EQ(frame.body.size(), 512u * 1024u);
}

TEST(StompParser, ReusedOutFrameIsFullyOverwritten) {
  Parser parser;
  parser.feed("SEND\na:1\nb:2\n\nlong body\0ACK\nid:9\n\n\0"s);
  Frame frame;
  ASSERT_EQ(parser.next(frame), Parser::Result::frame);
  ASSERT_EQ(parser.next(frame), Parser::Result::frame);
  EXPECT_EQ(frame, (Frame{Command::ack, {{"id", "9"}}, ""}));
}

}  // namespace
}  // namespace parley::stomp
