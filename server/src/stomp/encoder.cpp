#include "stomp/encoder.hpp"

#include <array>

namespace parley::stomp {
namespace {

// The spec exempts these so that version negotiation itself never depends on escaping rules.
bool never_escaped(Command command) {
  return command == Command::connect || command == Command::stomp || command == Command::connected;
}

// Two-byte escape sequence for `c` under `version`, or nullptr when `c` passes raw.
const char* escape_sequence(char c, Version version) {
  switch (c) {
    case '\\':
      return "\\\\";
    case '\n':
      return "\\n";
    case ':':
      return "\\c";
    case '\r':
      // 1.1 has no \r escape; a CR there goes out raw.
      return version == Version::v1_2 ? "\\r" : nullptr;
    default:
      return nullptr;
  }
}

}  // namespace

void append_escaped(std::string& out, std::string_view text, Version version) {
  if (version == Version::v1_0) {
    out.append(text);
    return;
  }
  // Copy unescaped runs in one go; most header text contains nothing to escape, and a
  // 256-entry table finds the next special byte without a branch per character.
  static constexpr auto kSpecial = [] {
    std::array<bool, 256> table{};
    for (const unsigned char c : {'\\', '\n', ':', '\r'}) table[c] = true;
    return table;
  }();
  std::size_t run_start = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (!kSpecial[static_cast<unsigned char>(text[i])]) continue;
    const char* sequence = escape_sequence(text[i], version);
    if (sequence == nullptr) continue;
    out.append(text.substr(run_start, i - run_start));
    out.append(sequence, 2);
    run_start = i + 1;
  }
  out.append(text.substr(run_start));
}

std::string escape(std::string_view text, Version version) {
  std::string out;
  out.reserve(text.size());
  append_escaped(out, text, version);
  return out;
}

void append_encoded(std::string& out, const Frame& frame, Version version) {
  const std::string_view command = to_string(frame.command);
  // Lower bound of the encoded size (escapes only add); one allocation in the common case.
  std::size_t size = command.size() + 1 + 1 + frame.body.size() + 1;
  for (const Header& h : frame.headers) size += h.name.size() + h.value.size() + 2;
  out.reserve(out.size() + size);

  const Version escaping = never_escaped(frame.command) ? Version::v1_0 : version;
  out.append(command);
  out.push_back('\n');
  for (const Header& h : frame.headers) {
    append_escaped(out, h.name, escaping);
    out.push_back(':');
    append_escaped(out, h.value, escaping);
    out.push_back('\n');
  }
  out.push_back('\n');
  out.append(frame.body);
  out.push_back('\0');
}

std::string encode(const Frame& frame, Version version) {
  std::string out;
  append_encoded(out, frame, version);
  return out;
}

}  // namespace parley::stomp
