#include "auth/jwt.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/param_build.h>

#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <boost/json/basic_parser_impl.hpp>  // basic_parser<Handler> is header-only
#include <cmath>
#include <set>
#include <stdexcept>
#include <vector>

namespace parley::auth {
namespace json = boost::json;

struct Verifier::KeySet {
  enum class Type { oct, rsa };
  struct Key {
    std::string kid;  // empty: the key has none
    Type type = Type::oct;
    std::string secret;                    // oct
    std::shared_ptr<EVP_PKEY> rsa_public;  // rsa
  };
  std::vector<Key> keys;
};

namespace {

using Key = Verifier::KeySet::Key;
using KeyType = Verifier::KeySet::Type;

constexpr std::size_t kMinHmacKeySize = 32;  // RFC 7518 3.2: at least the hash size
constexpr int kMinRsaBits = 2048;            // RFC 7518 3.3
constexpr int kMaxRsaBits = 8192;            // bounds the cost of one verification
constexpr std::size_t kMaxJsonDepth = 8;     // claims are flat; room for nested extras
constexpr std::size_t kMaxSubSize = 128;
constexpr std::size_t kMaxRoomKeySize = 64;
// 9999-12-31T23:59:59Z: far beyond any real expiry, far inside sys_seconds' range.
constexpr double kMaxTime = 253402300799.0;

// ---- base64url ----

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int sextet(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

// ---- JSON ----

// A SAX pass before the DOM parse: Boost.JSON 1.81 keeps one of two duplicate keys
// silently, and {"room":"a","room":"*"} must not mean whatever one parser picks.
class DuplicateKeyCheck {
 public:
  static constexpr std::size_t max_object_size = std::size_t(-1);
  static constexpr std::size_t max_array_size = std::size_t(-1);
  static constexpr std::size_t max_key_size = std::size_t(-1);
  static constexpr std::size_t max_string_size = std::size_t(-1);

  bool duplicate = false;

  bool on_document_begin(json::error_code&) { return true; }
  bool on_document_end(json::error_code&) { return true; }
  bool on_array_begin(json::error_code&) { return enter(); }
  bool on_array_end(std::size_t, json::error_code&) { return leave(); }
  bool on_object_begin(json::error_code&) { return enter(); }
  bool on_object_end(std::size_t, json::error_code&) { return leave(); }
  bool on_string_part(json::string_view, std::size_t, json::error_code&) { return true; }
  bool on_string(json::string_view, std::size_t, json::error_code&) { return true; }
  bool on_key_part(json::string_view s, std::size_t, json::error_code&) {
    if (depth_ == 1) key_.append(s.data(), s.size());
    return true;
  }
  bool on_key(json::string_view s, std::size_t, json::error_code& ec) {
    if (depth_ != 1) return true;
    key_.append(s.data(), s.size());
    if (!keys_.insert(std::move(key_)).second) {
      duplicate = true;
      ec = json::make_error_code(json::error::syntax);
      return false;
    }
    key_.clear();
    return true;
  }
  bool on_number_part(json::string_view, json::error_code&) { return true; }
  bool on_int64(std::int64_t, json::string_view, json::error_code&) { return true; }
  bool on_uint64(std::uint64_t, json::string_view, json::error_code&) { return true; }
  bool on_double(double, json::string_view, json::error_code&) { return true; }
  bool on_bool(bool, json::error_code&) { return true; }
  bool on_null(json::error_code&) { return true; }
  bool on_comment_part(json::string_view, json::error_code&) { return true; }
  bool on_comment(json::string_view, json::error_code&) { return true; }

 private:
  bool enter() {
    ++depth_;
    return true;
  }
  bool leave() {
    --depth_;
    return true;
  }
  std::size_t depth_ = 0;
  std::string key_;
  std::set<std::string, std::less<>> keys_;
};

// A JSON object with unique top-level keys, nested at most kMaxJsonDepth; else nullopt.
std::optional<json::object> parse_object(std::string_view text) {
  json::parse_options options;
  options.max_depth = kMaxJsonDepth;
  json::basic_parser<DuplicateKeyCheck> check(options);
  json::error_code ec;
  check.write_some(false, text.data(), text.size(), ec);
  if (ec) return std::nullopt;
  json::value value = json::parse(json::string_view(text.data(), text.size()), ec, {}, options);
  if (ec || !value.is_object()) return std::nullopt;
  return std::move(value.as_object());
}

// ---- crypto ----

std::string hmac_sha256(std::string_view key, std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int size = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac.data(),
           &size) == nullptr) {
    ERR_clear_error();
    return {};
  }
  return std::string(reinterpret_cast<const char*>(mac.data()), size);
}

bool hs256_valid(std::string_view secret, std::string_view signing_input,
                 std::string_view signature) {
  const std::string expected = hmac_sha256(secret, signing_input);
  // CRYPTO_memcmp: the time taken must not reveal how many leading bytes matched.
  return !expected.empty() && signature.size() == expected.size() &&
         CRYPTO_memcmp(expected.data(), signature.data(), expected.size()) == 0;
}

bool rs256_valid(EVP_PKEY* key, std::string_view signing_input, std::string_view signature) {
  if (signature.size() != static_cast<std::size_t>(EVP_PKEY_get_size(key))) return false;
  const std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(),
                                                                    &EVP_MD_CTX_free);
  const bool ok =
      ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) == 1 &&
      EVP_DigestVerify(
          ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
          reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size()) == 1;
  ERR_clear_error();  // a failed check leaves entries in this thread's error queue
  return ok;
}

