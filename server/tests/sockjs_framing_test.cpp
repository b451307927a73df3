// SockJS 0.3.3 framing and payload decoding, checked against what sockjs-node sends and
// what the sockjs-protocol test suite expects.
#include "sockjs/framing.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace parley::sockjs {
namespace {

std::string utf8(char32_t cp) {
  std::string out;
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
  return out;
}

std::vector<std::string> messages(std::initializer_list<const char*> list) {
  return {list.begin(), list.end()};
}

// ---- frames the server sends ----

TEST(SockjsFraming, OpenFrameIsTheLetterO) {
  EXPECT_EQ(open_frame(), "o");
}

TEST(SockjsFraming, HeartbeatFrameIsTheLetterH) {
  EXPECT_EQ(heartbeat_frame(), "h");
}

TEST(SockjsFraming, CloseFrameIsCodeAndQuotedReason) {
  EXPECT_EQ(close_frame(3000, "Go away!"), R"(c[3000,"Go away!"])");
  EXPECT_EQ(close_frame(2010, "Another connection still open"),
            R"(c[2010,"Another connection still open"])");
  EXPECT_EQ(close_frame(1002, "say \"hi\""), R"(c[1002,"say \"hi\""])");
}

TEST(SockjsFraming, MessageFrameIsAJsonArrayOfStrings) {
  const auto batch = messages({"a", "b c"});
  EXPECT_EQ(message_frame(batch), R"(a["a","b c"])");
}

TEST(SockjsFraming, MessageFrameOfOneMessage) {
  const auto batch = messages({"x"});
  EXPECT_EQ(message_frame(batch), R"(a["x"])");
}

TEST(SockjsFraming, MessageFrameKeepsStompNullAndNewlinesEscaped) {
  constexpr char kFrame[] = "SEND\ndestination:/a\n\nhi\0";
  const std::vector<std::string> batch{std::string(kFrame, sizeof kFrame - 1)};
  EXPECT_EQ(message_frame(batch), R"(a["SEND\ndestination:/a\n\nhi\u0000"])");
}

// ---- the SockJS JSON string escaping ----

TEST(SockjsEscaping, StandardJsonEscapesUseShortForms) {
  EXPECT_EQ(quote("\"\\\b\f\n\r\t"), R"("\"\\\b\f\n\r\t")");
}

TEST(SockjsEscaping, OtherControlCharactersUseLowercaseUnicodeEscapes) {
  EXPECT_EQ(quote(std::string("\0\x01\x1f", 3)), R"("\u0000\u0001\u001f")");
}

