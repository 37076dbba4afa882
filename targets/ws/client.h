// targets/ws/client.h: a WebSocket client over a net::Stream, in the manner
// of the HTTP session: every wait has a deadline on the dialer's clock, every
// failure is a net::Error naming the URL and what went wrong.
//
//   auto url = ws::WsUrl::parse("ws://127.0.0.1:9000/echo");     // invalid_argument if not
//   net::TcpDialer dialer;
//   auto client = ws::Client::connect(dialer, *url, {});           // refused, timeout, bad_data
//   (*client)->send(ws::Opcode::text, "안녕", /*fragment_size=*/2);
//   auto reply = (*client)->receive();          // Message{text, "안녕"}; pings answered inside
//   (*client)->close();                         // close frames both ways, then the server's FIN
//
// receive() after the peer closed gives ErrorKind::closed with its code; a
// protocol violation by the server gives bad_data (or too_large) naming the
// byte, after our close frame with the matching code was sent.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "targets/net/deadline.h"
#include "targets/net/error.h"
#include "targets/net/stream.h"
#include "targets/ws/connection.h"
#include "targets/ws/handshake.h"

namespace faultline::ws {

// WsUrl: ws://host[:port][/path][?query]. wss:// parses (secure = true).
struct WsUrl {
  bool secure = false;
  std::string host{};  // without brackets for IPv6
  std::uint16_t port = 80;
  std::string target = "/";  // path and query
  std::string host_header{};

  // parse: errors are invalid_argument and name the URL and the problem.
  static net::Result<WsUrl> parse(std::string_view text);
  std::string to_string() const;
};

// ClientOptions: timeouts and bounds of one client connection.
struct ClientOptions {
  net::Duration connect_timeout = std::chrono::seconds(10);
  // io_timeout: the longest a send or a receive waits.
  net::Duration io_timeout = std::chrono::seconds(30);
  // close_timeout: how long close() waits for the server's close frame, and
  // then for its FIN.
  net::Duration close_timeout = std::chrono::seconds(5);
  ConnectionLimits limits{};
  std::vector<std::string> subprotocols{};
  std::uint64_t seed = 0x5eed;  // the handshake key and the masking keys
};

// Message: one whole message.
struct Message {
  Opcode opcode = Opcode::text;
  std::string payload{};
};

// CloseResult: how the closing handshake ended.
struct CloseResult {
  std::uint16_t peer_code = close_code::kAbnormal;  // 1005: no code; 1006: no close frame
  bool clean = false;  // both close frames, then the server's FIN, inside the timeout
};

// Client: one WebSocket connection, opened by connect(). Not thread-safe.
class Client {
 public:
  static net::Result<std::unique_ptr<Client>> connect(net::Dialer& dialer, const WsUrl& url,
                                                      ClientOptions options = {});

  // send: the message in one frame, or in frames of fragment_size bytes.
  net::Status send(Opcode opcode, std::string_view payload, std::size_t fragment_size = 0);
  // receive: the next whole message; pings are answered, pongs skipped.
  net::Result<Message> receive();
  // ping: send a ping and wait for its pong (other messages are kept for receive()).
  net::Status ping(std::string_view payload);
  // close: the closing handshake, bounded by close_timeout. Messages still
  // arriving are dropped.
  net::Result<CloseResult> close(std::uint16_t code = close_code::kNormal,
                                 std::string_view reason = {});

  const std::string& protocol() const { return protocol_; }
  Connection& connection() { return connection_; }
  const WsUrl& url() const { return url_; }

 private:
  Client(std::unique_ptr<net::Stream> stream, net::Clock& clock, WsUrl url, ClientOptions options,
         std::string protocol);
  net::Status flush(net::TimePoint deadline);
  // pump: one read into the connection; false at EOF.
  net::Result<bool> pump(net::TimePoint deadline);
  net::Error error(net::ErrorKind kind, std::string what) const;

  std::unique_ptr<net::Stream> stream_;
  net::Clock& clock_;
  WsUrl url_;
  ClientOptions options_;
  Connection connection_;
  std::string protocol_;
  std::vector<Message> held_;  // messages that arrived while ping() waited
  bool eof_ = false;
};

}  // namespace faultline::ws
