#include "targets/echo/connection_threads.h"

#include <poll.h>

#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "targets/net/socket.h"

namespace faultline::echo::detail {
namespace {
// After EMFILE and friends, the acceptor waits at most this long for a
// connection to close before trying again.
constexpr auto kAcceptPause = std::chrono::milliseconds(100);
}  // namespace

net::Status ConnectionThreads::start(std::string_view what) {
  if (acceptor_.joinable()) {
    return net::make_error(net::ErrorKind::invalid_argument,
                           std::string(what) + " already started");
  }
  stop_event_.reset(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
  if (!stop_event_) return net::from_errno(errno, "eventfd");
  auto listener = net::listen_bound(options_.listen);
  if (!listener) return tl::unexpected(listener.error());
  listener_ = std::move(listener->fd);
  address_ = listener->address;
  stopping_ = false;
  acceptor_ = std::thread([this] { accept_loop(); });
  return {};
}

void ConnectionThreads::stop(net::Duration drain) {
  if (!acceptor_.joinable()) return;
  stopping_ = true;
  std::uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(stop_event_.get(), &one, sizeof(one));
  acceptor_.join();
  listener_.reset();
  // Workers see the stop event between reads. One still busy after `drain`
  // (blocked in a send to a slow reader, say) has its socket shut down under it.
  {
    std::unique_lock lock(mutex_);
    bool drained =
        connections_closed_.wait_for(lock, drain, [this] { return open_fds_.empty(); });
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

void ConnectionThreads::reap_finished_workers() {
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

void ConnectionThreads::accept_loop() {
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
      serve_(fd);
      {
        std::lock_guard done_lock(mutex_);
        open_fds_.erase(fd.get());
        --counters_.active;
        // Closed after it left open_fds_: stop() never shuts down a reused number.
        fd.reset();
      }
      connections_closed_.notify_all();
      worker.done = true;
    });
  }
}

}  // namespace faultline::echo::detail
