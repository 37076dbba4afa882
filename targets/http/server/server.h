// targets/http/server/server.h: the reference HTTP/1.1 server: an epoll
// driver for ServerSession, serving the httpbin-like handler by default.
//
// One thread runs a net::EventLoop; every socket is non-blocking. Per
// connection a ServerSession (server_session.h) does the protocol: keep-alive,
// pipelining in order, limits (400/413/414/431), backpressure and the idle,
// header, body and send timeouts. The driver moves bytes, arms one timer per
// connection at the session's next wake-up, caps the connection count (503)
// and closes politely: FIN, then a short lingering read, so a client still
// sending a refused body reads its 413 instead of a reset.
//
//   http::HttpServerOptions options;
//   options.listen = net::Address::loopback(0);          // port 0: pick one
//   options.session.header_timeout = std::chrono::seconds(5);
//   http::HttpServer server(options);                    // handler: httpbin
//   if (auto started = server.start(); !started) return started.error();
//   std::cout << server.address().to_string();           // "127.0.0.1:40123"
//   ...
//   server.stop();                                       // graceful, bounded by drain_timeout
//   std::cout << server.counters().requests;
//
// With options.tls set it serves HTTPS: each connection runs a sans-I/O
// tls::TlsEngine between the socket and its ServerSession (ciphertext in,
// plaintext to the session; responses encrypted on the way out), and closes
// with close_notify. The session's idle timeout bounds the handshake too.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>

#include "targets/http/server/counters.h"
#include "targets/http/server/handler.h"
#include "targets/http/server/server_session.h"
#include "targets/net/address.h"
#include "targets/net/error.h"
#include "targets/tls/tls_config.h"

namespace faultline::http {

// HttpServerOptions: where to listen, what to serve, and the bounds.
struct HttpServerOptions {
  net::Address listen = net::Address::loopback(0);
  // handler answers every request; empty means the httpbin-like handler.
  Handler handler;
  // Connections beyond this get a best-effort 503 and are closed at once.
  std::size_t max_connections = 1024;
  // Per-connection limits and timeouts (idle, header, body, send).
  SessionOptions session;
  // stop(): how long answers owed to parsed requests may take before every
  // connection is closed regardless.
  net::Duration drain_timeout = std::chrono::seconds(2);
  // After the last response: how long to read and discard what the client
  // still sends before closing.
  net::Duration linger_timeout = std::chrono::seconds(1);
  // tls: serve HTTPS with this certificate and key; null: plain HTTP.
  std::shared_ptr<const tls::ServerContext> tls;
};

// HttpServer: see the file comment. Not copyable or movable.
class HttpServer {
 public:
  explicit HttpServer(HttpServerOptions options);
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;
  ~HttpServer();  // stop()s

  // start binds, listens and serves on a background thread.
  net::Status start();
  // address is where it listens (the real port when started on port 0).
  net::Address address() const;
  // stop stops accepting, answers the requests already parsed (bounded by
  // drain_timeout), closes every connection and joins the thread. Idempotent.
  void stop();
  HttpServerCounters counters() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace faultline::http
