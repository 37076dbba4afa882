// targets/echo/epoll_echo_server.h: the event-driven TCP echo server.
//
// Each of `options.loops` threads runs a net::EventLoop; every socket is
// non-blocking. The first loop accepts and deals the connections out to the
// loops in turn; a connection stays on its loop. Per connection: an EchoSession (owed bytes, backpressure,
// half-close) and an idle timer. Use it through
// make_echo_server(ServerModel::epoll, options).
//
//   client --bytes--> [recv] -> EchoSession -> [send] --bytes--> client
//                       ^ paused while owed >= max_owed_bytes
#pragma once

#include <memory>
#include <thread>
#include <unordered_map>
#include <vector>

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

  // Loop: one event-loop thread and the connections it accepted.
  struct Loop {
    std::unique_ptr<net::EventLoop> loop;
    std::unordered_map<int, std::unique_ptr<Connection>> connections;
    std::thread thread;
    bool watching_listener = false;  // the listener is in this loop's set (the first loop's)
    bool draining = false;
    bool accepting_paused = false;
  };

  void accept_ready(Loop& loop);
  // adopt makes an accepted connection the loop's own (on the loop's thread).
  void adopt(Loop& loop, net::Fd accepted);
  // pause_accepting: after EMFILE and friends, stop watching the listener for
  // a moment (it stays readable, so retrying at once would spin).
  void pause_accepting(Loop& loop);
  void on_connection_event(Loop& loop, int fd, std::uint32_t events);
  // read_some and write_some return false once the connection is closed.
  bool read_some(Loop& loop, Connection& connection);
  bool write_some(Loop& loop, Connection& connection);
  void update_interest(Loop& loop, Connection& connection);
  void arm_idle_timer(Loop& loop, int fd, net::Duration after);
  void close_connection(Loop& loop, int fd);
  void begin_drain(Loop& loop);

  EchoServerOptions options_;
  net::Address address_;
  net::Fd listener_;
  std::vector<std::unique_ptr<Loop>> loops_;
  std::size_t next_loop_ = 0;  // the accepting loop's thread only
  detail::AtomicCounters counters_;
};

}  // namespace faultline::echo
