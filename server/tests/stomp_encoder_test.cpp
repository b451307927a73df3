#include "stomp/encoder.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "stomp/frame.hpp"
#include "stomp/parser.hpp"

namespace parley::stomp {
namespace {

using namespace std::string_literals;

const std::vector<Command> kAllCommands = {
    Command::connect,   Command::stomp,       Command::connected, Command::send,
    Command::subscribe, Command::unsubscribe, Command::ack,       Command::nack,
    Command::begin,     Command::commit,      Command::abort,     Command::disconnect,
    Command::message,   Command::receipt,     Command::error,
};

// ---- frame model ---------------------------------------------------------------------------

TEST(StompFrame, CommandNamesRoundTripForAllFifteenCommands) {
  const std::vector<std::string> names = {
      "CONNECT", "STOMP",  "CONNECTED", "SEND",       "SUBSCRIBE", "UNSUBSCRIBE", "ACK",   "NACK",
      "BEGIN",   "COMMIT", "ABORT",     "DISCONNECT", "MESSAGE",   "RECEIPT",     "ERROR",
  };
  ASSERT_EQ(names.size(), kAllCommands.size());
  for (std::size_t i = 0; i < names.size(); ++i) {
    EXPECT_EQ(to_string(kAllCommands[i]), names[i]);
    EXPECT_EQ(command_from_string(names[i]), kAllCommands[i]);
  }
}

TEST(StompFrame, CommandLookupIsExactAndCaseSensitive) {
  EXPECT_EQ(command_from_string("send"), std::nullopt);
  EXPECT_EQ(command_from_string("SEND "), std::nullopt);
  EXPECT_EQ(command_from_string(""), std::nullopt);
  EXPECT_EQ(command_from_string("CONNECTX"), std::nullopt);
}

TEST(StompFrame, VersionStrings) {
  EXPECT_EQ(to_string(Version::v1_0), "1.0");
  EXPECT_EQ(to_string(Version::v1_1), "1.1");
  EXPECT_EQ(to_string(Version::v1_2), "1.2");
}

TEST(StompFrame, RepeatedHeaderFirstOneWinsOnLookup) {
  Frame frame;
  frame.add("foo", "World").add("foo", "Hello").add("bar", "");
  EXPECT_EQ(frame.header("foo"), "World");
  EXPECT_EQ(frame.header_or("bar", "fallback"), "");
  EXPECT_EQ(frame.header_or("missing", "fallback"), "fallback");
  EXPECT_TRUE(frame.has("bar"));
  EXPECT_FALSE(frame.has("missing"));
  EXPECT_EQ(frame.headers.size(), 3u);
}

// ---- encoding ------------------------------------------------------------------------------

TEST(StompEncoder, CommandHeadersBlankLineBodyNul) {
  Frame frame{Command::send, {}, "hello"};
  frame.add("destination", "/a").add("x", "y");
  EXPECT_EQ(encode(frame, Version::v1_2), "SEND\ndestination:/a\nx:y\n\nhello\0"s);
}

TEST(StompEncoder, AddsNoHeadersOfItsOwn) {
  EXPECT_EQ(encode(Frame{Command::message, {}, "body"}, Version::v1_2), "MESSAGE\n\nbody\0"s);
}

TEST(StompEncoder, BodyNulBytesAreCopiedVerbatim) {
  Frame frame{Command::send, {{"content-length", "3"}}, "a\0b"s};
  EXPECT_EQ(encode(frame, Version::v1_2), "SEND\ncontent-length:3\n\na\0b\0"s);
}

TEST(StompEncoder, AppendEncodedAppends) {
  std::string out = "prefix";
  append_encoded(out, Frame{Command::receipt, {{"receipt-id", "1"}}, ""}, Version::v1_2);
  EXPECT_EQ(out, "prefixRECEIPT\nreceipt-id:1\n\n\0"s);
}

TEST(StompEncoder, V12EscapesBackslashLfColonAndCr) {
  EXPECT_EQ(escape("a\\b\nc:d\re", Version::v1_2), "a\\\\b\\nc\\cd\\re");
}

TEST(StompEncoder, V11EscapesBackslashLfColonButNotCr) {
  EXPECT_EQ(escape("a\\b\nc:d\re", Version::v1_1), "a\\\\b\\nc\\cd\re");
}

TEST(StompEncoder, V10EscapesNothing) {
  EXPECT_EQ(escape("a\\b\nc:d\re", Version::v1_0), "a\\b\nc:d\re");
}

TEST(StompEncoder, AppendEscapedAppends) {
  std::string out = ">";
  append_escaped(out, "k:v", Version::v1_2);
  EXPECT_EQ(out, ">k\\cv");
}

TEST(StompEncoder, EscapesHeaderNamesAndValues) {
  Frame frame{Command::message, {{"a:b", "c\nd"}}, ""};
  EXPECT_EQ(encode(frame, Version::v1_2), "MESSAGE\na\\cb:c\\nd\n\n\0"s);
}

TEST(StompEncoder, ConnectStompAndConnectedAreNeverEscaped) {
  for (Command command : {Command::connect, Command::stomp, Command::connected}) {
    Frame frame{command, {{"passcode", "a:b\\c"}}, ""};
    EXPECT_EQ(encode(frame, Version::v1_2),
              std::string(to_string(command)) + "\npasscode:a:b\\c\n\n\0"s);
  }
}

TEST(StompEncoder, KoreanUtf8PassesThroughUnescaped) {
  const std::string korean = "안녕하세요";
  Frame frame{Command::message, {{"nickname", "철수"}}, korean};
  frame.add("content-length", std::to_string(korean.size()));
  EXPECT_EQ(encode(frame, Version::v1_2),
            "MESSAGE\nnickname:철수\ncontent-length:15\n\n" + korean + '\0');
}

// ---- round trip --------------------------------------------------------------------------

Frame reparse(const std::string& wire, Version version) {
  ParserLimits limits;
  limits.max_frame_bytes = 1 << 20;
  Parser parser(limits);
  parser.set_version(version);
  parser.feed(wire);
  Frame frame;
  EXPECT_EQ(parser.next(frame), Parser::Result::frame) << parser.error();
  EXPECT_EQ(parser.next(frame), Parser::Result::need_more);
  EXPECT_EQ(parser.buffered(), 0u);
  return frame;
}

// Random text the given version can carry in a header: 1.0 and the never-escaped commands
// cannot carry LF (nor ':' in names), and without a \r escape a value must not end in CR,
// because the line's CR LF would absorb it.
class HeaderText {
 public:
  HeaderText(std::mt19937& rng, Version version, bool escaped)
      : rng_(rng), escaped_(escaped && version != Version::v1_0) {}

