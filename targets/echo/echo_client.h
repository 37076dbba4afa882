// targets/echo/echo_client.h: TCP and UDP echo clients with deadlines.
//
// TcpEchoClient sends a message and reads exactly as many bytes back, sending
// and receiving at once (a large message never deadlocks against a server that
// applies backpressure). Every wait is bounded by a per-operation deadline (no
// progress for that long) and an overall one.
//
// UdpEchoClient prefixes each datagram with an 8-byte request tag, so a reply
// is matched to its request: late replies to an earlier attempt, duplicates and
// strangers are discarded, and so are damaged replies (bytes differ from the
// request); a lost one is retried, a bounded number of times.
//
//   auto client = TcpEchoClient::connect(address, EchoTimeouts{});
//   auto echoed = client->exchange("안녕하세요!");   // or an Error: timeout, reset, closed...
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "targets/net/address.h"
#include "targets/net/deadline.h"
#include "targets/net/error.h"
#include "targets/net/fd.h"
#include "targets/net/socket.h"
#include "targets/net/stream.h"

namespace faultline::echo {

// EchoTimeouts: deadlines for one client.
struct EchoTimeouts {
  net::Duration connect = std::chrono::seconds(5);
  // An exchange fails when no byte moves for this long.
  net::Duration operation = std::chrono::seconds(5);
  // An exchange fails when it takes longer than this in all.
  net::Duration overall = std::chrono::seconds(60);
};

// TcpEchoClient: one TCP connection to an echo server.
class TcpEchoClient {
 public:
  static net::Result<TcpEchoClient> connect(const net::Address& server, EchoTimeouts timeouts);

  // exchange sends `message` and returns the bytes echoed back (exactly as many).
  // A mismatch is not checked here: callers compare, so a test can report it.
  net::Result<std::string> exchange(std::string_view message);
  // close_write sends FIN; the server still owes what it has not echoed.
  net::Status close_write() { return net::shutdown_write(fd_.get()); }
  // read_to_end reads until the server closes (bounded by the timeouts).
  net::Result<std::string> read_to_end(std::size_t max_bytes);
  int fd() const { return fd_.get(); }

 private:
  TcpEchoClient(net::Fd fd, net::Address server, EchoTimeouts timeouts)
      : fd_(std::move(fd)), server_(server), timeouts_(timeouts) {}
  net::Fd fd_;
  net::Address server_;
  EchoTimeouts timeouts_;
};

// exchange_over_stream: the same exchange over any net::Stream (a real TCP
// stream, or a simulated one). Writes the whole message, then reads exactly as
// many bytes back before `deadline` (on the stream's clock). Meant for
// messages that fit the transport's buffers; TcpEchoClient interleaves.
net::Result<std::string> exchange_over_stream(net::Stream& stream, std::string_view message,
                                              net::TimePoint deadline);

// UdpOptions: UdpEchoClient settings.
struct UdpOptions {
  // How long to await each reply.
  net::Duration timeout = std::chrono::milliseconds(500);
  // Resends after the first attempt.
  int retries = 3;
  // First request tag; later requests count up from it.
  std::uint64_t first_tag = 1;
};

// UdpExchange: a matched reply and what it took.
struct UdpExchange {
  std::string reply;
  int attempts = 0;
  std::uint64_t discarded = 0;  // stale or foreign datagrams dropped while waiting
  std::uint64_t damaged = 0;    // replies to this request whose bytes differ (dropped)
};

// UdpEchoClient: a connected datagram socket to an echo server.
class UdpEchoClient {
 public:
  static constexpr std::size_t kTagBytes = 8;
  static constexpr std::size_t kMaxPayload = 65507 - kTagBytes;

  static net::Result<UdpEchoClient> open(const net::Address& server, UdpOptions options);
  // exchange sends one tagged datagram and waits for its echo, with retries.
  net::Result<UdpExchange> exchange(std::string_view message);

 private:
  UdpEchoClient(net::Fd fd, net::Address server, UdpOptions options)
      : fd_(std::move(fd)), server_(server), options_(options), next_tag_(options.first_tag) {}
  net::Fd fd_;
  net::Address server_;
  UdpOptions options_;
  std::uint64_t next_tag_;
};

}  // namespace faultline::echo
