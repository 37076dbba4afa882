// targets/tls/tls_engine.h: one TLS connection, sans-I/O, over OpenSSL memory BIOs.
//
// The engine never touches a socket. Ciphertext from the peer goes in through
// feed() (in pieces of any size: a record split into 1-byte reads decrypts the
// same), ciphertext to send comes out of take_output(), and the end of the
// transport is reported with feed_eof(). So the same engine runs over real
// sockets (TlsStream over TcpStream), through the proxy, in the simulator and
// under a fuzzer.
//
//   auto client = TlsEngine::client(client_context, "localhost");
//   auto server = TlsEngine::server(server_context);
//   while (!(*client)->handshake_done() || !(*server)->handshake_done()) {
//     (void)(*client)->handshake();  (*server)->feed((*client)->take_output());
//     (void)(*server)->handshake();  (*client)->feed((*server)->take_output());
//   }
//
// Failures are net::Error values with their own kinds: tls_unknown_ca,
// tls_expired, tls_wrong_host, tls_bad_certificate, tls_alert ("peer sent alert:
// handshake failure"), tls_truncated (EOF without close_notify), tls_protocol.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "targets/net/error.h"
#include "targets/tls/openssl_handles.h"
#include "targets/tls/session_cache.h"
#include "targets/tls/tls_config.h"

namespace faultline::tls {

// ReadOutcome: what one read() produced. bytes == 0 and !closed means the
// engine needs more ciphertext (feed it, then read again).
struct ReadOutcome {
  std::size_t bytes = 0;
  bool closed = false;  // the peer sent close_notify: a clean end of stream
};

// TlsEngine: see the file comment. Not movable: OpenSSL callbacks point at it.
class TlsEngine {
 public:
  // client verifies the server against `host` (a DNS name, or an IP address)
  // unless the context is insecure, and sends it as SNI when it is a name.
  // With `sessions`, it offers the session cached under `session_key` and
  // stores the ones the server issues there.
  static net::Result<std::unique_ptr<TlsEngine>> client(
      std::shared_ptr<const ClientContext> context, const std::string& host,
      std::shared_ptr<SessionCache> sessions = nullptr, std::string session_key = {});
  static net::Result<std::unique_ptr<TlsEngine>> server(
      std::shared_ptr<const ServerContext> context);

  TlsEngine(const TlsEngine&) = delete;
  TlsEngine& operator=(const TlsEngine&) = delete;

  // feed hands the engine ciphertext received from the peer.
  void feed(std::string_view ciphertext);
  // feed_eof: the transport ended. A later read that still needs bytes is a truncation.
  void feed_eof() { transport_eof_ = true; }
  // take_output returns (and forgets) the ciphertext waiting to be sent.
  std::string take_output();
  bool has_output() const;

  // handshake advances the handshake: true once done, false while it needs
  // more ciphertext, or an Error (certificate, alert, protocol, closed).
  net::Result<bool> handshake();
  bool handshake_done() const { return handshake_done_; }

  // read decrypts up to `capacity` plaintext bytes.
  net::Result<ReadOutcome> read(char* buffer, std::size_t capacity);
  // pending_plaintext: decrypted bytes ready without more input.
  bool pending_plaintext() const;
  // write encrypts all of `plaintext` into the output (after the handshake).
  net::Status write(std::string_view plaintext);
  // close queues close_notify; take_output() then holds it.
  void close();

  // After the handshake: "TLSv1.3", the ALPN protocol chosen ("" when none).
  std::string version() const;
  std::string alpn() const;
  const std::string& peer() const { return peer_; }
  // session_reused: the handshake resumed an earlier session (no certificate sent).
  bool session_reused() const;

 private:
  TlsEngine(SslPtr ssl, std::string peer, bool is_client)
      : ssl_(std::move(ssl)), peer_(std::move(peer)), is_client_(is_client) {}
  static net::Result<std::unique_ptr<TlsEngine>> make(SSL_CTX* context, std::string peer,
                                                      bool is_client);
  static void on_info(const SSL* ssl, int where, int value);
  friend int store_new_session(SSL* ssl, SSL_SESSION* session);
  // failure turns an SSL_get_error code into an Error with the right kind.
  net::Error failure(int ssl_error, std::string_view operation);

  SslPtr ssl_;
  BIO* input_ = nullptr;   // owned by ssl_
  BIO* output_ = nullptr;  // owned by ssl_
  std::string peer_;
  bool is_client_;
  bool handshake_done_ = false;
  bool transport_eof_ = false;
  std::string alert_received_;  // description of the last fatal alert from the peer
  std::shared_ptr<const void> context_keepalive_;
  std::shared_ptr<SessionCache> sessions_;
  std::string session_key_;
};

}  // namespace faultline::tls
