// targets/http/client/integration/scripted_server.h: a loopback TCP server
// that plays a script on each connection it accepts: read a request, send
// these bytes, then close, reset or stall. Used by session_test.cpp.
//
//   ScriptedServer server([](ScriptedConnection& c) {
//     while (c.read_request()) c.send("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
//   });
//   client::Session session({.base_url = server.url()});
//   session.get("/x");                        // server.accepted() == 1
//
// Every wait in the server wakes when it stops, and none lasts longer than
// kScriptedServerMaxWait, so a test can fail but never hang on it.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "targets/net/fd.h"

namespace faultline::http::client::testing {

inline constexpr std::chrono::seconds kScriptedServerMaxWait{20};

class ScriptedServer;

// ScriptedConnection: the server end of one accepted connection.
class ScriptedConnection {
 public:
  ScriptedConnection(ScriptedServer& server, net::Fd fd, int index)
      : server_(server), fd_(std::move(fd)), index_(index) {}

  // read_request reads one request: its head and a Content-Length body.
  // nullopt when the client closed (or the server stops).
  std::optional<std::string> read_request();
  // send writes every byte; false once the client is gone.
  bool send(std::string_view bytes);
  // close sends FIN; reset sends RST (SO_LINGER 0) and drops the socket.
  void close();
  void reset();
  // stall waits, sending nothing, until the client closes or the server stops.
  void stall();
  // index: 0 for the first connection accepted, 1 for the next...
  int index() const { return index_; }

 private:
  bool wait(short events);
  ScriptedServer& server_;
  net::Fd fd_;
  int index_;
  std::string buffered_;
};

using Script = std::function<void(ScriptedConnection&)>;

// ScriptedServer: accepts on 127.0.0.1 (a free port) and runs `script` on a
// thread per connection until stop() or destruction.
class ScriptedServer {
 public:
  explicit ScriptedServer(Script script);
  ~ScriptedServer();
  ScriptedServer(const ScriptedServer&) = delete;
  ScriptedServer& operator=(const ScriptedServer&) = delete;

  std::uint16_t port() const { return port_; }
  // url: "http://127.0.0.1:PORT" + path.
  std::string url(std::string_view path = "") const;
  int accepted() const { return accepted_.load(); }
  // requests: every request read by read_request(), in order.
  std::vector<std::string> requests() const;
  void stop();

 private:
  friend class ScriptedConnection;
  void accept_loop();
  void record(std::string request);

  Script script_;
  net::Fd listener_;
  net::Fd wake_;  // an eventfd: readable once stop() began
  std::uint16_t port_ = 0;
  std::atomic<int> accepted_{0};
  std::atomic<bool> stopping_{false};
  mutable std::mutex mutex_;
  std::vector<std::string> requests_;
  std::vector<std::thread> connections_;
  std::thread acceptor_;
};

}  // namespace faultline::http::client::testing
