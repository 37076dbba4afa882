#include "targets/echo/epoll_echo_server.h"

#include <sys/epoll.h>
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

void EpollEchoServer::pause_accepting(Loop& loop) {
  if (loop.accepting_paused || !loop.watching_listener) return;
  loop.accepting_paused = true;
  (void)loop.loop->modify(listener_.get(), 0);
  loop.loop->add_timer(kAcceptPause, [this, &loop] {
    loop.accepting_paused = false;
    if (loop.watching_listener) (void)loop.loop->modify(listener_.get(), EPOLLIN);
  });
}

net::Status EpollEchoServer::start() {
  if (!loops_.empty()) {
    return net::make_error(net::ErrorKind::invalid_argument, "echo server already started");
  }
  if (options_.loops < 1 || options_.loops > 256) {
    return net::make_error(net::ErrorKind::invalid_argument,
                           "echo server loops must be from 1 to 256, got " +
                               std::to_string(options_.loops));
  }
  auto listener = net::listen_bound(options_.listen);
  if (!listener) return tl::unexpected(listener.error());
  listener_ = std::move(listener->fd);
  address_ = listener->address;
  // Every loop is ready before any thread runs: a failure leaves nothing running.
  std::vector<std::unique_ptr<Loop>> loops;
  for (std::size_t i = 0; i < options_.loops; ++i) {
    auto event_loop = net::EventLoop::create();
    if (!event_loop) {
      listener_.reset();
      return tl::unexpected(event_loop.error());
    }
    loops.push_back(std::make_unique<Loop>());
    loops.back()->loop = std::move(*event_loop);
  }
  loops_ = std::move(loops);
  // The first loop accepts and deals the connections out in turn.
  Loop& acceptor = *loops_.front();
  auto added = acceptor.loop->add(listener_.get(), EPOLLIN,
                                  [this, &acceptor](std::uint32_t) { accept_ready(acceptor); });
  if (!added) {
    loops_.clear();
    listener_.reset();
    return added;
  }
  acceptor.watching_listener = true;
  for (auto& loop : loops_) {
    Loop* l = loop.get();
    l->thread = std::thread([l] { (void)l->loop->run(); });
  }
  return {};
}

void EpollEchoServer::stop() {
  if (loops_.empty()) return;
  for (auto& loop : loops_) {
    Loop* l = loop.get();
    l->loop->post([this, l] { begin_drain(*l); });
  }
  for (auto& loop : loops_) {
    if (loop->thread.joinable()) loop->thread.join();
  }
  loops_.clear();
  listener_.reset();  // after every loop has let go of it
}

void EpollEchoServer::begin_drain(Loop& loop) {
  if (loop.draining) return;
  loop.draining = true;
  if (loop.watching_listener) loop.loop->remove(listener_.get());
  loop.watching_listener = false;
  // Stop reading: the peers get their owed bytes, then a close.
  std::vector<int> fds;
  for (auto& [fd, connection] : loop.connections)
    fds.push_back(fd);
  for (int fd : fds) {
    auto& connection = *loop.connections.at(fd);
    connection.session.on_peer_closed();
    if (connection.session.finished()) {
      close_connection(loop, fd);
    } else {
      update_interest(loop, connection);
    }
  }
  if (loop.connections.empty()) {
    loop.loop->stop();
    return;
  }
  loop.loop->add_timer(options_.drain_timeout, [this, &loop] {
    std::vector<int> remaining;
    for (auto& [fd, connection] : loop.connections)
      remaining.push_back(fd);
    for (int fd : remaining)
      close_connection(loop, fd);
    loop.loop->stop();
  });
}

