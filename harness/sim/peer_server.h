// harness/sim/peer_server.h: a sans-I/O server core (sim::Peer) served on real
// TCP sockets, so a peer written for the simulated network also answers real
// clients through a real proxy: the same server behaviour on both back ends.
//
//   sim::PeerServer server([] { return std::make_unique<sim::EchoPeer>(); });
//   server.start();                      // 127.0.0.1, a free port; its own thread
//   dial(server.address()); ...
//   server.stop();                       // closes every connection; idempotent
//
// Each accepted connection gets a fresh Peer, driven on one epoll thread:
//  - bytes received go to on_data; the client's FIN to on_end(close), an RST
//    or a socket error to on_end(reset);
//  - Endpoint::send queues bytes and writes them as the socket takes them;
//    close() sends a FIN once they are written (shutdown(SHUT_WR)); reset()
//    aborts with an RST (SO_LINGER 0) and drops what is queued;
//  - Endpoint::after runs a task later on the steady clock; the tasks of a
//    connection that is gone never run.
// After its FIN the server keeps reading (and discarding) until the client
// closes too, so a client still sending never turns the FIN into an RST.
// A connection over `max_connections`, or idle longer than `idle_timeout`,
// is closed: a misbehaving client cannot hold the server.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <thread>

#include "harness/sim/network.h"
#include "targets/net/address.h"
#include "targets/net/deadline.h"
#include "targets/net/error.h"

namespace faultline::sim {

// PeerServerOptions: where to listen and the bounds.
struct PeerServerOptions {
  net::Address listen = net::Address::loopback(0);
  std::size_t max_connections = 64;
  std::size_t max_queued_bytes = 16 << 20;  // per connection, waiting to be written
  net::Duration idle_timeout = std::chrono::seconds(60);
};

// PeerServer: see the file comment.
class PeerServer {
 public:
  explicit PeerServer(PeerFactory factory, PeerServerOptions options = {});
  ~PeerServer();
  PeerServer(const PeerServer&) = delete;
  PeerServer& operator=(const PeerServer&) = delete;

  // start binds (port 0 picks one) and serves on a background thread.
  net::Status start();
  net::Address address() const { return address_; }
  // stop closes every connection and the listener, and joins the thread.
  void stop();
  // accepted: connections accepted so far. Thread-safe.
  std::uint64_t accepted() const { return accepted_.load(); }

 private:
  class Impl;
  PeerFactory factory_;
  PeerServerOptions options_;
  net::Address address_;
  std::unique_ptr<Impl> impl_;
  std::thread thread_;
  std::atomic<std::uint64_t> accepted_{0};
};

}  // namespace faultline::sim
