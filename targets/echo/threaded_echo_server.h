// targets/echo/threaded_echo_server.h: the thread-per-connection TCP echo server.
//
// The classic blocking model, done correctly: an acceptor thread, and for each
// connection a thread that loops recv -> send_all (every byte, partial writes
// retried) with an idle timeout, bounded by max_connections threads. stop()
// wakes every thread through one eventfd, and after drain_timeout shuts down
// any connection still blocked in a send. Use it through
// make_echo_server(ServerModel::threads, options).
#pragma once

#include "targets/echo/connection_threads.h"
#include "targets/echo/echo_server.h"

namespace faultline::echo {

// ThreadedEchoServer: see the file comment.
class ThreadedEchoServer final : public EchoServer {
 public:
  explicit ThreadedEchoServer(EchoServerOptions options)
      : options_(options), threads_(options, counters_, [this](net::Fd& c) { serve(c); }) {}
  ~ThreadedEchoServer() override { stop(); }

  net::Status start() override { return threads_.start("echo server"); }
  net::Address address() const override { return threads_.address(); }
  // stop: connections get drain_timeout to end, then their sockets are shut down.
  void stop() override { threads_.stop(options_.drain_timeout); }
  EchoCounters counters() const override { return counters_.snapshot(); }

 private:
  void serve(net::Fd& connection);

  EchoServerOptions options_;
  detail::AtomicCounters counters_;
  detail::ConnectionThreads threads_;  // last: its threads use the members above
};

}  // namespace faultline::echo
