// The TLS context the --tls-cert/--tls-key files make (net/tls.hpp): modern defaults, and every
// way a certificate/key pair can be wrong is refused with a message naming it.
#include "net/tls.hpp"

#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace parley::net {
namespace {

// Two throwaway self-signed P-256 pairs (CN=parley-test-a / -b, valid until 2126).
constexpr std::string_view kCertA = R"pem(-----BEGIN CERTIFICATE-----
MIIBiDCCAS2gAwIBAgIUICqjyeTpxEWBWizikme+c0fCuzIwCgYIKoZIzj0EAwIw
GDEWMBQGA1UEAwwNcGFybGV5LXRlc3QtYTAgFw0yNjEyMDIxMTMwMTlaGA8yMTI2
MTEwODExMzAxOVowGDEWMBQGA1UEAwwNcGFybGV5LXRlc3QtYTBZMBMGByqGSM49
AgEGCCqGSM49AwEHA0IABAlqlicx6kct3zZUuATchwO+HUqksMmWDenDX0iN2NNq
U+0cGroQ58wq0O14PwNG0AnWpkRr2XkMJsY4uU9urJyjUzBRMB0GA1UdDgQWBBQe
NyFs6vFbp6qwD5VYjQsfSlw4EzAfBgNVHSMEGDAWgBQeNyFs6vFbp6qwD5VYjQsf
Slw4EzAPBgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0kAMEYCIQDEJ71QGFl/
mOxJ7WW8YSQ0UK+GT67gh6snm7E2FrFS8gIhAKEm2dxT/GtfcDdKqWGyvG76T8zW
TK4RrFKEAuEK8WqA
-----END CERTIFICATE-----
)pem";
constexpr std::string_view kKeyA = R"pem(-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgXtCoStvyQ7Zy02it
1nMg4IZ5UNJN8WZGmkM5Bqd7/NqhRANCAAQJapYnMepHLd82VLgE3IcDvh1KpLDJ
lg3pw19IjdjTalPtHBq6EOfMKtDteD8DRtAJ1qZEa9l5DCbGOLlPbqyc
-----END PRIVATE KEY-----
)pem";
constexpr std::string_view kCertB = R"pem(-----BEGIN CERTIFICATE-----
MIIBhzCCAS2gAwIBAgIUOy70dUKn31HLhTv9COYlgfelqL0wCgYIKoZIzj0EAwIw
GDEWMBQGA1UEAwwNcGFybGV5LXRlc3QtYjAgFw0yNjEyMDIxMTMwMTlaGA8yMTI2
MTEwODExMzAxOVowGDEWMBQGA1UEAwwNcGFybGV5LXRlc3QtYjBZMBMGByqGSM49
AgEGCCqGSM49AwEHA0IABCnUkcEBqi8xeYl4XjVNpgYJzFvb9GSPdHwxt19rMnQ+
FnKP7BlScHj6kyU9Jbwi+LhjGY0NXGqnwdo8ywQBXFyjUzBRMB0GA1UdDgQWBBQS
zqffRxyiFaCi7RnikbilhtpgsDAfBgNVHSMEGDAWgBQSzqffRxyiFaCi7Rnikbil
htpgsDAPBgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0gAMEUCIEFcAxfDLb2V
cLvPbqGGNuyBvQ7XLlUVDW7JkB8y15FIAiEA124cRv5h2EWWaHWgCbGXOXDqjHiU
frTqPKx9yw7ZfFo=
-----END CERTIFICATE-----
)pem";
constexpr std::string_view kKeyB = R"pem(-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgqqqyfzYXjOV2KJiu
G6SmMtwg2B7/tvPLl8Rd6fu3UDShRANCAAQp1JHBAaovMXmJeF41TaYGCcxb2/Rk
j3R8MbdfazJ0PhZyj+wZUnB4+pMlPSW8Ivi4YxmNDVxqp8HaPMsEAVxc
-----END PRIVATE KEY-----
)pem";

