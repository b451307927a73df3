#include "stomp/frame.hpp"

#include <array>
#include <cstddef>
#include <utility>

namespace parley::stomp {
namespace {

// Indexed by Command; keep in enum order.
constexpr std::array<std::string_view, 15> kCommandNames = {
    "CONNECT", "STOMP",  "CONNECTED", "SEND",       "SUBSCRIBE", "UNSUBSCRIBE", "ACK",   "NACK",
    "BEGIN",   "COMMIT", "ABORT",     "DISCONNECT", "MESSAGE",   "RECEIPT",     "ERROR",
};
static_assert(static_cast<std::size_t>(Command::error) + 1 == kCommandNames.size());

}  // namespace

std::string_view to_string(Command command) {
  const auto index = static_cast<std::size_t>(command);
  return index < kCommandNames.size() ? kCommandNames[index] : std::string_view{};
}

std::optional<Command> command_from_string(std::string_view name) {
  for (std::size_t i = 0; i < kCommandNames.size(); ++i) {
    if (kCommandNames[i] == name) return static_cast<Command>(i);
  }
  return std::nullopt;
}

std::string_view to_string(Version version) {
  switch (version) {
    case Version::v1_0:
      return "1.0";
    case Version::v1_1:
      return "1.1";
    case Version::v1_2:
      return "1.2";
  }
  return {};
}

std::optional<std::string_view> Frame::header(std::string_view name) const {
  for (const Header& h : headers) {
    if (h.name == name) return std::string_view(h.value);
  }
  return std::nullopt;
}

std::string_view Frame::header_or(std::string_view name, std::string_view fallback) const {
  return header(name).value_or(fallback);
}

Frame& Frame::add(std::string name, std::string value) {
  headers.push_back(Header{std::move(name), std::move(value)});
  return *this;
}

}  // namespace parley::stomp
