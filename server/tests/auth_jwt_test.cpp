#include "auth/jwt.hpp"

#include <gtest/gtest.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <initializer_list>
#include <memory>
#include <stdexcept>
#include <string>

namespace parley::auth {
namespace {

using std::chrono::seconds;
using std::chrono::sys_seconds;

const std::string kSecret = "0123456789abcdef0123456789abcdef";  // 32 bytes, the minimum
const sys_seconds kNow{seconds{1700000000}};

std::string claims(std::string_view extra = "") {
  std::string json = R"({"room":"standup","sub":"alice","exp":1700000600)";
  if (!extra.empty()) json += "," + std::string(extra);
  return json + "}";
}

// A token with any header, HMAC-signed with `secret`; sign_hs256 only writes HS256 headers.
std::string token_with_header(std::string_view header, std::string_view payload,
                              std::string_view secret = kSecret) {
  std::string token = base64url_encode(header) + "." + base64url_encode(payload);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(token.data()), token.size(), mac, &size);
  return token + "." + base64url_encode(std::string(reinterpret_cast<char*>(mac), size));
}

std::string error_of(const Verifier::Result& result) {
  if (const auto* e = std::get_if<std::string>(&result)) return *e;
  return "(granted)";
}

Grant grant_of(const Verifier::Result& result) {
  if (const auto* g = std::get_if<Grant>(&result)) return *g;
  ADD_FAILURE() << "refused: " << std::get<std::string>(result);
  return {};
}

std::string verify_error(std::string_view payload) {
  return error_of(Verifier::hs256(kSecret).verify(sign_hs256(kSecret, payload), kNow));
}

// ---- RFC 7515 ----

// RFC 7515 Appendix A.1: header {"typ":"JWT",\r\n "alg":"HS256"}, the RFC's JWK as key.
constexpr std::string_view kRfcToken =
    "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9"
    ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlf"
    "Q"
    ".dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
constexpr std::string_view kRfcKey =
    "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow";

TEST(JwtRfc7515, AppendixA1SignatureVerifiesAndThenTheMissingRoomClaimIsReported) {
  const auto key = base64url_decode(kRfcKey);
  ASSERT_TRUE(key);
  // Its payload has no "room": reaching that check proves the signature passed.
  EXPECT_EQ(error_of(Verifier::hs256(*key).verify(kRfcToken, sys_seconds{seconds{1300819000}})),
            "missing claim 'room'");
  const Verifier from_jwks =
      Verifier::jwks(R"({"keys":[{"kty":"oct","k":")" + std::string(kRfcKey) + "\"}]}");
  EXPECT_EQ(error_of(from_jwks.verify(kRfcToken, sys_seconds{seconds{1300819000}})),
            "missing claim 'room'");
}

TEST(JwtRfc7515, AppendixA1WithOneSignatureBitFlippedIsABadSignature) {
  const Verifier v = Verifier::hs256(*base64url_decode(kRfcKey));
  std::string token(kRfcToken);
  token.back() = 'o';  // 'k' -> 'o' flips the last data bit of the MAC
  EXPECT_EQ(error_of(v.verify(token, kNow)), "bad signature");
  // 'k' -> 'j' changes only the two padding bits: a second spelling, refused as such.
  token.back() = 'j';
  EXPECT_EQ(error_of(v.verify(token, kNow)), "malformed token: bad base64url");
}

TEST(JwtBase64url, EncodesAndDecodesRfc4648Vectors) {
  EXPECT_EQ(base64url_encode(""), "");
  EXPECT_EQ(base64url_encode("f"), "Zg");
  EXPECT_EQ(base64url_encode("fo"), "Zm8");
  EXPECT_EQ(base64url_encode("foo"), "Zm9v");
  EXPECT_EQ(base64url_encode("foob"), "Zm9vYg");
  EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
  EXPECT_EQ(base64url_decode("Zm9vYmFy"), "foobar");
  EXPECT_EQ(base64url_decode("-_8"), "\xfb\xff");
}

TEST(JwtBase64url, DecodeRejectsPaddingForeignAlphabetImpossibleLengthAndLooseBits) {
  EXPECT_FALSE(base64url_decode("Zg=="));
  EXPECT_FALSE(base64url_decode("Zg+/"));
  EXPECT_FALSE(base64url_decode("Zm9vY"));  // 5 chars: 30 bits, not a whole byte
  EXPECT_FALSE(base64url_decode("Zh"));     // 'h' leaves non-zero trailing bits
  EXPECT_FALSE(base64url_decode("Zm 9v"));
}

