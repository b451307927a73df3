// Destination names the broker routes (see broker.hpp and docs/PROTOCOL.md "Destinations").
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace parley::broker {

inline constexpr std::string_view kTopicPrefix = "/topic/";
inline constexpr std::string_view kQueuePrefix = "/queue/";
inline constexpr std::string_view kRoomExchangePrefix = "/exchange/chat.exchange/room.";
inline constexpr std::string_view kRoomChatPrefix = "/chat/room.";
// Topic and queue names are map keys held for the broker's lifetime: bound them.
inline constexpr std::size_t kMaxDestinationName = 200;

struct Destination {
  enum class Kind : std::uint8_t {
    missing,        // empty destination header
    unknown,        // no known prefix
    bad_name,       // /topic/ or /queue/ with an empty or over-long name
    topic,          // /topic/<name>
    queue,          // /queue/<name>
    room_exchange,  // /exchange/chat.exchange/room.<key>
    room_chat,      // /chat/room.<key>
  };
  Kind kind = Kind::missing;
  std::string_view name;  // topic/queue name or room key (a view into the parsed text)
};

Destination parse_destination(std::string_view text);

// The destination rooms deliver on: what the seed client subscribed to.
std::string room_destination(std::string_view key);

// `text` for an error message, cut short so a hostile destination cannot bloat ERROR frames.
std::string clipped(std::string_view text);
// clipped(text) in single quotes.
std::string quoted(std::string_view text);

}  // namespace parley::broker