  std::string make(bool is_name, bool cr_escape) {
    static const std::string kPlain = "abcXYZ09-_/.= ";
    std::string text;
    const std::size_t length = pick(is_name ? 1 : 0, 12);
    for (std::size_t i = 0; i < length; ++i) {
      text += pick_char(kPlain, is_name);
    }
    if (!is_name && !cr_escape) {
      while (!text.empty() && text.back() == '\r') text.pop_back();
    }
    return text;
  }

 private:
  std::size_t pick(std::size_t lo, std::size_t hi) {
    return std::uniform_int_distribution<std::size_t>(lo, hi)(rng_);
  }
  char pick_char(const std::string& plain, bool is_name) {
    std::string special = "\\\r";
    if (escaped_) special += "\n:";
    if (!is_name && !escaped_) special += ':';  // a raw ':' in a value is fine everywhere
    if (pick(0, 3) == 0) return special[pick(0, special.size() - 1)];
    if (pick(0, 7) == 0) return static_cast<char>(0x80 + pick(0, 0x7f));  // UTF-8-ish bytes
    return plain[pick(0, plain.size() - 1)];
  }

  std::mt19937& rng_;
  bool escaped_;
};

Frame random_frame(std::mt19937& rng, Version version) {
  Frame frame;
  frame.command = kAllCommands[std::uniform_int_distribution<std::size_t>(0, 14)(rng)];
  const bool escaped = frame.command != Command::connect && frame.command != Command::stomp &&
                       frame.command != Command::connected;
  const bool cr_escape = escaped && version == Version::v1_2;
  HeaderText text(rng, version, escaped);
  const int header_count = std::uniform_int_distribution<int>(0, 6)(rng);
  for (int i = 0; i < header_count; ++i) {
    std::string name = text.make(true, cr_escape);
    if (name == "content-length") name += "x";
    frame.add(std::move(name), text.make(false, cr_escape));
  }
  const std::size_t body_size = std::uniform_int_distribution<std::size_t>(0, 40)(rng);
  for (std::size_t i = 0; i < body_size; ++i) {
    frame.body += static_cast<char>(std::uniform_int_distribution<int>(0, 255)(rng));
  }
  // A body with NUL bytes needs content-length; sometimes send it anyway.
  if (frame.body.find('\0') != std::string::npos ||
      std::uniform_int_distribution<int>(0, 1)(rng) == 0) {
    frame.add("content-length", std::to_string(frame.body.size()));
  }
  return frame;
}

TEST(StompEncoder, RoundTripEncodeThenParseGivesEqualFramePerVersion) {
  std::mt19937 rng(2024);
  for (Version version : {Version::v1_0, Version::v1_1, Version::v1_2}) {
    for (int i = 0; i < 500; ++i) {
      const Frame frame = random_frame(rng, version);
      const std::string wire = encode(frame, version);
      EXPECT_EQ(reparse(wire, version), frame) << "version " << to_string(version) << " case " << i;
    }
  }
}

TEST(StompEncoder, RoundTripKoreanBodyWithContentLength) {
  const std::string body = "안녕하세요\0세계"s;
  Frame frame{Command::send, {{"destination", "/chat/room.a"}}, body};
  frame.add("content-length", std::to_string(body.size()));
  EXPECT_EQ(reparse(encode(frame, Version::v1_2), Version::v1_2), frame);
}

}  // namespace
}  // namespace parley::stomp