TEST(SockjsEscaping, SlashAndPrintableAsciiStayAsIs) {
  EXPECT_EQ(quote("/topic/room.1 <b>&'"), R"("/topic/room.1 <b>&'")");
}

TEST(SockjsEscaping, LineAndParagraphSeparatorsAreEscaped) {
  EXPECT_EQ(quote(utf8(0x2028) + utf8(0x2029)), R"("\u2028\u2029")");
}

TEST(SockjsEscaping, SoftHyphenIsEscaped) {
  EXPECT_EQ(quote(utf8(0xAD)), R"("\u00ad")");
}

TEST(SockjsEscaping, DeleteAndC1ControlsAreEscaped) {
  EXPECT_EQ(quote(utf8(0x7F) + utf8(0x85) + utf8(0x9F)), R"("\u007f\u0085\u009f")");
}

TEST(SockjsEscaping, ZeroWidthAndBidiMarksAreEscaped) {
  EXPECT_EQ(quote(utf8(0x200C) + utf8(0x200F) + utf8(0x202E) + utf8(0x2060) + utf8(0x206F)),
            R"("\u200c\u200f\u202e\u2060\u206f")");
}

TEST(SockjsEscaping, ByteOrderMarkAndSpecialsAreEscaped) {
  EXPECT_EQ(quote(utf8(0xFEFF) + utf8(0xFFF0) + utf8(0xFFFD) + utf8(0xFFFF)),
            R"("\ufeff\ufff0\ufffd\uffff")");
}

TEST(SockjsEscaping, ArabicAndSyriacFormatCharactersAreEscaped) {
  EXPECT_EQ(quote(utf8(0x600) + utf8(0x604) + utf8(0x70F) + utf8(0x17B4) + utf8(0x17B5)),
            R"("\u0600\u0604\u070f\u17b4\u17b5")");
}

TEST(SockjsEscaping, NeighboursOfEscapedRangesStayAsIs) {
  for (const char32_t cp : {0xA0, 0xAC, 0xAE, 0x5FF, 0x605, 0x70E, 0x710, 0x17B3, 0x17B6, 0x200B,
                            0x2010, 0x2027, 0x2030, 0x205F, 0x2070, 0xFEFE, 0xFF00, 0xFFEF}) {
    EXPECT_EQ(quote(utf8(cp)), "\"" + utf8(cp) + "\"") << std::hex << static_cast<int>(cp);
  }
}

TEST(SockjsEscaping, KoreanTextIsNotEscaped) {
  EXPECT_EQ(quote("안녕하세요"), "\"안녕하세요\"");
}

TEST(SockjsEscaping, CodePointsAboveBmpBecomeEscapedSurrogatePairs) {
  EXPECT_EQ(quote(utf8(0x1F600)), R"("\ud83d\ude00")");
  EXPECT_EQ(quote(utf8(0x10000)), R"("\ud800\udc00")");
  EXPECT_EQ(quote(utf8(0x10FFFF)), R"("\udbff\udfff")");
}

TEST(SockjsEscaping, InvalidUtf8BecomesReplacementCharacter) {
  EXPECT_EQ(quote("a\xff"
                  "b"),
            R"("a\ufffdb")");
  EXPECT_EQ(quote("\xc0\xaf"), R"("\ufffd\ufffd")");  // overlong '/'
  EXPECT_EQ(quote("\xe2\x82"), R"("\ufffd")");        // truncated: one replacement
  EXPECT_EQ(quote("\xe2\x82x"), R"("\ufffdx")");
  EXPECT_EQ(quote("\xf4\x90\x80\x80"), R"("\ufffd\ufffd\ufffd\ufffd")");  // above U+10FFFF
}

TEST(SockjsEscaping, Utf8EncodedSurrogatesAreInvalid) {
  EXPECT_EQ(quote("\xed\xa0\x80"), R"("\ufffd\ufffd\ufffd")");
}

// sockjs-protocol's JSONEncoding.test_xhr_server_encodes: every BMP code point the server
// list names comes back escaped, and the server escapes nothing outside our documented set.
TEST(SockjsEscaping, EscapesExactlyTheDocumentedBmpSet) {
  const auto server_list = [](char32_t c) {
    return c < 0x20 || (c >= 0x200C && c <= 0x200F) || (c >= 0x2028 && c <= 0x202F) ||
           (c >= 0x2060 && c <= 0x206F) || c >= 0xFFF0;
  };
  const auto extra_list = [](char32_t c) {
    return (c >= 0x7F && c <= 0x9F) || c == 0xAD || (c >= 0x600 && c <= 0x604) || c == 0x70F ||
           c == 0x17B4 || c == 0x17B5 || c == 0xFEFF;
  };
  for (char32_t cp = 0x20; cp <= 0xFFFF; ++cp) {
    if (cp >= 0xD800 && cp <= 0xDFFF) continue;  // not encodable in UTF-8
    if (cp == '"' || cp == '\\') continue;
    const std::string quoted = quote(utf8(cp));
    const bool escaped = quoted.starts_with("\"\\u");
    ASSERT_EQ(escaped, server_list(cp) || extra_list(cp)) << std::hex << static_cast<int>(cp);
  }
}

// ---- payloads the server receives ----

TEST(SockjsPayload, ArrayOfStringsDecodes) {
  const Payload p = decode_messages(R"(["a", "b"])");
  EXPECT_EQ(p.status, PayloadStatus::ok);
  EXPECT_EQ(p.messages, messages({"a", "b"}));
}

TEST(SockjsPayload, WhitespaceAroundTokensIsAllowed) {
  const Payload p = decode_messages(" \r\n[ \"a\" ,\t\"b\" ] \n");
  EXPECT_EQ(p.status, PayloadStatus::ok);
  EXPECT_EQ(p.messages, messages({"a", "b"}));
}

TEST(SockjsPayload, EmptyArrayIsValidWithNoMessages) {
  const Payload p = decode_messages("[]");
  EXPECT_EQ(p.status, PayloadStatus::ok);
  EXPECT_TRUE(p.messages.empty());
}

TEST(SockjsPayload, EmptyBodyIsPayloadExpected) {
  EXPECT_EQ(decode_messages("").status, PayloadStatus::empty);
  EXPECT_EQ(decode_messages(" \n").status, PayloadStatus::empty);
  EXPECT_EQ(payload_error_text(PayloadStatus::empty), "Payload expected.");
}

TEST(SockjsPayload, ValidJsonThatIsNotAnArrayIsPayloadExpected) {
  EXPECT_EQ(decode_messages(R"("a")").status, PayloadStatus::empty);
  EXPECT_EQ(decode_messages("{}").status, PayloadStatus::empty);
  EXPECT_EQ(decode_messages("null").status, PayloadStatus::empty);
  EXPECT_EQ(decode_messages("1").status, PayloadStatus::empty);
}

TEST(SockjsPayload, BrokenJsonIsBrokenJsonEncoding) {
  for (const char* body : {R"(["x)", "[", R"(["a",])", R"(["a" "b"])", R"(["a"]])", R"(["a"] x)",
                           "x", R"(["\q"])", R"(["\u12"])", "[,]"}) {
    EXPECT_EQ(decode_messages(body).status, PayloadStatus::broken) << body;
  }
  EXPECT_EQ(payload_error_text(PayloadStatus::broken), "Broken JSON encoding.");
}

