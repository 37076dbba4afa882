// targets/echo/epoll_echo_server.h: the event-driven TCP echo server.
//
// One thread runs a net::EventLoop; every socket is non-blocking. Per
// connection: an EchoSession (owed bytes, backpressure, half-close) and an idle
// timer. Use it through make_echo_server(ServerModel::epoll, options).
//
//   client --bytes--> [recv] -> EchoSession -> [send] --bytes--> client
//                       ^ paused while owed >= max_owed_bytes
#pragma once

#include <memory>
#include <thread>
#include <unordered_map>

#include "targets/echo/echo_server.h"
#include "targets/echo/echo_session.h"
#include "targets/net/event_loop.h"
#include "targets/net/fd.h"

namespace faultline::echo {

// EpollEchoServer: see the file comment.
class EpollEchoServer final : public EchoServer {
 public:
  explicit EpollEchoServer(EchoServerOptions options) : options_(options) {}
  ~EpollEchoServer() override { stop(); }

  net::Status start() override;
  net::Address address() const override { return address_; }
  void stop() override;
  EchoCounters counters() const override { return counters_.snapshot(); }

 private:
  struct Connection {
    net::Fd fd;
    EchoSession session;
    net::MonotonicClock::time_point last_activity;
    net::EventLoop::TimerId idle_timer = 0;
    std::uint32_t watched_events = 0;
  };

  void accept_ready();
  // pause_accepting: after EMFILE and friends, stop watching the listener for
  // a moment (it stays readable, so retrying at once would spin).
  void pause_accepting();
  void on_connection_event(int fd, std::uint32_t events);
  // service reads and writes what it can; returns false once the connection is closed.
  bool read_some(Connection& connection);
  bool write_some(Connection& connection);
  void update_interest(Connection& connection);
  void arm_idle_timer(int fd, net::Duration after);
  void close_connection(int fd);
  void begin_drain();

  EchoServerOptions options_;
  net::Address address_;
  net::Fd listener_;
  std::unique_ptr<net::EventLoop> loop_;
  std::unordered_map<int, std::unique_ptr<Connection>> connections_;
  std::thread thread_;
  bool draining_ = false;
  bool accepting_paused_ = false;
  detail::AtomicCounters counters_;
};

}  // namespace faultline::echo
