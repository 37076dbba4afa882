#include "targets/echo/threaded_echo_server.h"

#include <poll.h>

#include <sys/socket.h>

#include <cerrno>

#include "targets/net/socket.h"

namespace faultline::echo {
namespace {
constexpr std::size_t kReadChunk = 64 * 1024;
}  // namespace

void ThreadedEchoServer::serve(net::Fd& connection) {
  const int fd = connection.get();
  char buffer[kReadChunk];
  for (;;) {
    pollfd fds[2] = {{fd, POLLIN, 0}, {threads_.stop_event(), POLLIN, 0}};
    auto idle_deadline = net::Deadline::after(options_.idle_timeout);
    int rc = ::poll(fds, 2, idle_deadline.poll_timeout_ms());
    if (rc < 0 && errno == EINTR) continue;
    if (rc == 0) {
      ++counters_.idle_closed;
      break;
    }
    if (rc < 0 || fds[1].revents != 0) break;  // stopping: everything read was already echoed
    ssize_t n = ::recv(fd, buffer, sizeof(buffer), 0);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n <= 0) break;  // 0: half-close, and nothing is owed, since each read is echoed in full
    counters_.bytes_received += static_cast<std::uint64_t>(n);
    auto sent = net::send_all(fd, std::string_view(buffer, static_cast<std::size_t>(n)),
                              net::Deadline::after(options_.idle_timeout), "echo send");
    if (!sent) break;
    counters_.bytes_sent += static_cast<std::uint64_t>(n);
  }
}

}  // namespace faultline::echo