// ---- round trip and grants ----

TEST(JwtVerify, SignedTokenRoundTripsToAGrant) {
  const Grant g = grant_of(Verifier::hs256(kSecret).verify(sign_hs256(kSecret, claims()), kNow));
  EXPECT_EQ(g.room, "standup");
  EXPECT_EQ(g.identity, "alice");
  EXPECT_EQ(g.role, Grant::Role::member);
  EXPECT_EQ(g.expires, sys_seconds{seconds{1700000600}});
}

TEST(JwtVerify, RoleModeratorIsGrantedAndMemberIsTheDefault) {
  const Verifier v = Verifier::hs256(kSecret);
  EXPECT_EQ(grant_of(v.verify(sign_hs256(kSecret, claims(R"("role":"moderator")")), kNow)).role,
            Grant::Role::moderator);
  EXPECT_EQ(grant_of(v.verify(sign_hs256(kSecret, claims(R"("role":"member")")), kNow)).role,
            Grant::Role::member);
}

TEST(JwtVerify, GrantAllowsItsRoomOnly) {
  const Grant g{"standup", "alice", Grant::Role::member, kNow};
  EXPECT_TRUE(g.allows("standup"));
  EXPECT_FALSE(g.allows("standup2"));
  EXPECT_FALSE(g.allows("*"));
}

TEST(JwtVerify, WildcardRoomAllowsEveryRoom) {
  const Grant g = grant_of(Verifier::hs256(kSecret).verify(
      sign_hs256(kSecret, R"({"room":"*","sub":"ops","exp":1700000600})"), kNow));
  EXPECT_TRUE(g.allows("standup"));
  EXPECT_TRUE(g.allows("any-other_room"));
}

TEST(JwtVerify, UnknownClaimsAndTypAreIgnored) {
  EXPECT_EQ(verify_error(claims(R"("iss":"me","aud":["x"],"extra":{"a":[1,2]})")), "(granted)");
  EXPECT_EQ(error_of(Verifier::hs256(kSecret).verify(
                token_with_header(R"({"alg":"HS256"})", claims()), kNow)),
            "(granted)");
}

TEST(JwtVerify, FractionalExpIsAccepted) {
  EXPECT_EQ(verify_error(R"({"room":"a","sub":"b","exp":1700000600.5})"), "(granted)");
}

// ---- signature and algorithm ----

TEST(JwtSignature, WrongSecretIsABadSignature) {
  const std::string other = "another secret of thirty-two bytes!";
  EXPECT_EQ(error_of(Verifier::hs256(other).verify(sign_hs256(kSecret, claims()), kNow)),
            "bad signature");
}

TEST(JwtSignature, TamperedPayloadIsABadSignature) {
  const std::string token = sign_hs256(kSecret, claims());
  const auto dot1 = token.find('.');
  const auto dot2 = token.find('.', dot1 + 1);
  const std::string forged = token.substr(0, dot1) + "." +
                             base64url_encode(R"({"room":"*","sub":"alice","exp":1700000600})") +
                             token.substr(dot2);
  EXPECT_EQ(error_of(Verifier::hs256(kSecret).verify(forged, kNow)), "bad signature");
}

TEST(JwtSignature, TruncatedOrEmptySignatureIsABadSignature) {
  const std::string token = sign_hs256(kSecret, claims());
  const Verifier v = Verifier::hs256(kSecret);
  EXPECT_EQ(error_of(v.verify(token.substr(0, token.size() - 4), kNow)), "bad signature");
  EXPECT_EQ(error_of(v.verify(token.substr(0, token.rfind('.') + 1), kNow)), "bad signature");
}

TEST(JwtAlg, NoneIsRejectedEvenWithoutASignature) {
  const std::string unsigned_token =
      base64url_encode(R"({"alg":"none","typ":"JWT"})") + "." + base64url_encode(claims()) + ".";
  EXPECT_EQ(error_of(Verifier::hs256(kSecret).verify(unsigned_token, kNow)), "unsupported alg");
}

