// targets/net/stream.h: a connected byte stream and the dialer that makes one.
//
// Protocol drivers (the HTTP client session, suite workloads) talk to a Stream
// rather than to a socket, so the same driver runs over real TCP (TcpDialer)
// and over the deterministic simulator (harness/sim). Deadlines are absolute
// times on the dialer's clock.
//
//   net::TcpDialer dialer;                                   // real sockets, SteadyClock
//   auto deadline = dialer.clock().now() + std::chrono::seconds(2);
//   auto stream = dialer.dial("127.0.0.1", 8080, deadline);  // refused, timeout, unreachable...
//   (*stream)->write_all("GET / HTTP/1.1\r\n\r\n", deadline);
//   char buffer[4096];
//   auto n = (*stream)->read_some(buffer, sizeof(buffer), deadline);   // 0 = peer closed
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "targets/net/clock.h"
#include "targets/net/error.h"
#include "targets/net/fd.h"

namespace faultline::net {

// Stream: one connected, ordered byte stream.
class Stream {
 public:
  virtual ~Stream() = default;
  // write_all sends every byte before `deadline` or fails (timeout, reset...).
  virtual Status write_all(std::string_view bytes, TimePoint deadline) = 0;
  // read_some returns 1..capacity bytes, or 0 when the peer closed (EOF).
  virtual Result<std::size_t> read_some(char* buffer, std::size_t capacity, TimePoint deadline) = 0;
  // readable_now: true when a read would not block (data, EOF or
  // error waiting). A pooled connection with nothing to read is still good.
  virtual bool readable_now() = 0;
  virtual void close() = 0;
  // describe: "127.0.0.1:8080" for error messages.
  virtual std::string describe() const = 0;
};

// Dialer: opens Streams to host:port, and owns the clock they run on.
class Dialer {
 public:
  virtual ~Dialer() = default;
  virtual Result<std::unique_ptr<Stream>> dial(const std::string& host, std::uint16_t port,
                                               TimePoint deadline) = 0;
  virtual Clock& clock() = 0;
};

// TcpStream: a Stream over a connected, non-blocking TCP socket.
class TcpStream final : public Stream {
 public:
  TcpStream(Fd fd, std::string peer) : fd_(std::move(fd)), peer_(std::move(peer)) {}
  Status write_all(std::string_view bytes, TimePoint deadline) override;
  Result<std::size_t> read_some(char* buffer, std::size_t capacity, TimePoint deadline) override;
  bool readable_now() override;
  void close() override { fd_.reset(); }
  std::string describe() const override { return peer_; }
  int fd() const { return fd_.get(); }

 private:
  Fd fd_;
  std::string peer_;
};

// TcpDialer: resolves host:port (numeric or by name) and connects with TCP_NODELAY.
class TcpDialer final : public Dialer {
 public:
  Result<std::unique_ptr<Stream>> dial(const std::string& host, std::uint16_t port,
                                       TimePoint deadline) override;
  Clock& clock() override { return SteadyClock::instance(); }
  // connections: how many dials succeeded (tests use it to see pooling).
  std::uint64_t connections() const { return connections_; }

 private:
  std::uint64_t connections_ = 0;
};

}  // namespace faultline::net
