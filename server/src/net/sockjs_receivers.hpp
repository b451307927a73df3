// The connections that receive for a SockJS session: an HTTP response (polling or streaming)
// and a WebSocket, plain or TLS. Each runs on its connection's strand.
#pragma once

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/container/devector.hpp>
#include <memory>
#include <string>
#include <vector>

#include "net/context.hpp"
#include "net/sockjs_session.hpp"
#include "net/tls.hpp"
#include "sockjs/transports.hpp"

namespace parley::net {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;

// xhr, jsonp (one batch, then the response ends) and xhr_streaming, eventsource, htmlfile
// (chunked frames until the session ends the response). A keep-alive connection goes back
// to an HttpSession afterwards.
template <typename Stream>
class HttpReceiver final : public SockjsReceiver,
                           public std::enable_shared_from_this<HttpReceiver<Stream>> {
 public:
  // `head` is the serialized response header without Content-Length/Transfer-Encoding and
  // without the final blank line: the receiver completes it.
  HttpReceiver(Stream stream, ConnectionSlot slot, beast::flat_buffer buffer, Context& context,
               sockjs::Transport transport, std::string callback, std::string head, bool http11,
               bool keep_alive);

  void start(std::shared_ptr<SockjsSession> session);
  void send(std::vector<std::string> frames, bool end) override;

 private:
  void on_send(std::vector<std::string> frames, bool end);
  void enqueue(std::string bytes);
  void do_write();
  void on_write(beast::error_code ec, std::size_t bytes);
  void watch();
  void on_watch(beast::error_code ec, std::size_t bytes);
  void interrupted(std::string_view why);
  void finish();
  void hand_back();

  Stream stream_;
  ConnectionSlot slot_;
  beast::flat_buffer buffer_;
  Context& context_;
  sockjs::Transport transport_;
  std::string callback_;
  std::string head_;
  bool polling_;
  bool chunked_;
  bool keep_alive_;
  std::shared_ptr<SockjsSession> session_;  // until the response ends
  boost::container::devector<std::string> queue_;
  std::vector<boost::asio::const_buffer> gather_;  // what the current write sends
  std::size_t batch_ = 0;                          // chunks of queue_ in it
  std::size_t queued_bytes_ = 0;
  bool writing_ = false;
  bool reading_ = false;
  bool ending_ = false;  // the last bytes are queued
  bool done_ = false;    // socket closed or handed back
  bool handed_back_ = false;
};

// <prefix>/<server>/<session>/websocket: SockJS frames over a WebSocket.
template <typename Stream>
class SockjsWsReceiver final : public SockjsReceiver,
                               public std::enable_shared_from_this<SockjsWsReceiver<Stream>> {
 public:
  // `raw`: plain WebSocket messages, no SockJS framing (<prefix>/websocket of a test service).
  SockjsWsReceiver(Stream stream, ConnectionSlot slot, Context& context, bool raw);

  void run(http::request<http::string_body> request, std::shared_ptr<SockjsSession> session);
  void send(std::vector<std::string> frames, bool end) override;

 private:
  void on_accept(beast::error_code ec);
  void do_read();
  void on_read(beast::error_code ec, std::size_t bytes);
  void do_write();
  void on_write(beast::error_code ec, std::size_t bytes);
  void gone();
  void push_raw(std::string_view frame);

  websocket::stream<Stream> ws_;
  ConnectionSlot slot_;
  Context& context_;
  bool raw_;
  std::shared_ptr<SockjsSession> session_;
  beast::flat_buffer buffer_;
  boost::container::devector<std::string> queue_;
  std::size_t queued_bytes_ = 0;
  bool writing_ = false;
  bool ending_ = false;
  bool done_ = false;
};

}  // namespace parley::net