TEST(JwtAlg, OtherAlgorithmsAndCaseVariantsAreUnsupported) {
  const Verifier v = Verifier::hs256(kSecret);
  for (const char* header : {R"({"alg":"HS512"})", R"({"alg":"hs256"})", R"({"alg":"None"})",
                             R"({"alg":1})", R"({"typ":"JWT"})"}) {
    EXPECT_EQ(error_of(v.verify(token_with_header(header, claims()), kNow)), "unsupported alg")
        << header;
  }
}

TEST(JwtAlg, Rs256HeaderWithAnHmacKeyIsAlgConfusion) {
  EXPECT_EQ(error_of(Verifier::hs256(kSecret).verify(
                token_with_header(R"({"alg":"RS256"})", claims()), kNow)),
            "alg does not match key");
}

TEST(JwtAlg, CritHeaderIsRejected) {
  EXPECT_EQ(error_of(Verifier::hs256(kSecret).verify(
                token_with_header(R"({"alg":"HS256","crit":["exp"],"exp":1})", claims()), kNow)),
            "unsupported header 'crit'");
}

TEST(JwtAlg, DuplicateHeaderMemberIsMalformed) {
  EXPECT_EQ(error_of(Verifier::hs256(kSecret).verify(
                token_with_header(R"({"alg":"none","alg":"HS256"})", claims()), kNow)),
            "malformed token: header is not a JSON object");
}

// ---- token shape ----

TEST(JwtShape, SegmentsOtherThanThreeAreMalformed) {
  const std::string token = sign_hs256(kSecret, claims());
  const Verifier v = Verifier::hs256(kSecret);
  for (const std::string& bad :
       {std::string(), std::string("abc"), token.substr(0, token.rfind('.')), token + ".",
        token + ".e30", std::string("..")}) {
    const std::string error = error_of(v.verify(bad, kNow));
    EXPECT_TRUE(error == "malformed token: expected 3 segments" ||
                error == "malformed token: header is not a JSON object")
        << bad << " -> " << error;
  }
  EXPECT_EQ(error_of(v.verify(token + ".", kNow)), "malformed token: expected 3 segments");
  EXPECT_EQ(error_of(v.verify("abc", kNow)), "malformed token: expected 3 segments");
}

TEST(JwtShape, PaddingAndForeignAlphabetAreMalformed) {
  const std::string token = sign_hs256(kSecret, claims());
  const Verifier v = Verifier::hs256(kSecret);
  EXPECT_EQ(error_of(v.verify(token + "=", kNow)), "malformed token: bad base64url");
  std::string plus = token;
  plus[plus.find('.') + 1] = '+';
  EXPECT_EQ(error_of(v.verify(plus, kNow)), "malformed token: bad base64url");
  std::string space = token;
  space.insert(space.find('.') + 1, " ");
  EXPECT_EQ(error_of(v.verify(space, kNow)), "malformed token: bad base64url");
}

TEST(JwtShape, OversizeTokenIsRejectedBeforeParsing) {
  const std::string big = sign_hs256(kSecret, claims(R"("pad":")" + std::string(8000, 'x') + "\""));
  ASSERT_GT(big.size(), kMaxTokenSize);
  EXPECT_EQ(error_of(Verifier::hs256(kSecret).verify(big, kNow)),
            "token too large (max 8192 bytes)");
}

TEST(JwtShape, HeaderOrPayloadThatIsNotAJsonObjectIsMalformed) {
  const Verifier v = Verifier::hs256(kSecret);
  EXPECT_EQ(error_of(v.verify(token_with_header("[1]", claims()), kNow)),
            "malformed token: header is not a JSON object");
  EXPECT_EQ(error_of(v.verify(token_with_header(R"({"alg":"HS256"} x)", claims()), kNow)),
            "malformed token: header is not a JSON object");
  EXPECT_EQ(verify_error("\"just a string\""), "malformed token: payload is not a JSON object");
  EXPECT_EQ(verify_error("{\"room\":"), "malformed token: payload is not a JSON object");
}

TEST(JwtShape, DeeplyNestedPayloadIsMalformed) {
  const std::string deep = claims(R"("x":)" + std::string(40, '[') + std::string(40, ']'));
  EXPECT_EQ(verify_error(deep), "malformed token: payload is not a JSON object");
}

