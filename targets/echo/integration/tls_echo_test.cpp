// targets/echo/integration/tls_echo_test.cpp: TlsEchoServer on loopback with
// the test PKI: echo through TlsDialer, and a client that refuses a bad certificate.
#include <gtest/gtest.h>

#include "targets/echo/echo_client.h"
#include "targets/echo/tls_echo_server.h"
#include "targets/tls/test_pki.h"
#include "targets/tls/tls_stream.h"

namespace faultline::echo {
namespace {

using namespace std::chrono_literals;

struct TlsEchoFixture {
  tls::TestPki pki;
  std::unique_ptr<TlsEchoServer> server;

  explicit TlsEchoFixture(const tls::TestIdentity tls::TestPki::*identity) {
    auto made = tls::make_test_pki();
    if (!made) throw std::runtime_error(made.error().to_string());
    pki = std::move(*made);
    tls::ServerConfig config;
    config.certificate_chain_pem = (pki.*identity).certificate_pem;
    config.private_key_pem = (pki.*identity).private_key_pem;
    auto context = tls::ServerContext::make(config);
    if (!context) throw std::runtime_error(context.error().to_string());
    server = std::make_unique<TlsEchoServer>(EchoServerOptions{}, *context);
    if (auto started = server->start(); !started)
      throw std::runtime_error(started.error().to_string());
  }

  net::Result<std::unique_ptr<net::Stream>> dial(const std::string& host) {
    tls::ClientConfig config;
    config.ca_pem = pki.ca.certificate_pem;
    auto context = tls::ClientContext::make(config);
    if (!context) return tl::unexpected(context.error());
    net::TcpDialer tcp;
    tls::TlsDialer dialer(tcp, *context, 5s);
    return dialer.dial(host, server->address().port(), dialer.clock().now() + 5s);
  }
};

TEST(TlsEchoServer, EchoesOverVerifiedTls) {
  TlsEchoFixture fixture(&tls::TestPki::server);
  auto stream = fixture.dial("localhost");
  ASSERT_TRUE(stream) << stream.error().to_string();
  auto& clock = net::SteadyClock::instance();
  for (const std::string& message : {std::string("안녕하세요!"), std::string(50000, 'q')}) {
    auto reply = exchange_over_stream(**stream, message, clock.now() + 5s);
    ASSERT_TRUE(reply) << reply.error().to_string();
    EXPECT_EQ(*reply, message);
  }
  (*stream)->close();
  fixture.server->stop();
  EXPECT_EQ(fixture.server->counters().accepted, 1u);
  EXPECT_EQ(fixture.server->counters().bytes_sent, fixture.server->counters().bytes_received);
}

TEST(TlsEchoServer, ClientRefusesAWrongHostCertificateAndTheServerCountsIt) {
  TlsEchoFixture fixture(&tls::TestPki::wrong_host);
  auto stream = fixture.dial("localhost");
  ASSERT_FALSE(stream);
  EXPECT_EQ(stream.error().kind, net::ErrorKind::tls_wrong_host) << stream.error().to_string();
  fixture.server->stop();
  EXPECT_EQ(fixture.server->handshake_failures(), 1u);
}

}  // namespace
}  // namespace faultline::echo
