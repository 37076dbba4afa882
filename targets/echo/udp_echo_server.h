// targets/echo/udp_echo_server.h: the UDP echo server (RFC 862, datagrams).
//
// Each datagram is sent back whole to its sender, from one thread.
//
//   UdpEchoServer server(net::Address::loopback(0));
//   server.start();  ...  server.stop();
#pragma once

#include <atomic>
#include <cstdint>
#include <thread>

#include "targets/net/address.h"
#include "targets/net/error.h"
#include "targets/net/fd.h"

namespace faultline::echo {

// UdpEchoCounters: a snapshot of a UDP server's counters.
struct UdpEchoCounters {
  std::uint64_t datagrams = 0;
  std::uint64_t bytes = 0;
  std::uint64_t send_errors = 0;
};

// UdpEchoServer: see the file comment.
class UdpEchoServer {
 public:
  explicit UdpEchoServer(net::Address listen) : listen_(listen) {}
  ~UdpEchoServer() { stop(); }
  UdpEchoServer(const UdpEchoServer&) = delete;
  UdpEchoServer& operator=(const UdpEchoServer&) = delete;

  net::Status start();
  net::Address address() const { return address_; }
  void stop();
  UdpEchoCounters counters() const {
    return UdpEchoCounters{datagrams_.load(), bytes_.load(), send_errors_.load()};
  }

 private:
  void serve();

  net::Address listen_;
  net::Address address_;
  net::Fd socket_;
  net::Fd stop_event_;
  std::thread thread_;
  std::atomic<std::uint64_t> datagrams_{0};
  std::atomic<std::uint64_t> bytes_{0};
  std::atomic<std::uint64_t> send_errors_{0};
};

}  // namespace faultline::echo
