// The session against the reference server serving HTTPS with a test PKI:
// verification on by default, each certificate failure its own kind,
// keep-alive over TLS, session resumption on new connections, and a
// handshake that never finishes ending as tls_handshake_timeout.
#include <gtest/gtest.h>

#include <chrono>

#include "targets/http/client/session.h"
#include "targets/http/server/server.h"
#include "targets/net/socket.h"
#include "targets/tls/test_pki.h"

namespace faultline::http::client {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

const tls::TestPki& shared_pki() {
  static const tls::TestPki pki = [] {
    auto made = tls::make_test_pki();
    if (!made) throw std::runtime_error(made.error().to_string());
    return *made;
  }();
  return pki;
}

std::shared_ptr<const tls::ServerContext> server_context(const tls::TestIdentity& identity) {
  auto context = tls::ServerContext::make(
      {.certificate_chain_pem = identity.certificate_pem, .private_key_pem = identity.private_key_pem});
  if (!context) throw std::runtime_error(context.error().to_string());
  return *context;
}

std::shared_ptr<const tls::ClientContext> client_context(bool insecure = false) {
  auto context = tls::ClientContext::make(
      {.ca_pem = insecure ? "" : shared_pki().ca.certificate_pem, .insecure = insecure});
  if (!context) throw std::runtime_error(context.error().to_string());
  return *context;
}

class HttpsReferenceServer : public ::testing::Test {
 protected:
  void serve(const tls::TestIdentity& identity) {
    HttpServerOptions options;
    options.listen = net::Address::loopback(0);
    options.drain_timeout = milliseconds(100);
    options.tls = server_context(identity);
    server_ = std::make_unique<HttpServer>(options);
    ASSERT_TRUE(server_->start());
    port_ = std::to_string(server_->address().port());
  }
  void TearDown() override {
    if (server_) server_->stop();
  }

  SessionOptions options(bool insecure = false) const {
    SessionOptions options;
    options.timeouts = {.connect = seconds(5), .read = seconds(5), .total = seconds(20)};
    options.tls = client_context(insecure);
    return options;
  }

  std::unique_ptr<HttpServer> server_;
  std::string port_;
};

TEST_F(HttpsReferenceServer, GetOverTlsIsVerifiedAndKeptAlive) {
  serve(shared_pki().server);
  Session session(options());
  for (int i = 0; i < 3; ++i) {
    auto r = session.get("https://localhost:" + port_ + "/get", {.params = {{"n", "1"}}});
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->status, 200);
    auto body = r->json();
    ASSERT_TRUE(body) << body.error().to_string();
    EXPECT_EQ((*body)["args"]["n"], "1");
    EXPECT_EQ((*body)["url"], "https://localhost:" + port_ + "/get?n=1");
  }
  EXPECT_EQ(session.counters().connections_opened, 1u);
  EXPECT_EQ(session.counters().tls_handshakes, 1u);
}

TEST_F(HttpsReferenceServer, PostBodyArrivesWholeOverTls) {
  serve(shared_pki().server);
  Session session(options());
  const std::string big(200 * 1024, 'z');
  auto r = session.post("https://127.0.0.1:" + port_ + "/post", {.data = big});
  ASSERT_TRUE(r) << r.error().to_string();
  auto body = r->json();
  ASSERT_TRUE(body) << body.error().to_string();
  EXPECT_EQ((*body)["data"].get<std::string>().size(), big.size());
}

TEST_F(HttpsReferenceServer, NewConnectionResumesTheTlsSession) {
  serve(shared_pki().server);
  Session session(options());
  for (int i = 0; i < 3; ++i) {
    auto r = session.get("https://localhost:" + port_ + "/get");
    ASSERT_TRUE(r) << r.error().to_string();
    session.close_idle_connections();
  }
  EXPECT_EQ(session.counters().tls_handshakes, 3u);
  EXPECT_EQ(session.counters().tls_resumed, 2u);
}

struct RefusalCase {
  const char* name;
  const tls::TestIdentity tls::TestPki::*identity;
  net::ErrorKind kind;
};

class HttpsRefusals : public HttpsReferenceServer,
                      public ::testing::WithParamInterface<RefusalCase> {};

TEST_P(HttpsRefusals, ClientRefusesTheCertificateWithItsKind) {
  serve(shared_pki().*(GetParam().identity));
  Session session(options());
  auto r = session.get("https://localhost:" + port_ + "/get");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, GetParam().kind) << r.error().to_string();
  EXPECT_NE(r.error().message.find("https://localhost:" + port_), std::string::npos)
      << r.error().message;
}

INSTANTIATE_TEST_SUITE_P(
    Certificates, HttpsRefusals,
    ::testing::Values(RefusalCase{"Expired", &tls::TestPki::expired, net::ErrorKind::tls_expired},
                      RefusalCase{"WrongHost", &tls::TestPki::wrong_host,
                                  net::ErrorKind::tls_wrong_host},
                      RefusalCase{"SelfSigned", &tls::TestPki::self_signed,
                                  net::ErrorKind::tls_unknown_ca}),
    [](const auto& info) { return std::string(info.param.name); });

TEST_F(HttpsReferenceServer, InsecureSessionAcceptsASelfSignedCertificate) {
  serve(shared_pki().self_signed);
  Session session(options(/*insecure=*/true));
  auto r = session.get("https://localhost:" + port_ + "/get");
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->status, 200);
}

TEST_F(HttpsReferenceServer, RedirectFromHttpsToHttpIsRefused) {
  serve(shared_pki().server);
  Session session(options());
  auto r = session.get("https://localhost:" + port_ +
                       "/redirect-to?url=http%3A%2F%2F127.0.0.1%3A1%2Fget");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, net::ErrorKind::invalid_argument) << r.error().to_string();
}

TEST(HttpsSilentServer, HandshakeThatNeverFinishesIsAHandshakeTimeout) {
  // A listener that accepts (the kernel's backlog) and never speaks.
  auto listener = net::listen_bound(net::Address::loopback(0));
  ASSERT_TRUE(listener);
  SessionOptions options;
  options.timeouts = {.connect = milliseconds(300), .read = seconds(5), .total = seconds(5)};
  options.tls = client_context();
  Session session(options);
  const auto started = std::chrono::steady_clock::now();
  auto r = session.get("https://localhost:" + std::to_string(listener->address.port()) + "/");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, net::ErrorKind::tls_handshake_timeout) << r.error().to_string();
  EXPECT_LT(std::chrono::steady_clock::now() - started, seconds(4));
}

}  // namespace
}  // namespace faultline::http::client
