#include "targets/echo/echo_client.h"

#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "targets/net/socket.h"

namespace faultline::echo {

net::Result<TcpEchoClient> TcpEchoClient::connect(const net::Address& server,
                                                  EchoTimeouts timeouts) {
  auto fd = net::connect_tcp(server, net::Deadline::after(timeouts.connect));
  if (!fd) return tl::unexpected(fd.error());
  (void)net::set_nodelay(fd->get());
  return TcpEchoClient(std::move(*fd), server, timeouts);
}

net::Result<std::string> TcpEchoClient::exchange(std::string_view message) {
  const std::string context = "echo " + server_.to_string();
  const auto overall = net::Deadline::after(timeouts_.overall);
  std::string reply;
  reply.reserve(message.size());
  std::size_t sent = 0;
  char buffer[64 * 1024];
  auto progress = net::Deadline::after(timeouts_.operation);
  while (reply.size() < message.size()) {
    auto deadline = net::Deadline::earlier(progress, overall);
    pollfd entry{fd_.get(), POLLIN, 0};
    if (sent < message.size()) entry.events |= POLLOUT;
    if (deadline.expired()) {
      return net::make_error(net::ErrorKind::timeout,
                             context + ": timed out after sending " + std::to_string(sent) +
                                 " and receiving " + std::to_string(reply.size()) + " of " +
                                 std::to_string(message.size()) + " bytes",
                             ETIMEDOUT);
    }
    int rc = ::poll(&entry, 1, deadline.poll_timeout_ms());
    if (rc < 0 && errno == EINTR) continue;
    if (rc < 0) return net::from_errno(errno, context);
    if (rc == 0) continue;  // the deadline check above reports it
    if ((entry.revents & POLLOUT) && sent < message.size()) {
      ssize_t n = ::send(fd_.get(), message.data() + sent, message.size() - sent, MSG_NOSIGNAL);
      if (n > 0) {
        sent += static_cast<std::size_t>(n);
        progress = net::Deadline::after(timeouts_.operation);
      } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
        return net::from_errno(errno, context + ": send");
      }
    }
    if (entry.revents & (POLLIN | POLLHUP | POLLERR)) {
      std::size_t want = std::min(sizeof(buffer), message.size() - reply.size());
      ssize_t n = ::recv(fd_.get(), buffer, want, 0);
      if (n > 0) {
        reply.append(buffer, static_cast<std::size_t>(n));
        progress = net::Deadline::after(timeouts_.operation);
      } else if (n == 0) {
        return net::make_error(net::ErrorKind::closed, context + ": server closed after echoing " +
                                                           std::to_string(reply.size()) + " of " +
                                                           std::to_string(message.size()) +
                                                           " bytes");
      } else if (errno != EAGAIN && errno != EINTR) {
        return net::from_errno(errno, context + ": recv");
      }
    }
  }
  return reply;
}

net::Result<std::string> TcpEchoClient::read_to_end(std::size_t max_bytes) {
  const std::string context = "echo " + server_.to_string();
  const auto overall = net::Deadline::after(timeouts_.overall);
  std::string out;
  char buffer[64 * 1024];
  for (;;) {
    auto deadline = net::Deadline::earlier(net::Deadline::after(timeouts_.operation), overall);
    auto n = net::recv_some(fd_.get(), buffer, sizeof(buffer), deadline, context + ": recv");
    if (!n) return tl::unexpected(n.error());
    if (*n == 0) return out;
    if (out.size() + *n > max_bytes) {
      return net::make_error(net::ErrorKind::too_large,
                             context + ": more than " + std::to_string(max_bytes) + " bytes");
    }
    out.append(buffer, *n);
  }
}

net::Result<std::string> exchange_over_stream(net::Stream& stream, std::string_view message,
                                              net::TimePoint deadline) {
  if (auto written = stream.write_all(message, deadline); !written) {
    return tl::unexpected(written.error());
  }
  std::string reply;
  char buffer[16 * 1024];
  while (reply.size() < message.size()) {
    auto n =
        stream.read_some(buffer, std::min(sizeof(buffer), message.size() - reply.size()), deadline);
    if (!n) return tl::unexpected(n.error());
    if (*n == 0) {
      return net::make_error(net::ErrorKind::closed, "echo " + stream.describe() +
                                                         ": server closed after echoing " +
                                                         std::to_string(reply.size()) + " of " +
                                                         std::to_string(message.size()) + " bytes");
    }
    reply.append(buffer, *n);
  }
  return reply;
}

net::Result<UdpEchoClient> UdpEchoClient::open(const net::Address& server, UdpOptions options) {
  auto fd = net::udp_socket(server);
  if (!fd) return tl::unexpected(fd.error());
  // A connected socket only accepts datagrams from the server, and turns ICMP
  // port-unreachable into ECONNREFUSED on the next call.
  if (::connect(fd->get(), server.sockaddr_ptr(), server.length()) < 0) {
    return net::from_errno(errno, "udp connect " + server.to_string());
  }
  if (options.retries < 0) {
    return net::make_error(net::ErrorKind::invalid_argument, "udp retries must be >= 0");
  }
  return UdpEchoClient(std::move(*fd), server, options);
}

net::Result<UdpExchange> UdpEchoClient::exchange(std::string_view message) {
  const std::string context = "udp echo " + server_.to_string();
  if (message.size() > kMaxPayload) {
    return net::make_error(net::ErrorKind::too_large, context + ": message of " +
                                                          std::to_string(message.size()) +
                                                          " bytes exceeds the datagram limit of " +
                                                          std::to_string(kMaxPayload));
  }
  const std::uint64_t tag = next_tag_++;
  std::string datagram(kTagBytes, '\0');
  for (std::size_t i = 0; i < kTagBytes; ++i) {
    datagram[i] = static_cast<char>((tag >> (8 * (kTagBytes - 1 - i))) & 0xff);
  }
  datagram.append(message);
  UdpExchange result;
  std::string buffer(65536, '\0');
  for (int attempt = 0; attempt <= options_.retries; ++attempt) {
    result.attempts = attempt + 1;
    if (::send(fd_.get(), datagram.data(), datagram.size(), 0) < 0) {
      return net::from_errno(errno, context + ": send");
    }
    auto deadline = net::Deadline::after(options_.timeout);
    for (;;) {
      auto n = net::recv_some(fd_.get(), buffer.data(), buffer.size(), deadline, context);
      if (!n) {
        if (n.error().kind == net::ErrorKind::timeout) break;  // lost: retry
        return tl::unexpected(n.error());
      }
      if (*n >= kTagBytes && std::memcmp(buffer.data(), datagram.data(), kTagBytes) == 0) {
        // Echo means the same bytes: a reply that differs was damaged on the
        // way (truncated, corrupted), and is treated like a failed checksum.
        if (std::string_view(buffer.data() + kTagBytes, *n - kTagBytes) != message) {
          ++result.damaged;
          continue;
        }
        result.reply.assign(buffer.data() + kTagBytes, *n - kTagBytes);
        return result;
      }
      ++result.discarded;  // an earlier attempt's late reply, a duplicate, or garbage
    }
  }
  return net::make_error(
      net::ErrorKind::timeout,
      context + ": no reply after " + std::to_string(result.attempts) + " attempts of " +
          std::to_string(
              std::chrono::duration_cast<std::chrono::milliseconds>(options_.timeout).count()) +
          "ms",
      ETIMEDOUT);
}

}  // namespace faultline::echo
