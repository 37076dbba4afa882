// targets/tls/integration/tls_stream_test.cpp: TlsStream and TlsDialer over
// real loopback sockets: echo, handshake timeout vs read timeout, truncation.
#include <poll.h>

#include <atomic>
#include <thread>

#include <gtest/gtest.h>

#include "targets/net/socket.h"
#include "targets/tls/test_pki.h"
#include "targets/tls/tls_stream.h"

namespace faultline::tls {
namespace {

using namespace std::chrono_literals;

const TestPki& shared_pki() {
  static const TestPki pki = [] {
    auto made = make_test_pki();
    if (!made) throw std::runtime_error(made.error().to_string());
    return *made;
  }();
  return pki;
}

std::shared_ptr<const ClientContext> trusting_client() {
  ClientConfig config;
  config.ca_pem = shared_pki().ca.certificate_pem;
  return *ClientContext::make(config);
}

std::shared_ptr<const ServerContext> server_with(const TestIdentity& identity) {
  ServerConfig config;
  config.certificate_chain_pem = identity.certificate_pem;
  config.private_key_pem = identity.private_key_pem;
  return *ServerContext::make(config);
}

net::TimePoint in(net::Duration d) {
  return net::SteadyClock::instance().now() + d;
}

// OneShotServer: accepts one TCP connection on loopback and runs `serve` on it
// in a thread. The helper server for every test below.
class OneShotServer {
 public:
  template <typename Serve>
  explicit OneShotServer(Serve serve) {
    auto listener = net::listen_bound(net::Address::loopback(0));
    if (!listener) throw std::runtime_error(listener.error().to_string());
    listener_ = std::move(listener->fd);
    port_ = listener->address.port();
    thread_ = std::thread([this, serve]() mutable {
      pollfd entry{listener_.get(), POLLIN, 0};
      if (::poll(&entry, 1, 10000) != 1) return;
      auto fd = net::accept_connection(listener_.get());
      if (!fd) return;
      serve(std::make_unique<net::TcpStream>(std::move(*fd), "client"));
    });
  }
  ~OneShotServer() { thread_.join(); }
  std::uint16_t port() const { return port_; }

 private:
  net::Fd listener_;
  std::uint16_t port_ = 0;
  std::thread thread_;
};

TEST(TlsStream, EchoOverRealSockets) {
  auto context = server_with(shared_pki().server);
  OneShotServer server([context](std::unique_ptr<net::Stream> transport) {
    auto stream =
        TlsStream::accept(std::move(transport), context, net::SteadyClock::instance(), in(5s));
    if (!stream) return;
    char buffer[4096];
    for (int i = 0; i < 100; ++i) {
      auto n = (*stream)->read_some(buffer, sizeof(buffer), in(5s));
      if (!n || *n == 0) return;
      if (!(*stream)->write_all(std::string_view(buffer, *n), in(5s))) return;
    }
  });
  net::TcpDialer tcp;
  TlsDialer dialer(tcp, trusting_client());
  auto stream = dialer.dial("localhost", server.port(), in(5s));
  ASSERT_TRUE(stream) << stream.error().to_string();
  const std::string message(100000, 'z');
  ASSERT_TRUE((*stream)->write_all(message, in(5s)));
  std::string echoed;
  char buffer[8192];
  while (echoed.size() < message.size()) {
    auto n = (*stream)->read_some(buffer, sizeof(buffer), in(5s));
    ASSERT_TRUE(n) << n.error().to_string();
    ASSERT_GT(*n, 0u);
    echoed.append(buffer, *n);
  }
  EXPECT_EQ(echoed, message);
  (*stream)->close();
}

TEST(TlsStream, SilentServerGivesHandshakeTimeout) {
  std::atomic<bool> release{false};
  OneShotServer server([&release](std::unique_ptr<net::Stream> transport) {
    char buffer[64];
    // Read the ClientHello and never answer, until the client gives up and closes.
    for (int i = 0; i < 100 && !release; ++i) {
      auto n = transport->read_some(buffer, sizeof(buffer), in(50ms));
      if (n && *n == 0) return;
    }
  });
  net::TcpDialer tcp;
  TlsDialer dialer(tcp, trusting_client(), 200ms);
  auto stream = dialer.dial("localhost", server.port(), in(5s));
  release = true;
  ASSERT_FALSE(stream);
  EXPECT_EQ(stream.error().kind, net::ErrorKind::tls_handshake_timeout)
      << stream.error().to_string();
}

TEST(TlsStream, QuietPeerAfterTheHandshakeGivesAReadTimeout) {
  auto context = server_with(shared_pki().server);
  std::atomic<bool> done{false};
  OneShotServer server([context, &done](std::unique_ptr<net::Stream> transport) {
    auto stream =
        TlsStream::accept(std::move(transport), context, net::SteadyClock::instance(), in(5s));
    if (!stream) return;
    char buffer[64];
    for (int i = 0; i < 200 && !done; ++i)
      (void)(*stream)->read_some(buffer, sizeof(buffer), in(25ms));
  });
  net::TcpDialer tcp;
  TlsDialer dialer(tcp, trusting_client());
  auto stream = dialer.dial("localhost", server.port(), in(5s));
  ASSERT_TRUE(stream) << stream.error().to_string();
  char buffer[64];
  auto n = (*stream)->read_some(buffer, sizeof(buffer), in(100ms));
  done = true;
  ASSERT_FALSE(n);
  EXPECT_EQ(n.error().kind, net::ErrorKind::timeout) << n.error().to_string();
}

TEST(TlsStream, CloseWithoutCloseNotifyIsTruncationOverSockets) {
  auto context = server_with(shared_pki().server);
  OneShotServer server([context](std::unique_ptr<net::Stream> transport) {
    auto stream =
        TlsStream::accept(std::move(transport), context, net::SteadyClock::instance(), in(5s));
    if (!stream) return;
    (void)(*stream)->write_all("Content-Length: 100\r\n\r\nonly part", in(5s));
    (*stream)->abandon();
  });
  net::TcpDialer tcp;
  TlsDialer dialer(tcp, trusting_client());
  auto stream = dialer.dial("127.0.0.1", server.port(), in(5s));
  ASSERT_TRUE(stream) << stream.error().to_string();
  std::string received;
  char buffer[256];
  net::Result<std::size_t> n = std::size_t{0};
  for (int i = 0; i < 100; ++i) {
    n = (*stream)->read_some(buffer, sizeof(buffer), in(5s));
    if (!n || *n == 0) break;
    received.append(buffer, *n);
  }
  EXPECT_EQ(received, "Content-Length: 100\r\n\r\nonly part");
  ASSERT_FALSE(n);
  EXPECT_EQ(n.error().kind, net::ErrorKind::tls_truncated) << n.error().to_string();
}

TEST(TlsStream, ExpiredCertificateOverSocketsIsRefused) {
  auto context = server_with(shared_pki().expired);
  net::Error server_error;
  OneShotServer server([context, &server_error](std::unique_ptr<net::Stream> transport) {
    auto stream =
        TlsStream::accept(std::move(transport), context, net::SteadyClock::instance(), in(5s));
    if (!stream) server_error = stream.error();
  });
  net::TcpDialer tcp;
  TlsDialer dialer(tcp, trusting_client());
  auto stream = dialer.dial("localhost", server.port(), in(5s));
  ASSERT_FALSE(stream);
  EXPECT_EQ(stream.error().kind, net::ErrorKind::tls_expired) << stream.error().to_string();
}

}  // namespace
}  // namespace faultline::tls
