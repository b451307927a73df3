// What every WebSocket parley accepts is set up with: handshake and idle timeouts with
// keep-alive pings, the Server header and the chosen subprotocol, and a message size bound.
#pragma once

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <cstddef>
#include <string>

#include "net/context.hpp"

namespace parley::net {

template <typename WebSocket>
void prepare_websocket(WebSocket& ws, const NetConfig& net, std::string subprotocol,
                       std::size_t max_message_bytes) {
  namespace beast = boost::beast;
  namespace websocket = beast::websocket;
  beast::get_lowest_layer(ws).expires_never();
  websocket::stream_base::timeout timeouts{};
  timeouts.handshake_timeout = net.handshake_timeout;
  timeouts.idle_timeout = net.ws_idle_timeout;
  timeouts.keep_alive_pings = true;
  ws.set_option(timeouts);
  ws.set_option(websocket::stream_base::decorator(
      [sub = std::move(subprotocol)](websocket::response_type& res) {
        res.set(beast::http::field::server, "parley/" PARLEY_VERSION);
        if (!sub.empty()) res.set(beast::http::field::sec_websocket_protocol, sub);
      }));
  ws.read_message_max(max_message_bytes);
}

}  // namespace parley::net