using Bignum = std::unique_ptr<BIGNUM, decltype(&BN_free)>;

Bignum to_bignum(const std::string& big_endian) {
  return Bignum(BN_bin2bn(reinterpret_cast<const unsigned char*>(big_endian.data()),
                          static_cast<int>(big_endian.size()), nullptr),
                &BN_free);
}

// An RSA public key from its JWK members (big-endian unsigned integers); throws on misuse.
std::shared_ptr<EVP_PKEY> rsa_public_key(const std::string& n, const std::string& e) {
  const auto fail = [](const std::string& why) {
    ERR_clear_error();
    return std::invalid_argument("jwks: RSA key: " + why);
  };
  const Bignum n_bn = to_bignum(n);
  const Bignum e_bn = to_bignum(e);
  const std::unique_ptr<OSSL_PARAM_BLD, decltype(&OSSL_PARAM_BLD_free)> build(OSSL_PARAM_BLD_new(),
                                                                              &OSSL_PARAM_BLD_free);
  if (!n_bn || !e_bn || !build ||
      OSSL_PARAM_BLD_push_BN(build.get(), OSSL_PKEY_PARAM_RSA_N, n_bn.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(build.get(), OSSL_PKEY_PARAM_RSA_E, e_bn.get()) != 1) {
    throw fail("cannot build parameters");
  }
  const std::unique_ptr<OSSL_PARAM, decltype(&OSSL_PARAM_free)> params(
      OSSL_PARAM_BLD_to_param(build.get()), &OSSL_PARAM_free);
  const std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(
      EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr), &EVP_PKEY_CTX_free);
  EVP_PKEY* raw = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    throw fail("not a valid public key");
  }
  std::shared_ptr<EVP_PKEY> key(raw, &EVP_PKEY_free);
  const int bits = EVP_PKEY_get_bits(key.get());
  if (bits < kMinRsaBits || bits > kMaxRsaBits) {
    throw fail("modulus must be " + std::to_string(kMinRsaBits) + "-" +
               std::to_string(kMaxRsaBits) + " bits, is " + std::to_string(bits));
  }
  const std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> check(
      EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr), &EVP_PKEY_CTX_free);
  if (!check || EVP_PKEY_public_check(check.get()) != 1) throw fail("public key check failed");
  return key;
}

// ---- JWKS ----

