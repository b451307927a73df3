// TLS for the main listener: the server certificate (reloadable), the stream types every
// connection class is a template over, and the modern defaults the contexts are built with.
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <type_traits>

namespace parley::net {

namespace beast = boost::beast;
namespace ssl = boost::asio::ssl;

using PlainStream = beast::tcp_stream;

// A TLS connection holds the context it was accepted with: a SIGHUP reload swaps the
// listener's context, never the one an existing connection uses.
class TlsStream : public beast::ssl_stream<beast::tcp_stream> {
 public:
  TlsStream(boost::asio::ip::tcp::socket socket, std::shared_ptr<ssl::context> context)
      : beast::ssl_stream<beast::tcp_stream>(std::move(socket), *context),
        context_(std::move(context)) {}

 private:
  std::shared_ptr<ssl::context> context_;
};

template <typename Stream>
inline constexpr bool is_tls = std::is_same_v<Stream, TlsStream>;

// websocket::stream<TlsStream> closes through the ssl_stream base (else Beast's catch-all
// teardown, an exact match for the derived type, would be chosen and refuse to compile).
inline void teardown(beast::role_type role, TlsStream& stream, beast::error_code& ec) {
  beast::teardown(role, static_cast<beast::ssl_stream<beast::tcp_stream>&>(stream), ec);
}
template <typename Handler>
void async_teardown(beast::role_type role, TlsStream& stream, Handler&& handler) {
  beast::async_teardown(role, static_cast<beast::ssl_stream<beast::tcp_stream>&>(stream),
                        std::forward<Handler>(handler));
}

// Ends a connection after its last response: a FIN, or first a TLS close_notify (bounded,
// since a peer may never answer it). `keep` owns whatever the stream lives in.
inline void end_connection(PlainStream& stream, const std::shared_ptr<void>&) {
  beast::error_code ignored;
  stream.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_send, ignored);
}
inline void end_connection(TlsStream& stream, std::shared_ptr<void> keep) {
  beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(2));
  stream.async_shutdown([keep = std::move(keep)](beast::error_code) {});
}

// A server context from PEM text: TLS 1.2+, ECDHE+AEAD suites for TLS 1.2, server cipher
// preference, no compression, no renegotiation. Throws std::runtime_error naming what is
// wrong (unparsable certificate or key, key not matching the certificate).
std::shared_ptr<ssl::context> make_tls_context(std::string_view certificate_chain_pem,
                                               std::string_view private_key_pem);

// The certificate files given by --tls-cert/--tls-key and the context made from them.
class TlsCertificate {
 public:
  // Loads both files; throws std::runtime_error naming the file and the problem.
  TlsCertificate(std::string certificate_file, std::string key_file);

  // The context new connections use. Thread-safe.
  std::shared_ptr<ssl::context> current() const;
  // Loads the files again. On success new connections use the new context; on failure the
  // old one stays and the error is logged. Thread-safe.
  bool reload();

 private:
  std::shared_ptr<ssl::context> load() const;

  std::string certificate_file_;
  std::string key_file_;
  mutable std::mutex mutex_;
  std::shared_ptr<ssl::context> current_;
};

}  // namespace parley::net
