#include "net/tls.hpp"

#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <spdlog/spdlog.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace parley::net {

namespace {

// Mozilla's "intermediate" TLS 1.2 suites without DHE: forward secret and authenticated
// encryption only. TLS 1.3 suites are OpenSSL's defaults, all of which qualify.
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

std::string openssl_error() {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "unknown OpenSSL error";
  char text[256];
  ERR_error_string_n(code, text, sizeof text);
  return text;
}

std::string read_file(const std::string& path, std::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw std::runtime_error(fmt::format("cannot read the TLS {} '{}'", what, path));
  }
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace

std::shared_ptr<ssl::context> make_tls_context(std::string_view certificate_chain_pem,
                                               std::string_view private_key_pem) {
  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  SSL_CTX* native = context->native_handle();
  context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                       ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                       ssl::context::no_compression);
  SSL_CTX_set_options(native, SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_RENEGOTIATION);
  if (SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION) != 1 ||
      SSL_CTX_set_cipher_list(native, kTls12Ciphers) != 1) {
    throw std::runtime_error("TLS defaults rejected by OpenSSL: " + openssl_error());
  }

  beast::error_code ec;
  ERR_clear_error();
  context->use_certificate_chain(
      boost::asio::buffer(certificate_chain_pem.data(), certificate_chain_pem.size()), ec);
  if (ec) throw std::runtime_error("the certificate is not a PEM certificate: " + ec.message());
  context->use_private_key(boost::asio::buffer(private_key_pem.data(), private_key_pem.size()),
                           ssl::context::pem, ec);
  if (ec) {
    if (ERR_GET_REASON(ec.value()) == X509_R_KEY_VALUES_MISMATCH) {
      throw std::runtime_error("the private key does not match the certificate");
    }
    throw std::runtime_error("the private key is not a PEM private key: " + ec.message());
  }
  if (SSL_CTX_check_private_key(native) != 1) {
    throw std::runtime_error("the private key does not match the certificate: " + openssl_error());
  }
  return context;
}

TlsCertificate::TlsCertificate(std::string certificate_file, std::string key_file)
    : certificate_file_(std::move(certificate_file)),
      key_file_(std::move(key_file)),
      current_(load()) {}

std::shared_ptr<ssl::context> TlsCertificate::current() const {
  std::lock_guard lock(mutex_);
  return current_;
}

bool TlsCertificate::reload() {
  try {
    auto fresh = load();
    std::lock_guard lock(mutex_);
    current_ = std::move(fresh);
  } catch (const std::exception& e) {
    spdlog::error("TLS reload failed, keeping the previous certificate: {}", e.what());
    return false;
  }
  spdlog::info("TLS certificate reloaded from {}", certificate_file_);
  return true;
}

std::shared_ptr<ssl::context> TlsCertificate::load() const {
  const auto certificate = read_file(certificate_file_, "certificate (--tls-cert)");
  const auto key = read_file(key_file_, "private key (--tls-key)");
  try {
    return make_tls_context(certificate, key);
  } catch (const std::exception& e) {
    throw std::runtime_error(
        fmt::format("TLS certificate '{}' / key '{}': {}", certificate_file_, key_file_, e.what()));
  }
}

}  // namespace parley::net
