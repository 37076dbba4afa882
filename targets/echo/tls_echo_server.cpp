#include "targets/echo/tls_echo_server.h"

#include <poll.h>

#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fcntl.h>

#include <cerrno>

#include "targets/net/socket.h"
#include "targets/tls/tls_stream.h"

namespace faultline::echo {
namespace {
constexpr std::size_t kReadChunk = 16 * 1024;
}  // namespace

net::Status TlsEchoServer::start() {
  if (acceptor_.joinable()) {
    return net::make_error(net::ErrorKind::invalid_argument, "tls echo server already started");
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

void TlsEchoServer::stop() {
  if (!acceptor_.joinable()) return;
  stopping_ = true;
  std::uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(stop_event_.get(), &one, sizeof(one));
  acceptor_.join();
  listener_.reset();
  // Every byte read was echoed before the next read, so nothing is owed:
  // shutting the sockets down ends each worker's blocked read at once.
  {
    std::lock_guard lock(mutex_);
    for (int fd : open_fds_)
      ::shutdown(fd, SHUT_RDWR);
  }
  std::list<Worker> workers;
  {
    std::lock_guard lock(mutex_);
    workers.swap(workers_);
  }
  for (auto& worker : workers)
    worker.thread.join();
}

void TlsEchoServer::reap_finished_workers() {
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

void TlsEchoServer::accept_loop() {
  for (;;) {
    pollfd fds[2] = {{listener_.get(), POLLIN, 0}, {stop_event_.get(), POLLIN, 0}};
    int rc = ::poll(fds, 2, 1000);
    reap_finished_workers();
    if (rc < 0 && errno != EINTR) return;
    if (fds[1].revents != 0) return;
    if (rc <= 0 || fds[0].revents == 0) continue;
    auto accepted = net::accept_connection(listener_.get());
    if (!accepted) continue;
    std::lock_guard lock(mutex_);
    if (open_fds_.size() >= options_.max_connections) {
      ++counters_.rejected;
      continue;
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

void TlsEchoServer::serve(net::Fd connection) {
  const int fd = connection.get();
  auto& clock = net::SteadyClock::instance();
  auto peer = net::peer_address(fd);
  // The stream works on a duplicate, so `connection` keeps the number open
  // until it leaves open_fds_ (below): stop() never shuts down a reused number.
  net::Fd duplicate(::fcntl(fd, F_DUPFD_CLOEXEC, 0));
  auto transport =
      std::make_unique<net::TcpStream>(std::move(duplicate), peer ? peer->to_string() : "client");
  auto stream = tls::TlsStream::accept(std::move(transport), context_, clock,
                                       clock.now() + handshake_timeout_);
  if (!stream) {
    ++handshake_failures_;
  } else {
    std::string buffer(kReadChunk, '\0');
    while (!stopping_) {
      auto n =
          (*stream)->read_some(buffer.data(), buffer.size(), clock.now() + options_.idle_timeout);
      if (!n) {
        if (n.error().kind == net::ErrorKind::timeout) ++counters_.idle_closed;
        break;
      }
      if (*n == 0) break;  // close_notify: everything read was echoed
      counters_.bytes_received += *n;
      if (!(*stream)->write_all(std::string_view(buffer.data(), *n),
                                clock.now() + options_.idle_timeout))
        break;
      counters_.bytes_sent += *n;
    }
    (*stream)->close();
  }
  std::lock_guard lock(mutex_);
  open_fds_.erase(fd);
  --counters_.active;
  connection.reset();
}

}  // namespace faultline::echo
