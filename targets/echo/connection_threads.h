// targets/echo/connection_threads.h: the acceptor and thread-per-connection
// skeleton the blocking echo servers share (plain TCP and TLS).
//
// An acceptor thread polls the listener and one eventfd; each accepted
// connection (up to max_connections, the bound on threads; the rest are
// closed at once and counted as rejected) gets a thread that runs the
// server's `serve` on it. The skeleton owns the descriptor: it closes it only
// after the connection left the open set, so stop() never shuts down a
// descriptor number that was reused. What a connection's thread does (plain
// recv/send, or a TLS handshake and records) is the server's alone.
//
//   ConnectionThreads threads(options, counters, [](net::Fd& connection) { ... });
//   threads.start("echo server");
//   threads.stop(options.drain_timeout);   // wake, wait for workers, then shut the rest down
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <list>
#include <mutex>
#include <set>
#include <string_view>
#include <thread>

#include "targets/echo/echo_server.h"
#include "targets/net/fd.h"

namespace faultline::echo::detail {

// ConnectionThreads: see the file comment.
class ConnectionThreads {
 public:
  // Serve runs one connection to its end; the skeleton closes it afterwards.
  using Serve = std::function<void(net::Fd& connection)>;

  ConnectionThreads(const EchoServerOptions& options, AtomicCounters& counters, Serve serve)
      : options_(options), counters_(counters), serve_(std::move(serve)) {}
  ~ConnectionThreads() { stop(std::chrono::seconds(0)); }
  ConnectionThreads(const ConnectionThreads&) = delete;
  ConnectionThreads& operator=(const ConnectionThreads&) = delete;

  // start binds, listens and starts the acceptor; `what` names the server in errors.
  net::Status start(std::string_view what);
  net::Address address() const { return address_; }
  // stop_event: a descriptor that turns readable when stop() begins (poll it
  // next to the connection to wake up).
  int stop_event() const { return stop_event_.get(); }
  bool stopping() const { return stopping_.load(); }
  // stop stops accepting, waits up to `drain` for the connections to end by
  // themselves, shuts down the rest and joins every thread. Idempotent.
  void stop(net::Duration drain);

 private:
  struct Worker {
    std::thread thread;
    std::atomic<bool> done{false};
  };

  void accept_loop();
  void reap_finished_workers();

  EchoServerOptions options_;
  AtomicCounters& counters_;
  Serve serve_;
  net::Address address_;
  net::Fd listener_;
  net::Fd stop_event_;
  std::thread acceptor_;
  std::atomic<bool> stopping_{false};
  std::mutex mutex_;  // guards workers_ and open_fds_
  std::list<Worker> workers_;
  std::set<int> open_fds_;
  std::condition_variable connections_closed_;
};

}  // namespace faultline::echo::detail