TEST(JwtShape, DuplicateClaimIsMalformedEvenWhenEscaped) {
  EXPECT_EQ(verify_error(R"({"room":"a","sub":"b","exp":1700000600,"r\u006fom":"*"})"),
            "malformed token: payload is not a JSON object");
}

// ---- claims ----

TEST(JwtClaims, RoomIsRequiredAndMustBeARoomKeyOrWildcard) {
  EXPECT_EQ(verify_error(R"({"sub":"b","exp":1700000600})"), "missing claim 'room'");
  EXPECT_EQ(verify_error(R"({"room":7,"sub":"b","exp":1700000600})"),
            "claim 'room' must be a string");
  const std::string bad_key = "claim 'room' must be '*' or a room key of 1-64 [A-Za-z0-9_-]";
  for (const std::string& room :
       std::initializer_list<std::string>{"", "a b", "room.1", "**", std::string(65, 'r')}) {
    EXPECT_EQ(verify_error(R"({"room":")" + room + R"(","sub":"b","exp":1700000600})"), bad_key)
        << room;
  }
  EXPECT_EQ(
      verify_error(R"({"room":")" + std::string(64, 'r') + R"(","sub":"b","exp":1700000600})"),
      "(granted)");
}

TEST(JwtClaims, SubIsRequiredStringOf1To128BytesWithoutControlCharacters) {
  EXPECT_EQ(verify_error(R"({"room":"a","exp":1700000600})"), "missing claim 'sub'");
  EXPECT_EQ(verify_error(R"({"room":"a","sub":null,"exp":1700000600})"),
            "claim 'sub' must be a string");
  const std::string bad = "claim 'sub' must be 1-128 bytes without control characters";
  EXPECT_EQ(verify_error(R"({"room":"a","sub":"","exp":1700000600})"), bad);
  EXPECT_EQ(
      verify_error(R"({"room":"a","sub":")" + std::string(129, 's') + R"(","exp":1700000600})"),
      bad);
  EXPECT_EQ(verify_error(R"({"room":"a","sub":"a\u0000b","exp":1700000600})"), bad);
  EXPECT_EQ(
      verify_error(R"({"room":"a","sub":")" + std::string(128, 's') + R"(","exp":1700000600})"),
      "(granted)");
}

TEST(JwtClaims, RoleMustBeMemberOrModerator) {
  EXPECT_EQ(verify_error(claims(R"("role":"admin")")),
            "claim 'role' must be 'member' or 'moderator'");
  EXPECT_EQ(verify_error(claims(R"("role":true)")), "claim 'role' must be a string");
}

TEST(JwtClaims, ExpIsRequiredAndNumeric) {
  EXPECT_EQ(verify_error(R"({"room":"a","sub":"b"})"), "missing claim 'exp'");
  EXPECT_EQ(verify_error(R"({"room":"a","sub":"b","exp":"1700000600"})"),
            "claim 'exp' must be a number");
  EXPECT_EQ(verify_error(R"({"room":"a","sub":"b","exp":1e300})"), "claim 'exp' out of range");
  EXPECT_EQ(verify_error(R"({"room":"a","sub":"b","exp":-1})"), "claim 'exp' out of range");
  EXPECT_EQ(verify_error(R"({"room":"a","sub":"b","exp":18446744073709551615})"),
            "claim 'exp' out of range");
}

TEST(JwtClaims, NbfAndIatMustBeNumericWhenPresent) {
  EXPECT_EQ(verify_error(claims(R"("nbf":"soon")")), "claim 'nbf' must be a number");
  EXPECT_EQ(verify_error(claims(R"("iat":[1])")), "claim 'iat' must be a number");
  EXPECT_EQ(verify_error(claims(R"("iat":1699999990,"nbf":1699999990)")), "(granted)");
}

// ---- time ----

TEST(JwtTime, ExpiredAfterExpPlusThirtySecondsOfSkew) {
  const Verifier v = Verifier::hs256(kSecret);
  const std::string token = sign_hs256(kSecret, claims());  // exp = kNow + 600
  EXPECT_EQ(error_of(v.verify(token, kNow + seconds{629})), "(granted)");
  EXPECT_EQ(error_of(v.verify(token, kNow + seconds{630})), "token expired");
}

