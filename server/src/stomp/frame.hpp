// A STOMP frame as data: command, ordered headers (duplicates kept), body bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace parley::stomp {

enum class Version : std::uint8_t { v1_0, v1_1, v1_2 };

enum class Command : std::uint8_t {
  connect,
  stomp,
  connected,
  send,
  subscribe,
  unsubscribe,
  ack,
  nack,
  begin,
  commit,
  abort,
  disconnect,
  message,
  receipt,
  error,
};

// "CONNECT", "SEND", ... as on the wire.
std::string_view to_string(Command command);
// Exact, case-sensitive match of a wire command name; nullopt when unknown.
std::optional<Command> command_from_string(std::string_view name);
// "1.0", "1.1", "1.2".
std::string_view to_string(Version version);

struct Header {
  std::string name;
  std::string value;

  bool operator==(const Header&) const = default;
};

struct Frame {
  Command command = Command::send;
  std::vector<Header> headers;  // wire order; repeated names kept, first one wins on lookup
  std::string body;             // raw bytes, may contain NUL

  // STOMP 1.2 "repeated header entries": only the first occurrence counts.
  std::optional<std::string_view> header(std::string_view name) const;
  std::string_view header_or(std::string_view name, std::string_view fallback) const;
  bool has(std::string_view name) const { return header(name).has_value(); }
  Frame& add(std::string name, std::string value);

  // Exact equality (command, header order, bytes); what codec round trips are checked with.
  bool operator==(const Frame&) const = default;
};

}  // namespace parley::stomp
