// Room access tokens: compact JWS (RFC 7515) with JWT claims (RFC 7519), HS256 or RS256.
// Pure and safe on hostile input: bytes and a clock reading in, a Grant or a reason out;
// no I/O, no exceptions from verify(). See issue 6, item 3.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace parley::auth {

// What a valid token lets its bearer do.
struct Grant {
  enum class Role { member, moderator };

  std::string room;      // a room key, or "*" for every room
  std::string identity;  // the "sub" claim
  Role role = Role::member;
  std::chrono::sys_seconds expires{};

  bool allows(std::string_view room_key) const;
};

// Limits a token must fit; also named in the rejection reasons.
inline constexpr std::size_t kMaxTokenSize = 8192;
inline constexpr std::chrono::seconds kClockSkew{30};

class Verifier {
 public:
  using Result = std::variant<Grant, std::string>;  // the grant, or why the token was refused

  // Both factories read operator configuration, not client input: they throw
  // std::invalid_argument naming the broken rule.
  // HS256 with one shared secret of at least 32 bytes (RFC 7518 section 3.2).
  static Verifier hs256(std::string secret);
  // A JWK Set (RFC 7517): "oct" keys (HS256) and "RSA" public keys (RS256, 2048+ bits).
  // Keys of other types or for other algorithms are skipped, as RFC 7517 section 5 asks;
  // at least one usable key must remain.
  static Verifier jwks(std::string_view json);

  // `now` is the caller's clock; exp and nbf are checked with kClockSkew leeway.
  Result verify(std::string_view token, std::chrono::sys_seconds now) const;

  struct KeySet;  // defined in jwt.cpp

 private:
  explicit Verifier(std::shared_ptr<const KeySet> keys) : keys_(std::move(keys)) {}
  std::shared_ptr<const KeySet> keys_;  // immutable, so copies share it across threads
};

// Tooling and tests: a token with header {"alg":"HS256","typ":"JWT"} over `payload_json`
// as given (not validated, so tests can sign malformed claims).
std::string sign_hs256(std::string_view secret, std::string_view payload_json);

// RFC 4648 section 5 without padding. decode is strict: alphabet only, no '=', no
// non-zero trailing bits (one text per byte string, so tokens cannot be re-encoded).
std::string base64url_encode(std::string_view bytes);
std::optional<std::string> base64url_decode(std::string_view text);

}  // namespace parley::auth
