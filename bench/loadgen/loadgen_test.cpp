// The load generator's own codec and histogram: if these lie, every benchmark figure does.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "histogram.hpp"
#include "wire.hpp"

namespace loadgen {
namespace {

using namespace std::string_literals;

TEST(Histogram, ExactBelow128AndWithinOneSixtyFourthAbove) {
  for (std::uint64_t v = 0; v < 128; ++v)
    EXPECT_EQ(Histogram::highest_in(Histogram::index_of(v)), v);
  std::mt19937_64 random(7);
  for (int i = 0; i < 100000; ++i) {
    const std::uint64_t v = random() >> (random() % 60);
    const std::size_t index = Histogram::index_of(v);
    ASSERT_LT(index, Histogram::kBuckets);
    const std::uint64_t high = Histogram::highest_in(index);
    ASSERT_GE(high, v);
    ASSERT_LE(static_cast<double>(high - v), static_cast<double>(v) / 64.0 + 1.0) << v;
    if (index > 0) ASSERT_LT(Histogram::highest_in(index - 1), v) << v;  // buckets tile the range
  }
}

TEST(Histogram, QuantilesOfAKnownDistribution) {
  Histogram h;
  for (std::uint64_t v = 1; v <= 100000; ++v) h.record(v * 1000);  // 1 µs .. 100 ms, uniform
  EXPECT_EQ(h.count(), 100000u);
  EXPECT_NEAR(static_cast<double>(h.quantile(0.5)), 50e6, 50e6 / 64);
  EXPECT_NEAR(static_cast<double>(h.quantile(0.99)), 99e6, 99e6 / 64);
  EXPECT_NEAR(static_cast<double>(h.quantile(0.999)), 99.9e6, 99.9e6 / 64);
  EXPECT_EQ(h.quantile(1.0), 100000000u);  // capped at the real maximum
  EXPECT_EQ(h.max(), 100000000u);
  h.reset();
  EXPECT_EQ(h.quantile(0.5), 0u);
}

TEST(WebSocket, FramesOfEveryLengthClassRoundTripThroughTheServerParser) {
  for (const std::size_t size : {0u, 1u, 125u, 126u, 65535u, 65536u, 200000u}) {
    const std::string payload(size, 'x');
    std::string wire;
    append_ws_text(wire, payload);
    ASSERT_EQ(static_cast<unsigned char>(wire[1]) & 0x80, 0x80) << "client frames are masked";
    // What a server sees, unmasked with the all-zero key: rewrite it as a server frame.
    std::string server = wire;
    server[1] = static_cast<char>(static_cast<unsigned char>(server[1]) & 0x7f);
    const std::size_t header = size < 126 ? 2 : size <= 0xffff ? 4 : 10;
    server.erase(header, 4);  // no masking key in server frames
    std::string error;
    for (std::size_t cut = 0; cut < server.size();
         cut += std::max<std::size_t>(1, server.size() / 7)) {
      EXPECT_FALSE(parse_ws_frame(std::string_view(server).substr(0, cut), 1u << 20, error))
          << size << " cut " << cut;
    }
    const auto frame = parse_ws_frame(server, 1u << 20, error);
    ASSERT_TRUE(frame) << size << error;
    EXPECT_TRUE(frame->fin);
    EXPECT_EQ(frame->opcode, 1);
    EXPECT_EQ(frame->payload, payload);
    EXPECT_EQ(frame->size, server.size());
  }
}

TEST(WebSocket, RefusesMaskedAndOversizedServerFrames) {
  std::string error;
  const std::string masked = "\x81\x81\0\0\0\0x";
  EXPECT_FALSE(parse_ws_frame(std::string_view(masked.data(), 7), 100, error));
  EXPECT_FALSE(error.empty());
  error.clear();
  const std::string big = "\x81\x7e\xff\xff";
  EXPECT_FALSE(parse_ws_frame(big, 1000, error));
  EXPECT_NE(error.find("65535"), std::string::npos);
}

TEST(Stomp, SplitsFramesHeartbeatsAndBodiesWithContentLength) {
  std::string in = "\n\r\nMESSAGE\ndestination:/x\ncontent-length:5\n\na\0b\0c\0"s;
  in += "\nRECEIPT\nreceipt-id:sub\n\n";
  in.push_back('\0');
  in += "ERROR\nmessage:rate limit\n\nbody";
  in.push_back('\0');
  std::vector<StompFrame> frames;
  std::vector<std::string> bodies;
  std::string error;
  ASSERT_TRUE(for_each_stomp_frame(
      in,
      [&](const StompFrame& f) {
        frames.push_back(f);
        bodies.emplace_back(f.body);
      },
      error))
      << error;
  ASSERT_EQ(frames.size(), 3u);
  EXPECT_EQ(frames[0].command, Command::Message);
  EXPECT_EQ(bodies[0], std::string("a\0b\0c", 5));
  EXPECT_EQ(frames[1].command, Command::Receipt);
  EXPECT_EQ(frames[1].receipt_id, "sub");
  EXPECT_EQ(frames[2].command, Command::Error);
  EXPECT_EQ(frames[2].message, "rate limit");
  EXPECT_EQ(bodies[2], "body");
}

TEST(Stomp, ReportsTruncatedFrames) {
  std::string error;
  auto ignore = [](const StompFrame&) {};
  EXPECT_FALSE(for_each_stomp_frame("MESSAGE\ncontent-length:10\n\nshort", ignore, error));
  EXPECT_FALSE(for_each_stomp_frame("MESSAGE\nno-end\n\nbody", ignore, error));
  EXPECT_FALSE(for_each_stomp_frame("MESSAGE", ignore, error));
}

TEST(Stomp, BuildsFramesWithContentLength) {
  const std::string frame = stomp_frame("SEND", {{"destination", "/chat/room.a"}}, "{}");
  EXPECT_EQ(frame, std::string("SEND\ndestination:/chat/room.a\ncontent-length:2\n\n{}") + '\0');
}

TEST(SockJs, JsonStringsEscapeWhatJsonRequires) {
  std::string out;
  append_json_string(out, std::string("SEND\n\"q\"\\\x01", 10) + '\0');
  EXPECT_EQ(out, R"("SEND\n\"q\"\\\u0001\u0000")");
  std::vector<std::string> decoded;
  ASSERT_TRUE(decode_sockjs_array("[" + out + "]", decoded));
  ASSERT_EQ(decoded.size(), 1u);
  EXPECT_EQ(decoded[0], std::string("SEND\n\"q\"\\\x01", 10) + '\0');
}

TEST(SockJs, ChunkedDecoderAcceptsAnySplit) {
  const std::string body = "hhhh\no\na[\"x\"]\n";
  const std::string wire = "5\r\nhhhh\n\r\n2\r\no\n\r\n7;ext=1\r\na[\"x\"]\n\r\n0\r\n\r\n";
  for (std::size_t step = 1; step <= wire.size(); ++step) {
    ChunkedDecoder decoder;
    std::string out;
    for (std::size_t at = 0; at < wire.size(); at += step)
      ASSERT_TRUE(decoder.feed(std::string_view(wire).substr(at, step), out));
    EXPECT_EQ(out, body) << step;
    EXPECT_TRUE(decoder.done());
  }
  ChunkedDecoder bad;
  std::string out;
  EXPECT_FALSE(bad.feed("zz\r\n", out));
}

TEST(SockJs, StreamLinesGiveOpenMessagesAndClose) {
  std::string buffer = std::string(2048, 'h') + "\no\nh\na[\"one\",\"two\"]\na[\"thr";
  int opens = 0;
  std::vector<std::string> messages;
  std::string reason;
  ASSERT_TRUE(for_each_sockjs_message(
      buffer, [&] { ++opens; }, [&](std::string_view m) { messages.emplace_back(m); }, reason));
  EXPECT_EQ(opens, 1);
  EXPECT_EQ(messages, (std::vector<std::string>{"one", "two"}));
  EXPECT_EQ(buffer, "a[\"thr");  // the incomplete line waits for more
  buffer += "ee\"]\nc[3000,\"Go away!\"]\n";
  EXPECT_FALSE(for_each_sockjs_message(
      buffer, [&] { ++opens; }, [&](std::string_view m) { messages.emplace_back(m); }, reason));
  EXPECT_EQ(messages.back(), "three");
  EXPECT_EQ(reason, "c[3000,\"Go away!\"]");
}

}  // namespace
}  // namespace loadgen