TEST(SockjsPayload, NonStringElementsAreBrokenJsonEncoding) {
  for (const char* body :
       {"[1]", R"(["a",1])", "[null]", R"([["a"]])", R"([{"a":"b"}])", "[true]"}) {
    EXPECT_EQ(decode_messages(body).status, PayloadStatus::broken) << body;
  }
}

TEST(SockjsPayload, RawControlCharacterInStringIsBroken) {
  EXPECT_EQ(decode_messages("[\"a\nb\"]").status, PayloadStatus::broken);
}

TEST(SockjsPayload, EscapesDecode) {
  const Payload p = decode_messages(R"(["\"\\\/\b\f\n\r\t", "\u0041\u00e9\uAC00"])");
  ASSERT_EQ(p.status, PayloadStatus::ok);
  EXPECT_EQ(p.messages, messages({"\"\\/\b\f\n\r\t", "Aé가"}));
}

TEST(SockjsPayload, EscapedNullByteDecodes) {
  const Payload p = decode_messages(R"(["a\u0000"])");
  ASSERT_EQ(p.status, PayloadStatus::ok);
  EXPECT_EQ(p.messages.at(0), std::string("a\0", 2));
}

TEST(SockjsPayload, EscapedSurrogatePairDecodesToOneCodePoint) {
  const Payload p = decode_messages(R"(["\ud83d\ude00"])");
  ASSERT_EQ(p.status, PayloadStatus::ok);
  EXPECT_EQ(p.messages.at(0), utf8(0x1F600));
}

TEST(SockjsPayload, LoneSurrogateEscapesDecodeToReplacementCharacter) {
  const Payload p = decode_messages(R"(["\ud800", "\udc00x", "\ud800\u0041"])");
  ASSERT_EQ(p.status, PayloadStatus::ok);
  EXPECT_EQ(p.messages,
            (std::vector<std::string>{utf8(0xFFFD), utf8(0xFFFD) + "x", utf8(0xFFFD) + "A"}));
}

TEST(SockjsPayload, RawUtf8PassesThroughAndInvalidBytesAreReplaced) {
  const Payload p = decode_messages("[\"안녕\", \"a\xff\"]");
  ASSERT_EQ(p.status, PayloadStatus::ok);
  EXPECT_EQ(p.messages, (std::vector<std::string>{"안녕", "a" + utf8(0xFFFD)}));
}

// sockjs-protocol's JSONEncoding.test_xhr_server_decodes: whatever the client escapes
// comes back as the same text.
TEST(SockjsPayload, EveryEscapedBmpCharacterRoundTrips) {
  std::string text;
  for (char32_t cp = 1; cp <= 0xFFFF; ++cp) {
    if (cp >= 0xD800 && cp <= 0xDFFF) continue;
    text += utf8(cp);
  }
  const std::string body = "[" + quote(text) + "]";
  const Payload p = decode_messages(body);
  ASSERT_EQ(p.status, PayloadStatus::ok);
  ASSERT_EQ(p.messages.size(), 1u);
  EXPECT_EQ(p.messages[0], text);
}

TEST(SockjsPayload, ParseMessagesIsNulloptUnlessOk) {
  EXPECT_EQ(parse_messages(R"(["a"])"), std::optional(messages({"a"})));
  EXPECT_EQ(parse_messages(""), std::nullopt);
  EXPECT_EQ(parse_messages("[\"a"), std::nullopt);
}

