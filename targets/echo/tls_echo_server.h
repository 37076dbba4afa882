// targets/echo/tls_echo_server.h: the echo server over TLS, one thread per connection.
//
// Each accepted connection runs the TLS handshake (bounded by
// handshake_timeout) and then echoes decrypted bytes back encrypted, whatever
// the record boundaries: one read is never taken as one message. A clean end
// (close_notify) closes the connection with close_notify of its own. It
// implements EchoServer, so tests and suites can swap it for the plain models.
//
//   auto context = tls::ServerContext::from_files("server.pem", "server-key.pem");
//   TlsEchoServer server(options, *context);
//   if (auto started = server.start(); !started) { ... }
//   server.stop();
#pragma once

#include <functional>

#include "targets/echo/connection_threads.h"
#include "targets/echo/echo_server.h"
#include "targets/tls/tls_config.h"

namespace faultline::echo {

// TlsEchoServer: see the file comment.
class TlsEchoServer final : public EchoServer {
 public:
  // ReadReply: what one read's plaintext is answered with; empty: the bytes
  // themselves (the only right answer: the suites' mutants pass another).
  using ReadReply = std::function<std::string(std::string_view)>;

  TlsEchoServer(EchoServerOptions options, std::shared_ptr<const tls::ServerContext> context,
                net::Duration handshake_timeout = std::chrono::seconds(10),
                ReadReply read_reply = {})
      : options_(options),
        context_(std::move(context)),
        handshake_timeout_(handshake_timeout),
        read_reply_(std::move(read_reply)),
        threads_(options, counters_, [this](net::Fd& c) { serve(c); }) {}
  ~TlsEchoServer() override { stop(); }

  net::Status start() override { return threads_.start("tls echo server"); }
  net::Address address() const override { return threads_.address(); }
  // stop: every byte read was echoed before the next read, so nothing is
  // owed: the connections are shut down at once, ending each blocked read.
  void stop() override { threads_.stop(net::Duration::zero()); }
  EchoCounters counters() const override { return counters_.snapshot(); }
  // handshake_failures: connections whose handshake failed (bad certificate
  // on the client's side, timeouts, garbage).
  std::uint64_t handshake_failures() const { return handshake_failures_.load(); }

 private:
  void serve(net::Fd& connection);

  EchoServerOptions options_;
  std::shared_ptr<const tls::ServerContext> context_;
  net::Duration handshake_timeout_;
  ReadReply read_reply_;
  detail::AtomicCounters counters_;
  std::atomic<std::uint64_t> handshake_failures_{0};
  detail::ConnectionThreads threads_;  // last: its threads use the members above
};

}  // namespace faultline::echo
