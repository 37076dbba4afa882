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

#include <condition_variable>
#include <list>
#include <mutex>
#include <set>
#include <thread>

#include "targets/echo/echo_server.h"
#include "targets/net/fd.h"
#include "targets/tls/tls_config.h"

namespace faultline::echo {

// TlsEchoServer: see the file comment.
class TlsEchoServer final : public EchoServer {
 public:
  TlsEchoServer(EchoServerOptions options, std::shared_ptr<const tls::ServerContext> context,
                net::Duration handshake_timeout = std::chrono::seconds(10))
      : options_(options), context_(std::move(context)), handshake_timeout_(handshake_timeout) {}
  ~TlsEchoServer() override { stop(); }

  net::Status start() override;
  net::Address address() const override { return address_; }
  void stop() override;
  EchoCounters counters() const override { return counters_.snapshot(); }
  // handshake_failures: connections whose handshake failed (bad certificate
  // on the client's side, timeouts, garbage).
  std::uint64_t handshake_failures() const { return handshake_failures_.load(); }

 private:
  struct Worker {
    std::thread thread;
    std::atomic<bool> done{false};
  };

  void accept_loop();
  void serve(net::Fd connection);
  void reap_finished_workers();

  EchoServerOptions options_;
  std::shared_ptr<const tls::ServerContext> context_;
  net::Duration handshake_timeout_;
  net::Address address_;
  net::Fd listener_;
  net::Fd stop_event_;
  std::thread acceptor_;
  std::atomic<bool> stopping_{false};
  std::mutex mutex_;  // guards workers_ and open_fds_
  std::list<Worker> workers_;
  std::set<int> open_fds_;
  detail::AtomicCounters counters_;
  std::atomic<std::uint64_t> handshake_failures_{0};
};

}  // namespace faultline::echo
