#include "targets/echo/udp_echo_server.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "targets/net/socket.h"

namespace faultline::echo {

net::Status UdpEchoServer::start() {
  if (thread_.joinable()) {
    return net::make_error(net::ErrorKind::invalid_argument, "udp echo server already started");
  }
  stop_event_.reset(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
  if (!stop_event_) return net::from_errno(errno, "eventfd");
  auto socket = net::bind_udp(listen_);
  if (!socket) return tl::unexpected(socket.error());
  socket_ = std::move(*socket);
  auto bound = net::local_address(socket_.get());
  if (!bound) return tl::unexpected(bound.error());
  address_ = *bound;
  thread_ = std::thread([this] { serve(); });
  return {};
}

void UdpEchoServer::stop() {
  if (!thread_.joinable()) return;
  std::uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(stop_event_.get(), &one, sizeof(one));
  thread_.join();
  socket_.reset();
}

void UdpEchoServer::serve() {
  static constexpr std::size_t kMaxDatagram = 65536;
  std::string buffer(kMaxDatagram, '\0');
  for (;;) {
    pollfd fds[2] = {{socket_.get(), POLLIN, 0}, {stop_event_.get(), POLLIN, 0}};
    int rc = ::poll(fds, 2, -1);
    if (rc < 0 && errno == EINTR) continue;
    if (rc < 0 || fds[1].revents != 0) return;
    // Drain what is queued, bounded so the stop event is seen promptly.
    for (int i = 0; i < 64; ++i) {
      sockaddr_storage peer{};
      socklen_t peer_length = sizeof(peer);
      ssize_t n = ::recvfrom(socket_.get(), buffer.data(), buffer.size(), 0,
                             reinterpret_cast<sockaddr*>(&peer), &peer_length);
      if (n < 0) break;  // EAGAIN, or an ICMP error from an earlier send: carry on
      ++datagrams_;
      bytes_ += static_cast<std::uint64_t>(n);
      if (::sendto(socket_.get(), buffer.data(), static_cast<std::size_t>(n), 0,
                   reinterpret_cast<sockaddr*>(&peer), peer_length) < 0) {
        ++send_errors_;
      }
    }
  }
}

}  // namespace faultline::echo