void EpollEchoServer::accept_ready(Loop& loop) {
  // Accept everything pending; EAGAIN (a timeout kind here) ends the batch.
  for (int i = 0; i < 256 && loop.watching_listener; ++i) {
    auto accepted = net::accept_connection(listener_.get());
    if (!accepted) {
      if (accepted.error().sys_errno == EAGAIN || accepted.error().sys_errno == EWOULDBLOCK) return;
      const int err = accepted.error().sys_errno;
      if (err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM) {
        pause_accepting(loop);  // EMFILE: try again once descriptors may be free
        return;
      }
      continue;  // ECONNABORTED and friends: that one connection is gone
    }
    // A place is taken before the connection is kept, whichever loop keeps it.
    if (counters_.active.fetch_add(1) >= options_.max_connections) {
      --counters_.active;
      ++counters_.rejected;
      continue;  // the Fd closes here: the client sees an orderly close
    }
    (void)net::set_nodelay(accepted->get());
    // Dealt in turn, so every loop gets its share of a burst of connects.
    Loop& owner = *loops_[next_loop_++ % loops_.size()];
    if (&owner == &loop) {
      adopt(loop, std::move(*accepted));
      continue;
    }
    auto fd = std::make_shared<net::Fd>(std::move(*accepted));
    owner.loop->post([this, &owner, fd] { adopt(owner, std::move(*fd)); });
  }
}

void EpollEchoServer::adopt(Loop& loop, net::Fd accepted) {
  if (loop.draining || !accepted) {
    --counters_.active;  // stopping: the Fd closes here
    return;
  }
  int fd = accepted.get();
  auto connection = std::make_unique<Connection>();
  connection->fd = std::move(accepted);
  connection->session = EchoSession(EchoSession::Limits{options_.max_owed_bytes});
  connection->last_activity = net::MonotonicClock::now();
  connection->watched_events = EPOLLIN;
  auto added = loop.loop->add(fd, EPOLLIN, [this, &loop, fd](std::uint32_t events) {
    on_connection_event(loop, fd, events);
  });
  if (!added) {
    --counters_.active;
    return;
  }
  loop.connections.emplace(fd, std::move(connection));
  ++counters_.accepted;
  arm_idle_timer(loop, fd, options_.idle_timeout);
}

void EpollEchoServer::arm_idle_timer(Loop& loop, int fd, net::Duration after) {
  auto it = loop.connections.find(fd);
  if (it == loop.connections.end()) return;
  // One timer per connection, re-armed lazily: activity only moves last_activity.
  it->second->idle_timer = loop.loop->add_timer(after, [this, &loop, fd] {
    auto found = loop.connections.find(fd);
    if (found == loop.connections.end()) return;
    auto idle_for = net::MonotonicClock::now() - found->second->last_activity;
    if (idle_for >= options_.idle_timeout) {
      ++counters_.idle_closed;
      close_connection(loop, fd);
    } else {
      arm_idle_timer(loop, fd, options_.idle_timeout - idle_for);
    }
  });
}

void EpollEchoServer::on_connection_event(Loop& loop, int fd, std::uint32_t events) {
  auto it = loop.connections.find(fd);
  if (it == loop.connections.end()) return;
  Connection& connection = *it->second;
  if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
    if (!read_some(loop, connection)) return;
  }
  if (!write_some(loop, connection)) return;
  if (connection.session.finished()) {
    close_connection(loop, fd);
    return;
  }
  update_interest(loop, connection);
}

bool EpollEchoServer::read_some(Loop& loop, Connection& connection) {
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
    close_connection(loop, connection.fd.get());  // reset or other error: nothing can be delivered
    return false;
  }
  return true;
}

bool EpollEchoServer::write_some(Loop& loop, Connection& connection) {
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
    close_connection(loop, connection.fd.get());
    return false;
  }
  return true;
}

void EpollEchoServer::update_interest(Loop& loop, Connection& connection) {
  std::uint32_t events = 0;
  if (connection.session.wants_input()) events |= EPOLLIN;
  if (!connection.session.owed().empty()) events |= EPOLLOUT;
  if (events != connection.watched_events) {
    connection.watched_events = events;
    (void)loop.loop->modify(connection.fd.get(), events);
  }
}

void EpollEchoServer::close_connection(Loop& loop, int fd) {
  auto it = loop.connections.find(fd);
  if (it == loop.connections.end()) return;
  loop.loop->remove(fd);
  loop.loop->cancel_timer(it->second->idle_timer);
  loop.connections.erase(it);
  --counters_.active;
  if (loop.draining && loop.connections.empty()) loop.loop->stop();
}

}  // namespace faultline::echo
