// libFuzzer target for access-control input (issue 6): room tokens as clients send them
// (Verifier::verify, against an HS256 key and a JWK Set), JWK Sets and room-password files as
// operators write them, and strict base64url. Invariants:
//   - nothing crashes, leaks or throws out of verify();
//   - a token the server signed itself over fuzzed claims verifies to a grant only when the
//     claims are valid: room '*' or a room key, sub of 1-128 bytes;
//   - base64url decoding is strict: encode(decode(s)) == s whenever decode(s) succeeds, and
//     decode(encode(b)) == b.
// The first byte picks the path; the rest is the input.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>

#include "app/access_config.hpp"
#include "auth/jwt.hpp"
#include "rooms/registry.hpp"

namespace {

using parley::auth::Grant;
using parley::auth::Verifier;

constexpr std::string_view kSecret = "fuzz-secret-0123456789abcdefghijkl";

[[noreturn]] void violated(const char* rule, std::string_view detail) {
  std::fprintf(stderr, "access rule violated: %s: %.*s\n", rule, static_cast<int>(detail.size()),
               detail.data());
  std::abort();
}

const Verifier& hs256() {
  static const Verifier verifier = Verifier::hs256(std::string(kSecret));
  return verifier;
}

const Verifier& jwks() {
  // Two oct keys: "a" (the kSecret bytes) and "b".
  static const Verifier verifier = Verifier::jwks(
      R"({"keys":[{"kty":"oct","kid":"a","k":"ZnV6ei1zZWNyZXQtMDEyMzQ1Njc4OWFiY2RlZmdoaWprbA"},)"
      R"({"kty":"oct","kid":"b","k":"YW5vdGhlci1zZWNyZXQtb2YtdGhpcnR5LXR3by1ieXRlcyEh"}]})");
  return verifier;
}

void check_grant(const Verifier::Result& result, std::string_view input) {
  const auto* grant = std::get_if<Grant>(&result);
  if (grant == nullptr) return;
  if (grant->room != "*" && !parley::rooms::Registry::valid_key(grant->room)) {
    violated("granted a room that is not a room key", input);
  }
  if (grant->identity.empty() || grant->identity.size() > 128) {
    violated("granted an identity outside 1-128 bytes", input);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  const auto now = std::chrono::sys_seconds{std::chrono::seconds{1'800'000'000}};
  switch (data[0] % 6) {
    case 0:  // a client's token, HS256 key
      check_grant(hs256().verify(input, now), input);
      break;
    case 1:  // a client's token, JWK Set
      check_grant(jwks().verify(input, now), input);
      break;
    case 2:  // claims signed with the right key: only the claims decide
      check_grant(hs256().verify(parley::auth::sign_hs256(kSecret, input), now), input);
      break;
    case 3:  // an operator's JWK Set
      try {
        (void)Verifier::jwks(input);
      } catch (const std::invalid_argument&) {
      }
      break;
    case 4:  // an operator's room-password file
      try {
        for (const auto& [key, password] : parley::app::parse_room_passwords(input)) {
          if (!parley::rooms::Registry::valid_key(key) || password.empty() ||
              password.size() > 128) {
            violated("accepted a bad room password entry", input);
          }
        }
      } catch (const std::invalid_argument&) {
      }
      break;
    default: {  // strict base64url
      if (const auto bytes = parley::auth::base64url_decode(input)) {
        if (parley::auth::base64url_encode(*bytes) != input) {
          violated("base64url decode is not strict", input);
        }
      }
      const auto round = parley::auth::base64url_decode(parley::auth::base64url_encode(input));
      if (!round || *round != input) violated("base64url does not round-trip", input);
      break;
    }
  }
  return 0;
}