TEST(JwtTime, NotYetValidUntilNbfMinusThirtySecondsOfSkew) {
  const Verifier v = Verifier::hs256(kSecret);
  const std::string token = sign_hs256(kSecret, claims(R"("nbf":1700000100)"));
  EXPECT_EQ(error_of(v.verify(token, kNow + seconds{69})), "token not yet valid");
  EXPECT_EQ(error_of(v.verify(token, kNow + seconds{70})), "(granted)");
}

// ---- keys ----

TEST(JwtKeys, ShortSecretIsRefusedAtConfiguration) {
  EXPECT_THROW(Verifier::hs256("short"), std::invalid_argument);
  EXPECT_THROW(Verifier::jwks(R"({"keys":[{"kty":"oct","k":"c2hvcnQ"}]})"), std::invalid_argument);
}

const std::string kSecretA = "secret-A-secret-A-secret-A-secret-A";
const std::string kSecretB = "secret-B-secret-B-secret-B-secret-B";

std::string two_oct_keys() {
  return R"({"keys":[{"kty":"oct","kid":"a","alg":"HS256","k":")" + base64url_encode(kSecretA) +
         R"("},{"kty":"oct","kid":"b","use":"sig","k":")" + base64url_encode(kSecretB) + R"("}]})";
}

TEST(JwtKeys, JwksSelectsTheOctKeyByKid) {
  const Verifier v = Verifier::jwks(two_oct_keys());
  EXPECT_EQ(error_of(v.verify(token_with_header(R"({"alg":"HS256","kid":"a"})", claims(), kSecretA),
                              kNow)),
            "(granted)");
  EXPECT_EQ(error_of(v.verify(token_with_header(R"({"alg":"HS256","kid":"b"})", claims(), kSecretB),
                              kNow)),
            "(granted)");
  EXPECT_EQ(error_of(v.verify(token_with_header(R"({"alg":"HS256","kid":"a"})", claims(), kSecretB),
                              kNow)),
            "bad signature");
}

TEST(JwtKeys, JwksRejectsUnknownMissingOrNonStringKid) {
  const Verifier v = Verifier::jwks(two_oct_keys());
  EXPECT_EQ(error_of(v.verify(token_with_header(R"({"alg":"HS256","kid":"c"})", claims(), kSecretA),
                              kNow)),
            "unknown kid");
  EXPECT_EQ(error_of(v.verify(sign_hs256(kSecretA, claims()), kNow)), "missing kid");
  EXPECT_EQ(error_of(v.verify(token_with_header(R"({"alg":"HS256","kid":1})", claims()), kNow)),
            "malformed token: header 'kid' must be a string");
}

TEST(JwtKeys, JwksSkipsKeysItCannotUseAndNeedsOne) {
  const std::string a = base64url_encode(kSecretA);
  const Verifier v = Verifier::jwks(R"({"keys":[{"kty":"EC","crv":"P-256","x":"AA","y":"AA"},)"
                                    R"({"kty":"oct","alg":"HS512","k":")" +
                                    a + R"("},{"kty":"oct","use":"enc","k":")" + a +
                                    R"("},{"kty":"oct","kid":"a","k":")" + a + R"("}]})");
  EXPECT_EQ(error_of(v.verify(sign_hs256(kSecretA, claims()), kNow)), "(granted)");
  EXPECT_THROW(Verifier::jwks(R"({"keys":[{"kty":"EC"}]})"), std::invalid_argument);
  EXPECT_THROW(Verifier::jwks(R"({"keys":[]})"), std::invalid_argument);
}

TEST(JwtKeys, MalformedJwksIsRefusedAtConfiguration) {
  for (const char* bad :
       {"", "[]", R"({"keys":{}})", R"({"keys":[1]})", R"({"keys":[{"kty":"oct"}]})",
        R"({"keys":[{"kty":"oct","k":"a=="}]})", R"({"keys":[{"kty":7}]})"}) {
    EXPECT_THROW(Verifier::jwks(bad), std::invalid_argument) << bad;
  }
  const std::string k = base64url_encode(kSecretA);
  EXPECT_THROW(Verifier::jwks(R"({"keys":[{"kty":"oct","kid":"a","k":")" + k +
                              R"("},{"kty":"oct","kid":"a","k":")" + k + R"("}]})"),
               std::invalid_argument);
}

// ---- RS256 ----

using Pkey = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;