std::string jwk_member(const json::object& jwk, std::string_view name, bool required) {
  const json::value* v = jwk.if_contains(name);
  if (v == nullptr) {
    if (required) throw std::invalid_argument("jwks: key lacks \"" + std::string(name) + "\"");
    return {};
  }
  if (!v->is_string()) {
    throw std::invalid_argument("jwks: \"" + std::string(name) + "\" must be a string");
  }
  return std::string(v->as_string());
}

std::string jwk_bytes(const json::object& jwk, std::string_view name) {
  auto bytes = base64url_decode(jwk_member(jwk, name, true));
  if (!bytes || bytes->empty()) {
    throw std::invalid_argument("jwks: \"" + std::string(name) +
                                "\" must be non-empty unpadded base64url");
  }
  return std::move(*bytes);
}

// The key, or nullopt for a key this verifier does not use (RFC 7517 section 5).
std::optional<Key> parse_jwk(const json::object& jwk) {
  const std::string kty = jwk_member(jwk, "kty", true);
  const std::string alg = jwk_member(jwk, "alg", false);
  const std::string use = jwk_member(jwk, "use", false);
  if (!use.empty() && use != "sig") return std::nullopt;
  Key key;
  key.kid = jwk_member(jwk, "kid", false);
  if (kty == "oct") {
    if (!alg.empty() && alg != "HS256") return std::nullopt;
    key.type = KeyType::oct;
    key.secret = jwk_bytes(jwk, "k");
    if (key.secret.size() < kMinHmacKeySize) {
      throw std::invalid_argument("jwks: oct key \"" + key.kid + "\" must be at least " +
                                  std::to_string(kMinHmacKeySize) + " bytes for HS256");
    }
    return key;
  }
  if (kty == "RSA") {
    if (!alg.empty() && alg != "RS256") return std::nullopt;
    key.type = KeyType::rsa;
    key.rsa_public = rsa_public_key(jwk_bytes(jwk, "n"), jwk_bytes(jwk, "e"));
    return key;
  }
  return std::nullopt;
}

// ---- claims ----

bool is_room_key(std::string_view s) {
  return !s.empty() && s.size() <= kMaxRoomKeySize && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
  });
}

bool has_control_chars(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f;
  });
}

// A NumericDate claim (RFC 7519 section 2): absent -> nullopt, bad -> error text.
using TimeClaim = std::variant<std::optional<std::chrono::sys_seconds>, std::string>;

TimeClaim time_claim(const json::object& claims, std::string_view name) {
  const json::value* v = claims.if_contains(name);
  if (v == nullptr) return std::optional<std::chrono::sys_seconds>{};
  const std::string quoted = "claim '" + std::string(name) + "'";
  double seconds = 0;
  if (v->is_int64()) {
    seconds = static_cast<double>(v->as_int64());
  } else if (v->is_uint64()) {
    seconds = static_cast<double>(v->as_uint64());
  } else if (v->is_double()) {
    seconds = v->as_double();
  } else {
    return quoted + " must be a number";
  }
  if (!std::isfinite(seconds) || seconds < 0 || seconds > kMaxTime) {
    return quoted + " out of range";
  }
  return std::optional{std::chrono::sys_seconds{
      std::chrono::seconds{static_cast<std::int64_t>(std::floor(seconds))}}};
}

