#include "broker/destination.hpp"

namespace parley::broker {

namespace {

constexpr std::size_t kMaxQuoted = 256;

bool strip_prefix(std::string_view& text, std::string_view prefix) {
  if (!text.starts_with(prefix)) return false;
  text.remove_prefix(prefix.size());
  return true;
}

Destination named(Destination::Kind kind, std::string_view name) {
  if (name.empty() || name.size() > kMaxDestinationName) {
    return {Destination::Kind::bad_name, name};
  }
  return {kind, name};
}

}  // namespace

Destination parse_destination(std::string_view text) {
  using Kind = Destination::Kind;
  if (text.empty()) return {Kind::missing, {}};
  std::string_view rest = text;
  if (strip_prefix(rest, kTopicPrefix)) return named(Kind::topic, rest);
  if (strip_prefix(rest, kQueuePrefix)) return named(Kind::queue, rest);
  // Room keys are validated by rooms::Registry, which owns that rule and its wording.
  if (strip_prefix(rest, kRoomExchangePrefix)) return {Kind::room_exchange, rest};
  if (strip_prefix(rest, kRoomChatPrefix)) return {Kind::room_chat, rest};
  return {Kind::unknown, {}};
}

std::string room_destination(std::string_view key) {
  std::string out;
  out.reserve(kRoomExchangePrefix.size() + key.size());
  out += kRoomExchangePrefix;
  out += key;
  return out;
}

std::string clipped(std::string_view text) {
  if (text.size() <= kMaxQuoted) return std::string(text);
  std::size_t cut = kMaxQuoted;
  // Never split a UTF-8 sequence: ERROR headers must stay valid UTF-8.
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  std::string out(text.substr(0, cut));
  out += "...";
  return out;
}

std::string quoted(std::string_view text) {
  return "'" + clipped(text) + "'";
}

}  // namespace parley::broker