Pkey rsa_keygen(std::size_t bits) {
  return Pkey(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", bits), &EVP_PKEY_free);
}

std::string bn_param(const EVP_PKEY* key, const char* name) {
  BIGNUM* bn = nullptr;
  EXPECT_EQ(EVP_PKEY_get_bn_param(key, name, &bn), 1);
  std::string bytes(static_cast<std::size_t>(BN_num_bytes(bn)), '\0');
  BN_bn2bin(bn, reinterpret_cast<unsigned char*>(bytes.data()));
  BN_free(bn);
  return base64url_encode(bytes);
}

std::string rsa_jwk(const EVP_PKEY* key, std::string_view kid) {
  return R"({"kty":"RSA","kid":")" + std::string(kid) + R"(","n":")" +
         bn_param(key, OSSL_PKEY_PARAM_RSA_N) + R"(","e":")" +
         bn_param(key, OSSL_PKEY_PARAM_RSA_E) + R"("})";
}

std::string sign_rs256(EVP_PKEY* key, std::string_view header, std::string_view payload) {
  const std::string input = base64url_encode(header) + "." + base64url_encode(payload);
  const std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(),
                                                                    &EVP_MD_CTX_free);
  EXPECT_EQ(EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key), 1);
  std::size_t size = 0;
  const auto* data = reinterpret_cast<const unsigned char*>(input.data());
  EXPECT_EQ(EVP_DigestSign(ctx.get(), nullptr, &size, data, input.size()), 1);
  std::string sig(size, '\0');
  EXPECT_EQ(EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &size, data,
                           input.size()),
            1);
  sig.resize(size);
  return input + "." + base64url_encode(sig);
}

class JwtRs256 : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    rsa_ = new Pkey(rsa_keygen(2048));
    ASSERT_TRUE(rsa_->get() != nullptr);
  }
  static void TearDownTestSuite() {
    delete rsa_;
    rsa_ = nullptr;
  }
  static EVP_PKEY* rsa() { return rsa_->get(); }
  static Verifier verifier() {
    return Verifier::jwks(R"({"keys":[)" + rsa_jwk(rsa(), "r1") +
                          R"(,{"kty":"oct","kid":"h1",)"
                          R"("k":")" +
                          base64url_encode(kSecretA) + R"("}]})");
  }
  static inline Pkey* rsa_ = nullptr;
};

TEST_F(JwtRs256, TokenSignedWithTheJwksRsaKeyIsGranted) {
  const Grant g = grant_of(
      verifier().verify(sign_rs256(rsa(), R"({"alg":"RS256","kid":"r1"})", claims()), kNow));
  EXPECT_EQ(g.identity, "alice");
}

TEST_F(JwtRs256, TamperedPayloadOrOtherKeyIsABadSignature) {
  const std::string token = sign_rs256(rsa(), R"({"alg":"RS256","kid":"r1"})", claims());
  std::string forged = token;
  forged[forged.find('.') + 2] ^= 1;
  EXPECT_EQ(error_of(verifier().verify(forged, kNow)), "bad signature");
  const Pkey other = rsa_keygen(2048);
  EXPECT_EQ(error_of(verifier().verify(
                sign_rs256(other.get(), R"({"alg":"RS256","kid":"r1"})", claims()), kNow)),
            "bad signature");
}

TEST_F(JwtRs256, HmacTokenAgainstTheRsaKeyIsAlgConfusion) {
  // The classic attack: HMAC with the public key's bytes as secret, header alg HS256.
  const std::string n = *base64url_decode(bn_param(rsa(), OSSL_PKEY_PARAM_RSA_N));
  EXPECT_EQ(error_of(verifier().verify(
                token_with_header(R"({"alg":"HS256","kid":"r1"})", claims(), n), kNow)),
            "alg does not match key");
  EXPECT_EQ(error_of(verifier().verify(sign_rs256(rsa(), R"({"alg":"RS256","kid":"h1"})", claims()),
                                       kNow)),
            "alg does not match key");
}

TEST_F(JwtRs256, SmallRsaKeysAreRefusedAtConfiguration) {
  const Pkey small = rsa_keygen(1024);
  EXPECT_THROW(Verifier::jwks(R"({"keys":[)" + rsa_jwk(small.get(), "s") + "]}"),
               std::invalid_argument);
}

}  // namespace
}  // namespace parley::auth