Verifier::Result read_claims(const json::object& claims, std::chrono::sys_seconds now) {
  Grant grant;

  const json::value* room = claims.if_contains("room");
  if (room == nullptr) return std::string("missing claim 'room'");
  if (!room->is_string()) return std::string("claim 'room' must be a string");
  grant.room = std::string(room->as_string());
  if (grant.room != "*" && !is_room_key(grant.room)) {
    return std::string("claim 'room' must be '*' or a room key of 1-64 [A-Za-z0-9_-]");
  }

  const json::value* sub = claims.if_contains("sub");
  if (sub == nullptr) return std::string("missing claim 'sub'");
  if (!sub->is_string()) return std::string("claim 'sub' must be a string");
  grant.identity = std::string(sub->as_string());
  if (grant.identity.empty() || grant.identity.size() > kMaxSubSize ||
      has_control_chars(grant.identity)) {
    return std::string("claim 'sub' must be 1-128 bytes without control characters");
  }

  if (const json::value* role = claims.if_contains("role")) {
    if (!role->is_string()) return std::string("claim 'role' must be a string");
    if (role->as_string() == "moderator") {
      grant.role = Grant::Role::moderator;
    } else if (role->as_string() != "member") {
      return std::string("claim 'role' must be 'member' or 'moderator'");
    }
  }

  const TimeClaim exp = time_claim(claims, "exp");
  const TimeClaim nbf = time_claim(claims, "nbf");
  const TimeClaim iat = time_claim(claims, "iat");
  for (const TimeClaim* c : {&exp, &nbf, &iat}) {
    if (const auto* error = std::get_if<std::string>(c)) return *error;
  }
  const auto& expires = std::get<0>(exp);
  const auto& not_before = std::get<0>(nbf);
  if (!expires) return std::string("missing claim 'exp'");
  if (now >= *expires + kClockSkew) return std::string("token expired");
  if (not_before && now + kClockSkew < *not_before) return std::string("token not yet valid");
  grant.expires = *expires;
  return grant;
}

// The key for a token's "kid" header (or its absence); nullptr with `error` set if none.
const Key* select_key(const std::vector<Key>& keys, const json::value* kid, std::string& error) {
  if (kid == nullptr) {
    if (keys.size() == 1) return &keys.front();
    error = "missing kid";
    return nullptr;
  }
  if (!kid->is_string()) {
    error = "malformed token: header 'kid' must be a string";
    return nullptr;
  }
  const auto it = std::find_if(keys.begin(), keys.end(),
                               [&](const Key& k) { return k.kid == kid->as_string(); });
  if (it != keys.end()) return &*it;
  // A single key without a kid (a bare --jwt-secret) treats the header's kid as a hint.
  if (keys.size() == 1 && keys.front().kid.empty()) return &keys.front();
  error = "unknown kid";
  return nullptr;
}

}  // namespace

// ---- public API ----

std::string base64url_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() * 4 + 2) / 3);
  std::size_t i = 0;
  const auto byte = [&](std::size_t at) { return static_cast<unsigned char>(bytes[at]); };
  for (; i + 3 <= bytes.size(); i += 3) {
    const std::uint32_t v = (byte(i) << 16) | (byte(i + 1) << 8) | byte(i + 2);
    for (int shift : {18, 12, 6, 0}) out += kAlphabet[(v >> shift) & 63];
  }
  const std::size_t rest = bytes.size() - i;
  if (rest == 1) {
    const std::uint32_t v = byte(i) << 16;
    for (int shift : {18, 12}) out += kAlphabet[(v >> shift) & 63];
  } else if (rest == 2) {
    const std::uint32_t v = (byte(i) << 16) | (byte(i + 1) << 8);
    for (int shift : {18, 12, 6}) out += kAlphabet[(v >> shift) & 63];
  }
  return out;
}

