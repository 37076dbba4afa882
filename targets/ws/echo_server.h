// targets/ws/echo_server.h: the WebSocket echo server on the event loop.
//
// One thread runs a net::EventLoop; every socket is non-blocking. A text
// message comes back as text, a binary one as binary (whole messages: the
// server reassembles fragments). Per connection:
//
//   accept -> handshake --101--> open --peer's close, answered--> draining -> close fd
//               |  4xx           |  protocol error: close 1002/1007/1009 --^
//               v                |  pong_timeout without a pong: close 1001 ^
//            draining            |  stop(): close 1001, wait close_timeout for the answer
//
// draining: the server has said its last word (a close frame or a 4xx); it
// flushes, shuts its side down (FIN) and reads until the peer's FIN, at most
// close_timeout, so the close frame is not lost to a reset caused by unread
// bytes. A peer that half-closes right after its close frame still gets
// every byte owed to it. Every phase has a deadline; every buffer a bound.
//
//   ws::WsEchoServer server({.listen = net::Address::loopback(0)});
//   if (auto started = server.start(); !started) ...
//   std::cout << server.address().to_string();
//   server.stop();   // each open connection gets a close 1001, then goes
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "targets/net/address.h"
#include "targets/net/event_loop.h"
#include "targets/net/fd.h"
#include "targets/ws/connection.h"
#include "targets/ws/handshake.h"

namespace faultline::ws {

// WsServerOptions: the server's bounds and timeouts.
struct WsServerOptions {
  net::Address listen = net::Address::loopback(0);
  ConnectionLimits limits{};
  std::vector<std::string> subprotocols{};
  std::size_t max_connections = 1024;
  // Backpressure: stop reading a connection while this many bytes wait to go out.
  std::size_t max_owed_bytes = 1 << 20;
  net::Duration handshake_timeout = std::chrono::seconds(10);
  // close_timeout: how long the peer has to answer our close frame, and to
  // close its side once the close frames are exchanged.
  net::Duration close_timeout = std::chrono::seconds(5);
  // Keepalive: a ping after ping_interval without any frame from the peer;
  // no frame within pong_timeout after it fails the connection (1001).
  // Zero turns keepalive off.
  net::Duration ping_interval = std::chrono::seconds(30);
  net::Duration pong_timeout = std::chrono::seconds(10);
};

// WsServerCounters: what happened, for tests and the CLI.
struct WsServerCounters {
  std::uint64_t accepted = 0;
  std::uint64_t rejected = 0;  // over max_connections
  std::uint64_t active = 0;
  std::uint64_t handshakes = 0;
  std::uint64_t handshakes_refused = 0;
  std::uint64_t handshake_timeouts = 0;
  std::uint64_t messages = 0;
  std::uint64_t protocol_errors = 0;
  std::uint64_t clean_closes = 0;    // close frames exchanged, then FIN
  std::uint64_t close_timeouts = 0;  // the peer did not answer our close (or not close its side)
  std::uint64_t pings_sent = 0;
  std::uint64_t pong_timeouts = 0;
  std::uint64_t abnormal_closes = 0;  // TCP closed or reset without a close frame
};

// WsEchoServer: see the file comment.
class WsEchoServer {
 public:
  explicit WsEchoServer(WsServerOptions options = {}) : options_(std::move(options)) {}
  WsEchoServer(const WsEchoServer&) = delete;
  WsEchoServer& operator=(const WsEchoServer&) = delete;
  ~WsEchoServer() { stop(); }

  // start binds, listens and serves on a background thread.
  net::Status start();
  net::Address address() const { return address_; }
  // stop closes every connection with 1001 (bounded by close_timeout) and
  // joins the thread. Idempotent.
  void stop();
  WsServerCounters counters() const;

 private:
  enum class Phase { handshake, open, draining };
  struct Client {
    net::Fd fd;
    Phase phase = Phase::handshake;
    ServerHandshake handshake;
    std::optional<Connection> connection;
    std::string out;
    bool write_shut = false;
    bool peer_fin = false;  // the peer half-closed while we still owed it bytes
    net::EventLoop::TimerId timer = 0;
    net::MonotonicClock::time_point deadline{};  // of the phase (handshake, close, drain)
    net::MonotonicClock::time_point last_frame{};
    bool awaiting_pong = false;
    net::MonotonicClock::time_point pong_deadline{};
    std::uint32_t watched = 0;
    std::uint64_t pings_sent = 0;
  };

  void accept_ready();
  void on_event(int fd, std::uint32_t events);
  bool read_ready(Client& client);
  bool flush(Client& client);
  void after_io(Client& client);
  void handle_events(Client& client);
  void start_draining(Client& client);
  void on_timer(int fd);
  void arm_timer(Client& client);
  void update_interest(Client& client);
  void close_client(int fd);
  void begin_stop();

  WsServerOptions options_;
  net::Address address_;
  net::Fd listener_;
  std::unique_ptr<net::EventLoop> loop_;
  std::unordered_map<int, std::unique_ptr<Client>> clients_;
  std::thread thread_;
  bool stopping_ = false;

  struct AtomicCounters {
    std::atomic<std::uint64_t> accepted{0}, rejected{0}, active{0}, handshakes{0},
        handshakes_refused{0}, handshake_timeouts{0}, messages{0}, protocol_errors{0},
        clean_closes{0}, close_timeouts{0}, pings_sent{0}, pong_timeouts{0}, abnormal_closes{0};
  } counters_;
};

}  // namespace faultline::ws
