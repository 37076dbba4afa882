// targets/echo/threaded_echo_server.h: the thread-per-connection TCP echo server.
//
// The classic blocking model, done correctly: an acceptor thread, and for each
// connection a thread that loops recv -> send_all (every byte, partial writes
// retried) with an idle timeout, bounded by max_connections threads. stop()
// wakes every thread through one eventfd, and after drain_timeout shuts down
// any connection still blocked in a send. Use it through
// make_echo_server(ServerModel::threads, options).
#pragma once

#include <condition_variable>
#include <list>
#include <mutex>
#include <set>
#include <thread>

#include "targets/echo/echo_server.h"
#include "targets/net/fd.h"

namespace faultline::echo {

// ThreadedEchoServer: see the file comment.
class ThreadedEchoServer final : public EchoServer {
 public:
  explicit ThreadedEchoServer(EchoServerOptions options) : options_(options) {}
  ~ThreadedEchoServer() override { stop(); }

  net::Status start() override;
  net::Address address() const override { return address_; }
  void stop() override;
  EchoCounters counters() const override { return counters_.snapshot(); }

 private:
  struct Worker {
    std::thread thread;
    std::atomic<bool> done{false};
  };

  void accept_loop();
  void serve(net::Fd connection);
  void reap_finished_workers();

  EchoServerOptions options_;
  net::Address address_;
  net::Fd listener_;
  net::Fd stop_event_;
  std::thread acceptor_;
  std::mutex mutex_;  // guards workers_ and open_fds_
  std::list<Worker> workers_;
  std::set<int> open_fds_;
  std::condition_variable connections_closed_;
  detail::AtomicCounters counters_;
};

}  // namespace faultline::echo