std::string error_of(std::string_view cert, std::string_view key) {
  try {
    make_tls_context(cert, key);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

class TempFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("parley-tls-test-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
            "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string write(const std::string& name, std::string_view text) {
    auto path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }
  std::filesystem::path dir_;
};

std::string subject_of(const std::shared_ptr<ssl::context>& context) {
  X509* cert = SSL_CTX_get0_certificate(context->native_handle());
  char name[256] = {};
  X509_NAME_oneline(X509_get_subject_name(cert), name, sizeof name);
  return name;
}

TEST(TlsContext, AMatchingPairMakesAContext) {
  auto context = make_tls_context(kCertA, kKeyA);
  ASSERT_NE(context, nullptr);
  EXPECT_EQ(subject_of(context), "/CN=parley-test-a");
}

TEST(TlsContext, OnlyTls12AndLaterAreOffered) {
  auto context = make_tls_context(kCertA, kKeyA);
  EXPECT_EQ(SSL_CTX_get_min_proto_version(context->native_handle()), TLS1_2_VERSION);
}

TEST(TlsContext, NoCompressionServerCipherPreferenceNoRenegotiation) {
  const auto options = SSL_CTX_get_options(make_tls_context(kCertA, kKeyA)->native_handle());
  EXPECT_TRUE(options & SSL_OP_NO_COMPRESSION);
  EXPECT_TRUE(options & SSL_OP_CIPHER_SERVER_PREFERENCE);
  EXPECT_TRUE(options & SSL_OP_NO_RENEGOTIATION);
}

TEST(TlsContext, Tls12CipherSuitesAreEcdheWithAead) {
  auto context = make_tls_context(kCertA, kKeyA);
  SSL* ssl = SSL_new(context->native_handle());
  ASSERT_NE(ssl, nullptr);
  STACK_OF(SSL_CIPHER)* ciphers = SSL_get_ciphers(ssl);
  int tls12 = 0;
  for (int i = 0; i < sk_SSL_CIPHER_num(ciphers); ++i) {
    const SSL_CIPHER* cipher = sk_SSL_CIPHER_value(ciphers, i);
    const std::string name = SSL_CIPHER_get_name(cipher);
    if (name.starts_with("TLS_")) continue;  // a TLS 1.3 suite: all of those are AEAD
    ++tls12;
    EXPECT_TRUE(name.starts_with("ECDHE-")) << name;
    EXPECT_TRUE(name.find("GCM") != std::string::npos || name.find("CHACHA20") != std::string::npos)
        << name;
  }
  EXPECT_GT(tls12, 0);
  SSL_free(ssl);
}

TEST(TlsContext, AKeyOfAnotherCertificateIsRefused) {
  EXPECT_NE(error_of(kCertA, kKeyB).find("does not match the certificate"), std::string::npos)
      << error_of(kCertA, kKeyB);
}

TEST(TlsContext, ACertificateThatIsNotPemIsRefused) {
  EXPECT_NE(error_of("not a certificate", kKeyA).find("certificate"), std::string::npos);
}

TEST(TlsContext, AKeyThatIsNotPemIsRefused) {
  EXPECT_NE(error_of(kCertA, "not a key").find("private key"), std::string::npos);
}

TEST(TlsContext, AKeyInPlaceOfTheCertificateIsRefused) {
  EXPECT_FALSE(error_of(kKeyA, kKeyA).empty());
}

TEST_F(TempFiles, AMissingFileIsNamedInTheError) {
  const auto key = write("key.pem", kKeyA);
  try {
    TlsCertificate certificate((dir_ / "missing.pem").string(), key);
    FAIL() << "a missing certificate file was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("missing.pem"), std::string::npos) << e.what();
  }
}

TEST_F(TempFiles, ReloadPicksUpANewPair) {
  const auto cert = write("cert.pem", kCertA);
  const auto key = write("key.pem", kKeyA);
  TlsCertificate certificate(cert, key);
  const auto before = certificate.current();
  write("cert.pem", kCertB);
  write("key.pem", kKeyB);
  EXPECT_TRUE(certificate.reload());
  EXPECT_EQ(subject_of(certificate.current()), "/CN=parley-test-b");
  EXPECT_EQ(subject_of(before), "/CN=parley-test-a");  // a connection's context is untouched
}

TEST_F(TempFiles, AFailedReloadKeepsTheOldContext) {
  const auto cert = write("cert.pem", kCertA);
  const auto key = write("key.pem", kKeyA);
  TlsCertificate certificate(cert, key);
  const auto before = certificate.current();
  write("cert.pem", kCertB);  // the new certificate, but still the old key
  EXPECT_FALSE(certificate.reload());
  EXPECT_EQ(certificate.current(), before);
}

}  // namespace
}  // namespace parley::net