TEST(SockjsPayload, WebsocketMessageMayBeAnArray) {
  const Payload p = decode_websocket_message(R"(["a","b"])");
  EXPECT_EQ(p.status, PayloadStatus::ok);
  EXPECT_EQ(p.messages, messages({"a", "b"}));
}

TEST(SockjsPayload, WebsocketMessageMayBeOneString) {
  const Payload p = decode_websocket_message(R"("a")");
  EXPECT_EQ(p.status, PayloadStatus::ok);
  EXPECT_EQ(p.messages, messages({"a"}));
}

TEST(SockjsPayload, EmptyWebsocketMessageIsIgnored) {
  EXPECT_EQ(decode_websocket_message("").status, PayloadStatus::empty);
}

TEST(SockjsPayload, BrokenWebsocketMessageIsBroken) {
  for (const char* m : {R"(["a)", R"("a)", "1", "{}", R"("a" x)", "x"}) {
    EXPECT_EQ(decode_websocket_message(m).status, PayloadStatus::broken) << m;
  }
}

// ---- jsonp_send bodies ----

TEST(SockjsJsonpPayload, FormPostCarriesUrlEncodedFieldD) {
  EXPECT_EQ(jsonp_payload("application/x-www-form-urlencoded", "d=%5B%22x%22%5D"),
            std::optional<std::string>(R"(["x"])"));
}

TEST(SockjsJsonpPayload, FormFieldDMayFollowOtherFields) {
  EXPECT_EQ(jsonp_payload("application/x-www-form-urlencoded", "a=1&d=%5B%22b%22%5D&z=2"),
            std::optional<std::string>(R"(["b"])"));
}

TEST(SockjsJsonpPayload, FormPlusIsASpace) {
  EXPECT_EQ(jsonp_payload("application/x-www-form-urlencoded", "d=%5B%22a+b%2B%22%5D"),
            std::optional<std::string>(R"(["a b+"])"));
}

TEST(SockjsJsonpPayload, FormContentTypeIgnoresCaseAndParameters) {
  EXPECT_EQ(jsonp_payload("Application/X-WWW-Form-Urlencoded; charset=UTF-8", "d=%5B%5D"),
            std::optional<std::string>("[]"));
}

TEST(SockjsJsonpPayload, MalformedPercentEscapeIsKeptLiterally) {
  EXPECT_EQ(jsonp_payload("application/x-www-form-urlencoded", "d=%zz%4"),
            std::optional<std::string>("%zz%4"));
}

TEST(SockjsJsonpPayload, FormWithoutFieldDIsPayloadExpected) {
  for (const char* body : {"", "d=", "p=p", "d", "dd=1"}) {
    EXPECT_EQ(jsonp_payload("application/x-www-form-urlencoded", body), std::nullopt) << body;
  }
}

TEST(SockjsJsonpPayload, OtherContentTypesCarryTheBodyRaw) {
  EXPECT_EQ(jsonp_payload("text/plain", R"(["%61bc"])"),
            std::optional<std::string>(R"(["%61bc"])"));
  EXPECT_EQ(jsonp_payload("", R"(["a"])"), std::optional<std::string>(R"(["a"])"));
  EXPECT_EQ(jsonp_payload("text/plain", ""), std::nullopt);
}

// ---- callback names ----

TEST(SockjsCallback, IdentifierPathsAreValid) {
  EXPECT_TRUE(valid_callback("callback"));
  EXPECT_TRUE(valid_callback("_jp.a1b2c3"));
  EXPECT_TRUE(valid_callback("x"));
  EXPECT_TRUE(valid_callback(std::string(kMaxCallbackLength, 'a')));
}

TEST(SockjsCallback, EmptyOrTooLongIsInvalid) {
  EXPECT_FALSE(valid_callback(""));
  EXPECT_FALSE(valid_callback(std::string(kMaxCallbackLength + 1, 'a')));
}

TEST(SockjsCallback, AnythingButLettersDigitsUnderscoreAndDotIsInvalid) {
  for (const char* cb : {"a-b", "a b", "alert(1)", "a;b", "<script>", "a/b", "a\"b", "가"}) {
    EXPECT_FALSE(valid_callback(cb)) << cb;
  }
}

}  // namespace
}  // namespace parley::sockjs
