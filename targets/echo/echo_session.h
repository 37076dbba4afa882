// targets/echo/echo_session.h: the echo protocol core (RFC 862), without I/O.
//
// A session consumes received bytes and owes the same bytes back. Drivers (the
// epoll server, the threaded server, the simulator) feed it and drain it; it
// never touches a socket. It also decides backpressure (stop reading while too
// much is owed) and when a half-closed connection may close (nothing owed).
//
//   EchoSession session(EchoSession::Limits{.max_owed_bytes = 1 << 20});
//   session.on_receive(bytes);                       // from recv()
//   ssize_t n = send(fd, session.owed().data(), session.owed().size(), 0);
//   session.on_sent(n);
//   if (!session.wants_input()) stop_reading();      // backpressure
//   if (session.finished()) close(fd);               // peer sent FIN, all echoed
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace faultline::echo {

// EchoSession: one connection's echo state.
class EchoSession {
 public:
  struct Limits {
    // Stop reading once this many echoed bytes wait to be sent.
    std::size_t max_owed_bytes = 1 << 20;
  };

  EchoSession() = default;
  explicit EchoSession(Limits limits) : limits_(limits) {}

  // on_receive appends received bytes to what is owed back.
  void on_receive(std::string_view bytes);
  // owed gives the bytes still to send, oldest first.
  std::string_view owed() const { return std::string_view(buffer_).substr(sent_offset_); }
  // on_sent records that the first `count` owed bytes were sent.
  void on_sent(std::size_t count);
  // on_peer_closed records the peer's FIN: no more input will come.
  void on_peer_closed() { peer_closed_ = true; }

  // wants_input: false while the owed bytes are at or above the limit.
  bool wants_input() const { return !peer_closed_ && owed().size() < limits_.max_owed_bytes; }
  // finished: the peer closed and every byte has been echoed; close now.
  bool finished() const { return peer_closed_ && owed().empty(); }
  bool peer_closed() const { return peer_closed_; }

  std::uint64_t bytes_received() const { return bytes_received_; }
  std::uint64_t bytes_sent() const { return bytes_sent_; }

 private:
  Limits limits_;
  std::string buffer_;
  std::size_t sent_offset_ = 0;
  bool peer_closed_ = false;
  std::uint64_t bytes_received_ = 0;
  std::uint64_t bytes_sent_ = 0;
};

}  // namespace faultline::echo
