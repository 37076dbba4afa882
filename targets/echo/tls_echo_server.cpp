#include "targets/echo/tls_echo_server.h"

#include <fcntl.h>

#include "targets/net/socket.h"
#include "targets/tls/tls_stream.h"

namespace faultline::echo {
namespace {
constexpr std::size_t kReadChunk = 16 * 1024;
}  // namespace

void TlsEchoServer::serve(net::Fd& connection) {
  const int fd = connection.get();
  auto& clock = net::SteadyClock::instance();
  auto peer = net::peer_address(fd);
  // The stream works on a duplicate, so `connection` keeps the number open
  // until the skeleton closes it: stop() never shuts down a reused number.
  net::Fd duplicate(::fcntl(fd, F_DUPFD_CLOEXEC, 0));
  auto transport =
      std::make_unique<net::TcpStream>(std::move(duplicate), peer ? peer->to_string() : "client");
  auto stream = tls::TlsStream::accept(std::move(transport), context_, clock,
                                       clock.now() + handshake_timeout_);
  if (!stream) {
    ++handshake_failures_;
  } else {
    std::string buffer(kReadChunk, '\0');
    while (!threads_.stopping()) {
      auto n =
          (*stream)->read_some(buffer.data(), buffer.size(), clock.now() + options_.idle_timeout);
      if (!n) {
        if (n.error().kind == net::ErrorKind::timeout) ++counters_.idle_closed;
        break;
      }
      if (*n == 0) break;  // close_notify: everything read was echoed
      counters_.bytes_received += *n;
      const std::string_view received(buffer.data(), *n);
      const std::string replaced = read_reply_ ? read_reply_(received) : std::string();
      if (!(*stream)->write_all(read_reply_ ? std::string_view(replaced) : received,
                                clock.now() + options_.idle_timeout))
        break;
      counters_.bytes_sent += *n;
    }
    (*stream)->close();
  }
}

}  // namespace faultline::echo
