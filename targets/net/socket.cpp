#include "targets/net/socket.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <string>

namespace faultline::net {
namespace {

std::string with_address(std::string_view verb, const Address& address) {
  return std::string(verb) + " " + address.to_string();
}

}  // namespace

Status set_nonblocking(int fd, bool enabled) {
  int flags = ::fcntl(fd, F_GETFL, 0);
  if (flags < 0) return from_errno(errno, "fcntl(F_GETFL)");
  flags = enabled ? (flags | O_NONBLOCK) : (flags & ~O_NONBLOCK);
  if (::fcntl(fd, F_SETFL, flags) < 0) return from_errno(errno, "fcntl(F_SETFL)");
  return {};
}

Status set_nodelay(int fd, bool enabled) {
  int value = enabled ? 1 : 0;
  if (::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &value, sizeof(value)) < 0) {
    return from_errno(errno, "setsockopt(TCP_NODELAY)");
  }
  return {};
}

Status set_linger_reset(int fd) {
  linger value{1, 0};
  if (::setsockopt(fd, SOL_SOCKET, SO_LINGER, &value, sizeof(value)) < 0) {
    return from_errno(errno, "setsockopt(SO_LINGER)");
  }
  return {};
}

Status set_buffer_sizes(int fd, int send_bytes, int receive_bytes) {
  if (send_bytes > 0 && ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &send_bytes, sizeof(int)) < 0) {
    return from_errno(errno, "setsockopt(SO_SNDBUF)");
  }
  if (receive_bytes > 0 &&
      ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &receive_bytes, sizeof(int)) < 0) {
    return from_errno(errno, "setsockopt(SO_RCVBUF)");
  }
  return {};
}

Result<Address> local_address(int fd) {
  sockaddr_storage storage{};
  socklen_t length = sizeof(storage);
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&storage), &length) < 0) {
    return from_errno(errno, "getsockname");
  }
  return Address::from_sockaddr(reinterpret_cast<sockaddr*>(&storage), length);
}

Result<Address> peer_address(int fd) {
  sockaddr_storage storage{};
  socklen_t length = sizeof(storage);
  if (::getpeername(fd, reinterpret_cast<sockaddr*>(&storage), &length) < 0) {
    return from_errno(errno, "getpeername");
  }
  return Address::from_sockaddr(reinterpret_cast<sockaddr*>(&storage), length);
}

Result<Fd> listen_tcp(const Address& address, ListenOptions options) {
  Fd fd(::socket(address.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd) return from_errno(errno, with_address("socket for", address));
  if (options.reuse_address) {
    int one = 1;
    ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  }
  if (::bind(fd.get(), address.sockaddr_ptr(), address.length()) < 0) {
    return from_errno(errno, with_address("bind", address));
  }
  if (::listen(fd.get(), options.backlog) < 0) {
    return from_errno(errno, with_address("listen", address));
  }
  return fd;
}

Result<BoundListener> listen_bound(const Address& address, ListenOptions options) {
  auto fd = listen_tcp(address, options);
  if (!fd) return tl::unexpected(fd.error());
  auto bound = local_address(fd->get());
  if (!bound) return tl::unexpected(bound.error());
  return BoundListener{std::move(*fd), *bound};
}

Result<Fd> udp_socket(const Address& peer) {
  Fd fd(::socket(peer.family(), SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd) return from_errno(errno, with_address("udp socket for", peer));
  return fd;
}

Result<Fd> bind_udp(const Address& address) {
  auto fd = udp_socket(address);
  if (!fd) return fd;
  if (::bind(fd->get(), address.sockaddr_ptr(), address.length()) < 0) {
    return from_errno(errno, with_address("bind udp", address));
  }
  return fd;
}

Result<Fd> connect_tcp(const Address& address, Deadline deadline) {
  Fd fd(::socket(address.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd) return from_errno(errno, with_address("socket for", address));
  std::string context = with_address("connect", address);
  int rc;
  do {
    rc = ::connect(fd.get(), address.sockaddr_ptr(), address.length());
  } while (rc < 0 && errno == EINTR);
  if (rc < 0 && errno != EINPROGRESS) return from_errno(errno, context);
  if (rc < 0) {
    auto ready = wait_for(fd.get(), Readiness::writable, deadline, context);
    if (!ready) return tl::unexpected(ready.error());
    int error = 0;
    socklen_t length = sizeof(error);
    if (::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &error, &length) < 0) {
      return from_errno(errno, context);
    }
    if (error != 0) return from_errno(error, context);
  }
  return fd;
}

Result<Fd> accept_connection(int listen_fd, Address* peer) {
  sockaddr_storage storage{};
  socklen_t length = sizeof(storage);
  int fd;
  do {
    fd = ::accept4(listen_fd, reinterpret_cast<sockaddr*>(&storage), &length,
                   SOCK_NONBLOCK | SOCK_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return from_errno(errno, "accept");
  if (peer != nullptr)
    *peer = Address::from_sockaddr(reinterpret_cast<sockaddr*>(&storage), length);
  return Fd(fd);
}

Status wait_for(int fd, Readiness readiness, Deadline deadline, std::string_view context) {
  pollfd entry{fd, static_cast<short>(readiness == Readiness::readable ? POLLIN : POLLOUT), 0};
  for (;;) {
    if (deadline.expired()) {
      return make_error(ErrorKind::timeout, std::string(context) + ": timed out", ETIMEDOUT);
    }
    int rc = ::poll(&entry, 1, deadline.poll_timeout_ms());
    if (rc > 0) return {};
    if (rc < 0 && errno != EINTR) return from_errno(errno, context);
  }
}

Status send_all(int fd, std::string_view data, Deadline deadline, std::string_view context) {
  std::size_t sent = 0;
  while (sent < data.size()) {
    ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      auto ready = wait_for(fd, Readiness::writable, deadline, context);
      if (!ready) return ready;
      continue;
    }
    return from_errno(n < 0 ? errno : EPIPE, context);
  }
  return {};
}

Result<std::size_t> recv_some(int fd, char* buffer, std::size_t capacity, Deadline deadline,
                              std::string_view context) {
  for (;;) {
    ssize_t n = ::recv(fd, buffer, capacity, 0);
    if (n >= 0) return static_cast<std::size_t>(n);
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      auto ready = wait_for(fd, Readiness::readable, deadline, context);
      if (!ready) return tl::unexpected(ready.error());
      continue;
    }
    return from_errno(errno, context);
  }
}

Status recv_exact(int fd, char* buffer, std::size_t size, Deadline deadline,
                  std::string_view context) {
  std::size_t got = 0;
  while (got < size) {
    auto n = recv_some(fd, buffer + got, size - got, deadline, context);
    if (!n) return tl::unexpected(n.error());
    if (*n == 0) {
      return make_error(ErrorKind::closed, std::string(context) + ": peer closed after " +
                                               std::to_string(got) + " of " + std::to_string(size) +
                                               " bytes");
    }
    got += *n;
  }
  return {};
}

Status shutdown_write(int fd) {
  if (::shutdown(fd, SHUT_WR) < 0) return from_errno(errno, "shutdown(SHUT_WR)");
  return {};
}

}  // namespace faultline::net
