// targets/ws/handshake.h: the WebSocket opening handshake (RFC 6455 section
// 4) over the project's HTTP parser, sans I/O, for both sides.
//
//   ws::ServerHandshake server({.subprotocols = {"chat"}});
//   auto step = server.feed(bytes_from_socket);       // Result<HandshakeStep>
//   socket.write(server.take_output());                // 101, or 400/426 with a reason
//   if (*step == ws::HandshakeStep::accepted) {
//     ws::Connection connection({.role = ws::Role::server});
//     connection.receive(server.take_leftover());      // frames sent right after the request
//   }
//
//   ws::ClientHandshake client({.host = "127.0.0.1:9000", .target = "/chat", .key_seed = 7});
//   socket.write(client.request());
//   auto step = client.feed(bytes_from_socket);        // accepted: client.protocol()
//
// The server checks: GET, HTTP/1.1 or later, Host, `Upgrade: websocket`,
// `Connection: upgrade` (as one token of a list), `Sec-WebSocket-Key` (16
// bytes in base64), `Sec-WebSocket-Version: 13` (else 426 naming 13). The
// client checks: 101, the Upgrade and Connection headers, the
// Sec-WebSocket-Accept value, a subprotocol only from those it offered, and
// no extension it did not ask for.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "targets/http/message.h"
#include "targets/http/parser.h"
#include "targets/net/error.h"

namespace faultline::ws {

// compute_accept_key: base64(SHA-1(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")).
std::string compute_accept_key(std::string_view key);
// make_client_key: 16 bytes from a seeded generator, base64-encoded.
std::string make_client_key(std::uint64_t seed);
// valid_client_key: base64 text that decodes to exactly 16 bytes.
bool valid_client_key(std::string_view key);
// has_token: a comma-separated header value holds `token` (any case).
bool has_token(std::string_view list, std::string_view token);

enum class HandshakeStep { need_more, accepted, rejected };

// ServerHandshakeOptions: what the server offers.
struct ServerHandshakeOptions {
  // subprotocols: in order of preference; the first the client offers wins.
  std::vector<std::string> subprotocols{};
  std::size_t max_request_bytes = 16 * 1024;
};

// ServerHandshake: reads one upgrade request and answers it.
class ServerHandshake {
 public:
  explicit ServerHandshake(ServerHandshakeOptions options = {});
  ServerHandshake(ServerHandshake&&) noexcept;
  ServerHandshake& operator=(ServerHandshake&&) noexcept;
  ~ServerHandshake();

  // feed: need_more until the request is complete; then accepted (output
  // holds the 101) or rejected (output holds a 4xx naming the problem, and
  // error() says the same). Malformed HTTP is rejected with 400.
  net::Result<HandshakeStep> feed(std::string_view bytes);
  std::string take_output() { return std::exchange(output_, {}); }
  // take_leftover: bytes after the request (the first frames).
  std::string take_leftover() { return std::exchange(leftover_, {}); }
  const std::string& protocol() const { return protocol_; }
  const std::string& target() const { return target_; }
  const net::Error& error() const { return error_; }

 private:
  HandshakeStep reject(int status, std::string reason, http::Headers extra = {});
  ServerHandshakeOptions options_;
  std::unique_ptr<http::Parser> parser_;
  HandshakeStep step_ = HandshakeStep::need_more;
  std::string output_;
  std::string leftover_;
  std::string protocol_;
  std::string target_;
  net::Error error_{};
};

// ClientHandshakeOptions: the request a client sends.
struct ClientHandshakeOptions {
  std::string host{};        // the Host header ("127.0.0.1:9000")
  std::string target = "/";  // the request-target ("/chat?room=1")
  std::vector<std::string> subprotocols{};
  http::Headers extra_headers{};
  std::uint64_t key_seed = 0x5eed;
  std::size_t max_response_bytes = 16 * 1024;
};

// ClientHandshake: writes the upgrade request and checks the response.
class ClientHandshake {
 public:
  explicit ClientHandshake(ClientHandshakeOptions options);
  ClientHandshake(ClientHandshake&&) noexcept;
  ClientHandshake& operator=(ClientHandshake&&) noexcept;
  ~ClientHandshake();

  const std::string& request() const { return request_; }
  const std::string& key() const { return key_; }
  // feed: need_more, accepted, or an error (bad_data, too_large) naming what
  // was wrong with the response.
  net::Result<HandshakeStep> feed(std::string_view bytes);
  std::string take_leftover() { return std::exchange(leftover_, {}); }
  const std::string& protocol() const { return protocol_; }

 private:
  ClientHandshakeOptions options_;
  std::unique_ptr<http::Parser> parser_;
  std::string request_;
  std::string key_;
  std::string leftover_;
  std::string protocol_;
  bool accepted_ = false;
};

}  // namespace faultline::ws
