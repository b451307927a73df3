#include "broker/message.hpp"

#include <algorithm>
#include <cstddef>
#include <string_view>
#include <utility>

#include "net/utf8.hpp"
#include "stomp/encoder.hpp"

namespace parley::broker {

namespace {

// STOMP 1.0 has no escaping, yet SEND headers may come from a 1.1/1.2 session whose escapes
// decoded to raw line breaks. Sent raw they would inject header lines into a 1.0 recipient's
// MESSAGE, so there they become spaces.
void append_value(std::string& out, std::string_view text, stomp::Version version) {
  if (version != stomp::Version::v1_0) {
    stomp::append_escaped(out, text, version);
    return;
  }
  const std::size_t start = out.size();
  out.append(text);
  std::replace_if(
      out.begin() + static_cast<std::ptrdiff_t>(start), out.end(),
      [](char c) { return c == '\n' || c == '\r'; }, ' ');
}

void append_header(std::string& out, std::string_view name, std::string_view value,
                   stomp::Version version) {
  append_value(out, name, version);
  out += ':';
  append_value(out, value, version);
  out += '\n';
}

// A 1.0 header name cannot hold ':' (the first one ends the name): such headers are left out
// rather than relayed under a different name.
bool representable(std::string_view name, stomp::Version version) {
  return version != stomp::Version::v1_0 || name.find(':') == std::string_view::npos;
}

}  // namespace

Message::Message(std::string destination, std::string message_id, std::string content_type,
                 std::vector<stomp::Header> headers, std::string body)
    : destination_(std::move(destination)),
      message_id_(std::move(message_id)),
      content_type_(std::move(content_type)),
      headers_(std::move(headers)),
      body_(std::move(body)) {}

const std::string& Message::tail(stomp::Version version) const {
  const auto index = static_cast<std::size_t>(version);
  // Built lazily: most messages only ever meet one version, and sessions of a version that
  // never sees this message should not pay for its encoding.
  if (built_[index].load(std::memory_order_acquire)) return tails_[index];
  const std::lock_guard lock(build_mutex_);
  if (!built_[index].load(std::memory_order_relaxed)) {
    std::string& out = tails_[index];
    std::size_t estimate =
        destination_.size() + message_id_.size() + content_type_.size() + body_.size() + 80;
    for (const auto& header : headers_) estimate += header.name.size() + header.value.size() + 2;
    out.reserve(estimate);
    append_header(out, "destination", destination_, version);
    append_header(out, "message-id", message_id_, version);
    if (!content_type_.empty()) append_header(out, "content-type", content_type_, version);
    // content-length always: bodies may contain NUL and receivers must not scan for it.
    out += "content-length:";
    out += std::to_string(body_.size());
    out += '\n';
    for (const auto& header : headers_) {
      if (representable(header.name, version)) {
        append_header(out, header.name, header.value, version);
      }
    }
    out += '\n';
    out += body_;
    out += '\0';
    tails_utf8_[index] = net::valid_utf8(out);
    built_[index].store(true, std::memory_order_release);
  }
  return tails_[index];
}

bool Message::tail_is_utf8(stomp::Version version) const {
  tail(version);
  return tails_utf8_[static_cast<std::size_t>(version)];
}

}  // namespace parley::broker