std::optional<std::string> base64url_decode(std::string_view text) {
  if (text.size() % 4 == 1) return std::nullopt;
  std::string out;
  out.reserve(text.size() * 3 / 4);
  std::uint32_t acc = 0;
  int bits = 0;
  for (const char c : text) {
    const int v = sextet(c);
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  // Leftover bits must be zero, or two texts would decode to the same bytes.
  if ((acc & ((1u << bits) - 1)) != 0) return std::nullopt;
  return out;
}

bool Grant::allows(std::string_view room_key) const {
  return room == "*" || room == room_key;
}

Verifier Verifier::hs256(std::string secret) {
  if (secret.size() < kMinHmacKeySize) {
    throw std::invalid_argument("jwt secret must be at least " + std::to_string(kMinHmacKeySize) +
                                " bytes for HS256");
  }
  auto keys = std::make_shared<KeySet>();
  keys->keys.push_back(Key{{}, KeyType::oct, std::move(secret), nullptr});
  return Verifier(std::move(keys));
}

Verifier Verifier::jwks(std::string_view text) {
  const auto doc = parse_object(text);
  if (!doc) throw std::invalid_argument("jwks: not a JSON object (or duplicate member)");
  const json::value* list = doc->if_contains("keys");
  if (list == nullptr || !list->is_array()) {
    throw std::invalid_argument("jwks: \"keys\" must be an array");
  }
  auto keys = std::make_shared<KeySet>();
  for (const json::value& entry : list->as_array()) {
    if (!entry.is_object()) throw std::invalid_argument("jwks: each key must be an object");
    auto key = parse_jwk(entry.as_object());
    if (!key) continue;
    const bool taken = std::any_of(keys->keys.begin(), keys->keys.end(),
                                   [&](const Key& k) { return k.kid == key->kid; });
    if (taken) throw std::invalid_argument("jwks: duplicate kid \"" + key->kid + "\"");
    keys->keys.push_back(std::move(*key));
  }
  if (keys->keys.empty()) throw std::invalid_argument("jwks: no usable HS256 or RS256 key");
  return Verifier(std::move(keys));
}

Verifier::Result Verifier::verify(std::string_view token, std::chrono::sys_seconds now) const {
  if (token.size() > kMaxTokenSize) {
    return "token too large (max " + std::to_string(kMaxTokenSize) + " bytes)";
  }
  const std::size_t dot1 = token.find('.');
  const std::size_t dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) {
    return std::string("malformed token: expected 3 segments");
  }
  const auto header_bytes = base64url_decode(token.substr(0, dot1));
  const auto payload_bytes = base64url_decode(token.substr(dot1 + 1, dot2 - dot1 - 1));
  const auto signature = base64url_decode(token.substr(dot2 + 1));
  if (!header_bytes || !payload_bytes || !signature) {
    return std::string("malformed token: bad base64url");
  }

  const auto header = parse_object(*header_bytes);
  if (!header) return std::string("malformed token: header is not a JSON object");
  const json::value* alg = header->if_contains("alg");
  if (alg == nullptr || !alg->is_string() ||
      (alg->as_string() != "HS256" && alg->as_string() != "RS256")) {
    return std::string("unsupported alg");  // includes "none"
  }
  if (header->contains("crit")) return std::string("unsupported header 'crit'");
  if (const json::value* typ = header->if_contains("typ"); typ && !typ->is_string()) {
    return std::string("malformed token: header 'typ' must be a string");
  }
  std::string error;
  const Key* key = select_key(keys_->keys, header->if_contains("kid"), error);
  if (key == nullptr) return error;
  // The key decides the algorithm; the header only has to agree (no alg confusion).
  const bool rsa = key->type == KeySet::Type::rsa;
  if (alg->as_string() != (rsa ? "RS256" : "HS256")) return std::string("alg does not match key");

  const std::string_view signing_input = token.substr(0, dot2);
  const bool valid = rsa ? rs256_valid(key->rsa_public.get(), signing_input, *signature)
                         : hs256_valid(key->secret, signing_input, *signature);
  if (!valid) return std::string("bad signature");

  const auto claims = parse_object(*payload_bytes);
  if (!claims) return std::string("malformed token: payload is not a JSON object");
  return read_claims(*claims, now);
}

std::string sign_hs256(std::string_view secret, std::string_view payload_json) {
  std::string token = base64url_encode(R"({"alg":"HS256","typ":"JWT"})");
  token += '.';
  token += base64url_encode(payload_json);
  const std::string mac = hmac_sha256(secret, token);
  if (mac.empty()) throw std::runtime_error("HMAC-SHA256 failed");
  token += '.';
  token += base64url_encode(mac);
  return token;
}

}  // namespace parley::auth
