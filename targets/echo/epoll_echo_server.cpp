#include "targets/echo/epoll_echo_server.h"

#include <sys/socket.h>

#include <cerrno>

#include "targets/net/socket.h"

namespace faultline::echo {
namespace {
constexpr std::size_t kReadChunk = 64 * 1024;
// After EMFILE and friends, accepting pauses this long; pending clients wait
// in the backlog and are served once descriptors free up.
constexpr auto kAcceptPause = std::chrono::milliseconds(100);
}  // namespace

void EpollEchoServer::pause_accepting() {
  if (accepting_paused_ || !listener_) return;
  accepting_paused_ = true;
  (void)loop_->modify(listener_.get(), 0);
  loop_->add_timer(kAcceptPause, [this] {
    accepting_paused_ = false;
    if (listener_) (void)loop_->modify(listener_.get(), EPOLLIN);
  });
}

net::Status EpollEchoServer::start() {
  if (thread_.joinable()) {
    return net::make_error(net::ErrorKind::invalid_argument, "echo server already started");
  }
  auto loop = net::EventLoop::create();
  if (!loop) return tl::unexpected(loop.error());
  loop_ = std::move(*loop);
  auto listener = net::listen_bound(options_.listen);
  if (!listener) return tl::unexpected(listener.error());
  listener_ = std::move(listener->fd);
  address_ = listener->address;
  auto added = loop_->add(listener_.get(), EPOLLIN, [this](std::uint32_t) { accept_ready(); });
  if (!added) return added;
  thread_ = std::thread([this] { (void)loop_->run(); });
  return {};
}

void EpollEchoServer::stop() {
  if (!thread_.joinable()) return;
  loop_->post([this] { begin_drain(); });
  thread_.join();
  connections_.clear();
  listener_.reset();
}

void EpollEchoServer::begin_drain() {
  if (draining_) return;
  draining_ = true;
  loop_->remove(listener_.get());
  listener_.reset();
  // Stop reading: the peers get their owed bytes, then a close.
  std::vector<int> fds;
  for (auto& [fd, connection] : connections_)
    fds.push_back(fd);
  for (int fd : fds) {
    auto& connection = *connections_.at(fd);
    connection.session.on_peer_closed();
    if (connection.session.finished()) {
      close_connection(fd);
    } else {
      update_interest(connection);
    }
  }
  if (connections_.empty()) {
    loop_->stop();
    return;
  }
  loop_->add_timer(options_.drain_timeout, [this] {
    std::vector<int> remaining;
    for (auto& [fd, connection] : connections_)
      remaining.push_back(fd);
    for (int fd : remaining)
      close_connection(fd);
    loop_->stop();
  });
}

void EpollEchoServer::accept_ready() {
  // Accept everything pending; EAGAIN (a timeout kind here) ends the batch.
  for (int i = 0; i < 256 && listener_; ++i) {
    auto accepted = net::accept_connection(listener_.get());
    if (!accepted) {
      if (accepted.error().sys_errno == EAGAIN || accepted.error().sys_errno == EWOULDBLOCK) return;
      const int err = accepted.error().sys_errno;
      if (err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM) {
        pause_accepting();  // EMFILE: try again once descriptors may be free
        return;
      }
      continue;  // ECONNABORTED and friends: that one connection is gone
    }
    if (connections_.size() >= options_.max_connections) {
      ++counters_.rejected;
      continue;  // the Fd closes here: the client sees an orderly close
    }
    (void)net::set_nodelay(accepted->get());
    int fd = accepted->get();
    auto connection = std::make_unique<Connection>();
    connection->fd = std::move(*accepted);
    connection->session = EchoSession(EchoSession::Limits{options_.max_owed_bytes});
    connection->last_activity = net::MonotonicClock::now();
    connection->watched_events = EPOLLIN;
    auto added = loop_->add(fd, EPOLLIN,
                            [this, fd](std::uint32_t events) { on_connection_event(fd, events); });
    if (!added) continue;
    connections_.emplace(fd, std::move(connection));
    ++counters_.accepted;
    ++counters_.active;
    arm_idle_timer(fd, options_.idle_timeout);
  }
}

void EpollEchoServer::arm_idle_timer(int fd, net::Duration after) {
  auto it = connections_.find(fd);
  if (it == connections_.end()) return;
  // One timer per connection, re-armed lazily: activity only moves last_activity.
  it->second->idle_timer = loop_->add_timer(after, [this, fd] {
    auto found = connections_.find(fd);
    if (found == connections_.end()) return;
    auto idle_for = net::MonotonicClock::now() - found->second->last_activity;
    if (idle_for >= options_.idle_timeout) {
      ++counters_.idle_closed;
      close_connection(fd);
    } else {
      arm_idle_timer(fd, options_.idle_timeout - idle_for);
    }
  });
}

void EpollEchoServer::on_connection_event(int fd, std::uint32_t events) {
  auto it = connections_.find(fd);
  if (it == connections_.end()) return;
  Connection& connection = *it->second;
  if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
    if (!read_some(connection)) return;
  }
  if (!write_some(connection)) return;
  if (connection.session.finished()) {
    close_connection(fd);
    return;
  }
  update_interest(connection);
}

bool EpollEchoServer::read_some(Connection& connection) {
  char buffer[kReadChunk];
  // Bounded: a few reads per event keep one busy peer from starving the others.
  for (int i = 0; i < 4 && connection.session.wants_input(); ++i) {
    ssize_t n = ::recv(connection.fd.get(), buffer, sizeof(buffer), 0);
    if (n > 0) {
      connection.session.on_receive(std::string_view(buffer, static_cast<std::size_t>(n)));
      counters_.bytes_received += static_cast<std::uint64_t>(n);
      connection.last_activity = net::MonotonicClock::now();
      if (static_cast<std::size_t>(n) < sizeof(buffer)) break;
      continue;
    }
    if (n == 0) {
      connection.session.on_peer_closed();  // half-close: finish the owed bytes first
      break;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) break;
    close_connection(connection.fd.get());  // reset or other error: nothing can be delivered
    return false;
  }
  return true;
}

bool EpollEchoServer::write_some(Connection& connection) {
  while (!connection.session.owed().empty()) {
    auto owed = connection.session.owed();
    ssize_t n = ::send(connection.fd.get(), owed.data(), owed.size(), MSG_NOSIGNAL);
    if (n > 0) {
      connection.session.on_sent(static_cast<std::size_t>(n));
      counters_.bytes_sent += static_cast<std::uint64_t>(n);
      connection.last_activity = net::MonotonicClock::now();
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    close_connection(connection.fd.get());
    return false;
  }
  return true;
}

void EpollEchoServer::update_interest(Connection& connection) {
  std::uint32_t events = 0;
  if (connection.session.wants_input()) events |= EPOLLIN;
  if (!connection.session.owed().empty()) events |= EPOLLOUT;
  if (events != connection.watched_events) {
    connection.watched_events = events;
    (void)loop_->modify(connection.fd.get(), events);
  }
}

void EpollEchoServer::close_connection(int fd) {
  auto it = connections_.find(fd);
  if (it == connections_.end()) return;
  loop_->remove(fd);
  loop_->cancel_timer(it->second->idle_timer);
  connections_.erase(it);
  --counters_.active;
  if (draining_ && connections_.empty()) loop_->stop();
}

}  // namespace faultline::echo
