// An immutable message shared by every recipient: encoded once per STOMP version.
#pragma once

#include <array>
#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "stomp/frame.hpp"

namespace parley::broker {

class Message {
 public:
  // `headers` are the user headers to relay (never subscription/ack/message-id/destination/
  // content-length: those are set here or per recipient).
  Message(std::string destination, std::string message_id, std::string content_type,
          std::vector<stomp::Header> headers, std::string body);

  const std::string& destination() const { return destination_; }
  const std::string& message_id() const { return message_id_; }
  const std::string& body() const { return body_; }

  // Everything after the per-recipient part of a MESSAGE frame: "destination:..\n
  // message-id:..\ncontent-type:..\ncontent-length:N\n<user headers>\n\n<body>\0".
  // Built on first use for each version and cached; thread-safe.
  const std::string& tail(stomp::Version version) const;
  /// Whether tail(version) is valid UTF-8 (a WebSocket text message), checked once per
  /// message rather than once per recipient.
  bool tail_is_utf8(stomp::Version version) const;

 private:
  std::string destination_;
  std::string message_id_;
  std::string content_type_;
  std::vector<stomp::Header> headers_;
  std::string body_;
  // Not std::once_flag: glibc's pthread_once ends every first call with a FUTEX_WAKE system
  // call, one per relayed message. An acquire load on the fast path and an uncontended mutex
  // (no system call) on the first build do the same job.
  mutable std::array<std::atomic<bool>, 3> built_{};
  mutable std::mutex build_mutex_;
  mutable std::array<std::string, 3> tails_;
  mutable std::array<bool, 3> tails_utf8_{};
};

using MessagePtr = std::shared_ptr<const Message>;

}  // namespace parley::broker
