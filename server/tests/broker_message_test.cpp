#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "broker/message.hpp"

namespace parley::broker {
namespace {

using stomp::Version;

Message make(std::string content_type, std::vector<stomp::Header> headers, std::string body) {
  return Message("/topic/a", "7", std::move(content_type), std::move(headers), std::move(body));
}

TEST(BrokerMessage, MessageTailLayout) {
  const Message m = make("text/plain", {{"x-a", "1"}, {"x-b", "2"}}, "hello");
  EXPECT_EQ(m.tail(Version::v1_2),
            std::string("destination:/topic/a\nmessage-id:7\ncontent-type:text/plain\n"
                        "content-length:5\nx-a:1\nx-b:2\n\nhello") +
                '\0');
}

TEST(BrokerMessage, TailUtf8IsCheckedOncePerVersion) {
  // The writer sends a valid tail as a WebSocket text message without scanning it again.
  EXPECT_TRUE(make("text/plain", {}, "안녕 hello").tail_is_utf8(Version::v1_2));
  EXPECT_TRUE(make("", {}, std::string("a\0b", 3)).tail_is_utf8(Version::v1_1));
  const Message binary = make("application/octet-stream", {}, std::string("\xff\xfe\x80", 3));
  EXPECT_FALSE(binary.tail_is_utf8(Version::v1_2));
  EXPECT_FALSE(binary.tail_is_utf8(Version::v1_0));
  EXPECT_FALSE(make("", {{"x-h", "\xc3"}}, "ok").tail_is_utf8(Version::v1_2));  // a header, too
}

TEST(BrokerMessage, MessageTailHasNoCommand) {
  // The session writes "MESSAGE\nsubscription:..\n" itself: the tail starts with a header.
  const Message m = make("", {}, "x");
  EXPECT_EQ(m.tail(Version::v1_2).rfind("destination:", 0), 0u);
}

TEST(BrokerMessage, MessageTailOmitsEmptyContentType) {
  const Message m = make("", {}, "");
  EXPECT_EQ(m.tail(Version::v1_1),
            std::string("destination:/topic/a\nmessage-id:7\ncontent-length:0\n\n") + '\0');
}

TEST(BrokerMessage, MessageTailContentLengthCountsBytes) {
  // Korean text is 3 bytes per syllable in UTF-8, and NUL inside the body counts too.
  const std::string body = std::string("안녕") + '\0' + "x";
  const Message m = make("text/plain;charset=utf-8", {}, body);
  const std::string& tail = m.tail(Version::v1_2);
  EXPECT_NE(tail.find("content-length:8\n"), std::string::npos);
  EXPECT_EQ(tail.substr(tail.size() - body.size() - 1), body + '\0');
}

TEST(BrokerMessage, MessageTailPerVersionEscaping) {
  const Message m("/topic/a:b", "1", "", {{"x:k", "a\\b\nc:d\re"}}, "");
  EXPECT_EQ(m.tail(Version::v1_2),
            std::string("destination:/topic/a\\cb\nmessage-id:1\ncontent-length:0\n"
                        "x\\ck:a\\\\b\\nc\\cd\\re\n\n") +
                '\0');
  // 1.1 has no \r escape: CR goes out raw.
  EXPECT_EQ(m.tail(Version::v1_1),
            std::string("destination:/topic/a\\cb\nmessage-id:1\ncontent-length:0\n"
                        "x\\ck:a\\\\b\\nc\\cd\re\n\n") +
                '\0');
  // 1.0 has no escaping at all: line breaks would inject headers, so they become spaces, and
  // a header whose name holds ':' cannot be expressed and is left out.
  EXPECT_EQ(m.tail(Version::v1_0),
            std::string("destination:/topic/a:b\nmessage-id:1\ncontent-length:0\n\n") + '\0');
}

TEST(BrokerMessage, MessageTailOneZeroLineBreaksCannotInjectHeaders) {
  const Message m = make("", {{"x-a", "1\nsubscription:evil"}}, "");
  EXPECT_EQ(m.tail(Version::v1_0),
            std::string("destination:/topic/a\nmessage-id:7\ncontent-length:0\n"
                        "x-a:1 subscription:evil\n\n") +
                '\0');
}

TEST(BrokerMessage, MessageTailBuiltOncePerVersion) {
  const Message m = make("", {{"x", "y"}}, "body");
  const std::string* first = &m.tail(Version::v1_2);
  EXPECT_EQ(first, &m.tail(Version::v1_2));
  EXPECT_NE(first, &m.tail(Version::v1_1));
}

TEST(BrokerMessage, MessageTailConcurrentFirstUseIsSafe) {
  const Message m = make("", {{"x", "a:b"}}, std::string(4096, 'z'));
  std::vector<const std::string*> seen(8);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < seen.size(); ++i) {
    threads.emplace_back([&, i] { seen[i] = &m.tail(static_cast<Version>(i % 3)); });
  }
  for (auto& t : threads) t.join();
  for (std::size_t i = 0; i < seen.size(); ++i) {
    EXPECT_EQ(seen[i], &m.tail(static_cast<Version>(i % 3)));
  }
}

}  // namespace
}  // namespace parley::broker
