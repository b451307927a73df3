// The SockJS service under /stomp: greeting, /info, iframe page, CORS, and every session
// transport (websocket, xhr, xhr_send, xhr_streaming, eventsource, htmlfile, jsonp,
// jsonp_send). Owns the table of live sessions. The protocol itself is in src/sockjs/; this
// is only the HTTP and socket side of it, and it knows nothing of STOMP beyond handing each
// session's text to a stomp::Session (net/sockjs_session.hpp).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "net/context.hpp"
#include "net/tls.hpp"
#include "sockjs/registry.hpp"

namespace parley::net {

namespace beast = boost::beast;
namespace http = beast::http;

class SockjsSession;

class SockjsService {
 public:
  SockjsService(Context& context, boost::asio::any_io_executor executor, SockjsConfig config);
  ~SockjsService();

  const SockjsConfig& config() const { return config_; }
  // Whether `path` (no query) belongs to this service. /stomp/websocket is the raw STOMP
  // WebSocket, which the caller serves itself on upgrade.
  bool owns(std::string_view path) const;

  // A request that is not a WebSocket upgrade. Returns the response to send, or nullopt when
  // a receiving transport took over the connection (`stream`, `slot` and `buffer` are moved
  // from).
  // Stream: PlainStream or TlsStream.
  template <typename Stream>
  std::optional<http::response<http::string_body>> handle(
      const http::request<http::string_body>& request, Stream& stream, ConnectionSlot& slot,
      beast::flat_buffer& buffer);

  // An upgrade to <prefix>/<server>/<session>/websocket. Returns the response to send when it
  // is refused, or nullopt when the WebSocket took the connection.
  template <typename Stream>
  std::optional<http::response<http::string_body>> upgrade(
      http::request<http::string_body>& request, Stream& stream, ConnectionSlot& slot);

  // A session ended (called from its strand).
  void remove(const std::string& id, const SockjsSession* session);
  std::size_t size() const;

 private:
  template <typename Stream>
  std::optional<http::response<http::string_body>> session_request(
      const http::request<http::string_body>& request, const sockjs::Route& route, Stream& stream,
      ConnectionSlot& slot, beast::flat_buffer& buffer);

  Context& context_;
  boost::asio::any_io_executor executor_;
  SockjsConfig config_;
  std::string iframe_html_;
  std::string iframe_etag_;
  std::string client_js_;  // sockjs-client's bundle, when configured
  std::string client_js_etag_;
  mutable std::mutex mutex_;
  sockjs::Registry<std::shared_ptr<SockjsSession>> sessions_;
};

}  // namespace parley::net
