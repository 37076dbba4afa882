#include "harness/suites/tls_echo_client.h"

#include <algorithm>

#include "harness/suites/suite_pki.h"
#include "targets/tls/tls_stream.h"

namespace faultline::suites {
namespace {

constexpr std::size_t kWriteChunk = 16 * 1024;

net::TimePoint earliest(net::TimePoint a, net::TimePoint b) {
  return std::min(a, b);
}

// echo_message writes `message` in pieces, reading whatever is already
// echoed between them, then reads the rest.
net::Result<std::string> echo_message(net::Stream& stream, net::Clock& clock,
                                      std::string_view message, const echo::EchoTimeouts& timeouts,
                                      net::TimePoint overall, bool eof_ends_reply) {
  std::string reply;
  std::string buffer(kWriteChunk + 1024, '\0');
  std::size_t sent = 0;
  auto read_once = [&]() -> net::Result<bool> {
    const std::size_t want = std::min(buffer.size(), message.size() - reply.size());
    auto n = stream.read_some(buffer.data(), want,
                              earliest(overall, clock.now() + timeouts.operation));
    if (!n) {
      if (eof_ends_reply && n.error().kind == net::ErrorKind::tls_truncated) return false;
      return tl::unexpected(n.error());
    }
    if (*n == 0) {
      return net::make_error(net::ErrorKind::closed,
                             "tls echo " + stream.describe() + ": server closed after echoing " +
                                 std::to_string(reply.size()) + " of " +
                                 std::to_string(message.size()) + " bytes");
    }
    reply.append(buffer.data(), *n);
    return true;
  };
  while (sent < message.size()) {
    const std::size_t piece = std::min(kWriteChunk, message.size() - sent);
    if (auto written = stream.write_all(message.substr(sent, piece),
                                        earliest(overall, clock.now() + timeouts.operation));
        !written) {
      return tl::unexpected(written.error());
    }
    sent += piece;
    // Bounded: each pass either reads bytes or leaves the loop.
    while (reply.size() < sent && stream.readable_now()) {
      auto more = read_once();
      if (!more) return tl::unexpected(more.error());
      if (!*more) return reply;
    }
  }
  while (reply.size() < message.size()) {
    auto more = read_once();
    if (!more) return tl::unexpected(more.error());
    if (!*more) return reply;
  }
  return reply;
}

}  // namespace

EchoClientUnderTest tls_echo_client(std::shared_ptr<const tls::ClientContext> context,
                                    std::string name, TlsClientBugs bugs) {
  if (bugs.skip_verification) {
    tls::ClientConfig config;
    config.insecure = true;
    config.alpn.clear();
    context = tls::ClientContext::make(config).value();
  } else if (!context) {
    context = suite_client_context();
  }
  return EchoClientUnderTest{
      std::move(name),
      [context, bugs](const net::Address& address, const std::vector<std::string>& messages,
                      const echo::EchoTimeouts& timeouts) -> net::Result<std::vector<std::string>> {
        net::TcpDialer tcp;
        net::Clock& clock = tcp.clock();
        const net::TimePoint overall = clock.now() + timeouts.overall;
        // No handshake timeout: the handshake may wait as long as the whole exchange... forever.
        const net::Duration handshake_timeout =
            bugs.no_handshake_timeout ? std::chrono::hours(24) : timeouts.connect;
        tls::TlsDialer dialer(tcp, context, handshake_timeout);
        auto stream = dialer.dial(address.host(), address.port(),
                                  bugs.no_handshake_timeout ? net::kNoDeadline
                                                            : clock.now() + timeouts.connect);
        if (!stream) return tl::unexpected(stream.error());
        std::vector<std::string> replies;
        for (const auto& message : messages) {
          auto reply = echo_message(**stream, clock, message, timeouts, overall,
                                    bugs.eof_ends_reply);
          if (!reply) return tl::unexpected(reply.error());
          replies.push_back(std::move(*reply));
        }
        (*stream)->close();
        return replies;
      },
      /*speaks_tls=*/true};
}

}  // namespace faultline::suites
