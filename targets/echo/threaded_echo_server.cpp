#include "targets/echo/threaded_echo_server.h"

#include <poll.h>

#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "targets/net/socket.h"

namespace faultline::echo {
namespace {
constexpr std::size_t kReadChunk = 64 * 1024;
// After EMFILE and friends, the acceptor waits at most this long for a
// connection to close before trying again.
constexpr auto kAcceptPause = std::chrono::milliseconds(100);
}  // namespace

net::Status ThreadedEchoServer::start() {
  if (acceptor_.joinable()) {
    return net::make_error(net::ErrorKind::invalid_argument, "echo server already started");
  }
  stop_event_.reset(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
  if (!stop_event_) return net::from_errno(errno, "eventfd");
  auto listener = net::listen_bound(options_.listen);
  if (!listener) return tl::unexpected(listener.error());
  listener_ = std::move(listener->fd);
  address_ = listener->address;
  acceptor_ = std::thread([this] { accept_loop(); });
  return {};
}

void ThreadedEchoServer::stop() {
  if (!acceptor_.joinable()) return;
  std::uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(stop_event_.get(), &one, sizeof(one));
  acceptor_.join();
  listener_.reset();
  // Workers see the stop event between reads. One blocked in send_all to a slow
  // reader gets drain_timeout, then its socket is shut down under it.
  {
    std::unique_lock lock(mutex_);
    bool drained = connections_closed_.wait_for(lock, options_.drain_timeout,
                                                [this] { return open_fds_.empty(); });
    if (!drained) {
      for (int fd : open_fds_)
        ::shutdown(fd, SHUT_RDWR);
    }
  }
  std::list<Worker> workers;
  {
    std::lock_guard lock(mutex_);
    workers.swap(workers_);
  }
  for (auto& worker : workers)
    worker.thread.join();
}

void ThreadedEchoServer::reap_finished_workers() {
  std::lock_guard lock(mutex_);
  for (auto it = workers_.begin(); it != workers_.end();) {
    if (it->done.load()) {
      it->thread.join();
      it = workers_.erase(it);
    } else {
      ++it;
    }
  }
}

void ThreadedEchoServer::accept_loop() {
  for (;;) {
    pollfd fds[2] = {{listener_.get(), POLLIN, 0}, {stop_event_.get(), POLLIN, 0}};
    int rc = ::poll(fds, 2, 1000);
    reap_finished_workers();
    if (rc < 0 && errno != EINTR) return;
    if (fds[1].revents != 0) return;
    if (rc <= 0 || fds[0].revents == 0) continue;
    auto accepted = net::accept_connection(listener_.get());
    if (!accepted) {
      const int err = accepted.error().sys_errno;
      if (err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM) {
        // The listener stays readable: wait for a worker to finish (or the
        // pause to pass, or stop) instead of spinning on accept().
        std::unique_lock lock(mutex_);
        connections_closed_.wait_for(lock, kAcceptPause);
      }
      continue;
    }
    std::lock_guard lock(mutex_);
    if (open_fds_.size() >= options_.max_connections) {
      ++counters_.rejected;
      continue;  // closed here: the bound on threads holds
    }
    (void)net::set_nodelay(accepted->get());
    open_fds_.insert(accepted->get());
    ++counters_.accepted;
    ++counters_.active;
    auto& worker = workers_.emplace_back();
    worker.thread = std::thread([this, &worker, fd = std::move(*accepted)]() mutable {
      serve(std::move(fd));
      worker.done = true;
    });
  }
}

void ThreadedEchoServer::serve(net::Fd connection) {
  const int fd = connection.get();
  char buffer[kReadChunk];
  for (;;) {
    pollfd fds[2] = {{fd, POLLIN, 0}, {stop_event_.get(), POLLIN, 0}};
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
  std::lock_guard lock(mutex_);
  open_fds_.erase(fd);
  --counters_.active;
  // `connection` closes as it leaves scope, after the fd left open_fds_, so
  // stop() never shuts down a descriptor number that was reused.
  connection.reset();
  connections_closed_.notify_all();
}

}  // namespace faultline::echo
