// targets/echo/echo_server.h: the TCP echo server interface and its two models.
//
// Both models (an epoll event loop, and one thread per connection) implement
// EchoServer, so tests, suites and benchmarks can swap them.
//
//   EchoServerOptions options;
//   options.listen = net::Address::loopback(0);
//   auto server = make_echo_server(ServerModel::epoll, options);
//   if (auto started = server->start(); !started) { ... }
//   std::cout << server->address().to_string();      // the port picked
//   server->stop();                                    // graceful: owed bytes flushed
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "targets/net/address.h"
#include "targets/net/deadline.h"
#include "targets/net/error.h"

namespace faultline::echo {

// ServerModel: how a server handles its connections.
enum class ServerModel { epoll, threads };

// parse_server_model accepts "epoll" or "threads".
net::Result<ServerModel> parse_server_model(std::string_view text);
std::string_view model_name(ServerModel model);

// EchoServerOptions: settings shared by both models.
struct EchoServerOptions {
  net::Address listen = net::Address::loopback(0);
  // Close a connection with no traffic for this long.
  net::Duration idle_timeout = std::chrono::seconds(60);
  // Connections beyond this are accepted and closed at once (counted as rejected);
  // for the threads model it is also the bound on threads.
  std::size_t max_connections = 1024;
  // Backpressure: stop reading a connection once this many bytes wait to be echoed.
  std::size_t max_owed_bytes = 1 << 20;
  // On stop(): how long owed bytes may take to flush before connections are closed.
  net::Duration drain_timeout = std::chrono::seconds(2);
  // epoll model: event-loop threads sharing the listener (each new connection
  // goes to one of them and stays there). One loop is one core at most.
  std::size_t loops = 1;
};

// EchoCounters: a snapshot of a server's counters.
struct EchoCounters {
  std::uint64_t accepted = 0;
  std::uint64_t rejected = 0;  // over max_connections
  std::uint64_t active = 0;
  std::uint64_t idle_closed = 0;
  std::uint64_t bytes_received = 0;
  std::uint64_t bytes_sent = 0;
};

// EchoServer: a running TCP echo server.
class EchoServer {
 public:
  virtual ~EchoServer() = default;
  // start binds, listens and serves on a background thread.
  virtual net::Status start() = 0;
  // address is where it listens (the real port when started on port 0).
  virtual net::Address address() const = 0;
  // stop stops accepting, flushes owed bytes (bounded by drain_timeout), closes
  // every connection and joins its threads. Idempotent.
  virtual void stop() = 0;
  virtual EchoCounters counters() const = 0;
};

std::unique_ptr<EchoServer> make_echo_server(ServerModel model, EchoServerOptions options);

namespace detail {

// AtomicCounters: the live counters behind EchoCounters.
struct AtomicCounters {
  std::atomic<std::uint64_t> accepted{0};
  std::atomic<std::uint64_t> rejected{0};
  std::atomic<std::uint64_t> active{0};
  std::atomic<std::uint64_t> idle_closed{0};
  std::atomic<std::uint64_t> bytes_received{0};
  std::atomic<std::uint64_t> bytes_sent{0};

  EchoCounters snapshot() const {
    return EchoCounters{accepted.load(),    rejected.load(),       active.load(),
                        idle_closed.load(), bytes_received.load(), bytes_sent.load()};
  }
};

}  // namespace detail
}  // namespace faultline::echo
