// targets/tls/tls_engine_test.cpp: two engines wired together in memory.
#include "targets/tls/tls_engine.h"

#include <gtest/gtest.h>

#include "targets/tls/test_pki.h"

namespace faultline::tls {
namespace {

const TestPki& shared_pki() {
  static const TestPki pki = [] {
    auto made = make_test_pki();
    if (!made) throw std::runtime_error(made.error().to_string());
    return *made;
  }();
  return pki;
}

std::shared_ptr<const ServerContext> server_context(const TestIdentity& identity,
                                                    TlsVersion max = TlsVersion::tls1_3) {
  ServerConfig config;
  config.certificate_chain_pem = identity.certificate_pem;
  config.private_key_pem = identity.private_key_pem;
  config.max_version = max;
  auto context = ServerContext::make(config);
  if (!context) throw std::runtime_error(context.error().to_string());
  return *context;
}

std::shared_ptr<const ClientContext> client_context(const std::string& ca_pem,
                                                    bool insecure = false) {
  ClientConfig config;
  config.ca_pem = ca_pem;
  config.insecure = insecure;
  auto context = ClientContext::make(config);
  if (!context) throw std::runtime_error(context.error().to_string());
  return *context;
}

// Pair: a client and a server engine, and a pump that moves bytes between them.
struct Pair {
  std::unique_ptr<TlsEngine> client;
  std::unique_ptr<TlsEngine> server;

  // handshake pumps until both are done or one fails; bounded.
  std::pair<net::Status, net::Status> handshake() {
    net::Status client_status, server_status;
    for (int round = 0; round < 16; ++round) {
      if (client_status && !client->handshake_done()) {
        auto done = client->handshake();
        if (!done) client_status = tl::unexpected(done.error());
      }
      server->feed(client->take_output());
      if (server_status && !server->handshake_done()) {
        auto done = server->handshake();
        if (!done) server_status = tl::unexpected(done.error());
      }
      client->feed(server->take_output());
      if (!client_status || !server_status) {
        // One side failed: let the other read the alert it sent.
        if (client_status && !client->handshake_done()) {
          auto done = client->handshake();
          if (!done) client_status = tl::unexpected(done.error());
        }
        if (server_status && !server->handshake_done()) {
          auto done = server->handshake();
          if (!done) server_status = tl::unexpected(done.error());
        }
        break;
      }
      if (client->handshake_done() && server->handshake_done()) break;
    }
    return {client_status, server_status};
  }
};

Pair make_pair(std::shared_ptr<const ClientContext> client,
               std::shared_ptr<const ServerContext> server, const std::string& host = "localhost") {
  auto c = TlsEngine::client(std::move(client), host);
  auto s = TlsEngine::server(std::move(server));
  if (!c || !s) throw std::runtime_error("engine creation failed");
  return Pair{std::move(*c), std::move(*s)};
}

// read_all reads plaintext until the engine needs input.
std::string read_available(TlsEngine& engine) {
  std::string out;
  char buffer[4096];
  for (int i = 0; i < 1000; ++i) {
    auto outcome = engine.read(buffer, sizeof(buffer));
    if (!outcome || outcome->bytes == 0) break;
    out.append(buffer, outcome->bytes);
  }
  return out;
}

class TlsEngineVersions : public ::testing::TestWithParam<TlsVersion> {};

TEST_P(TlsEngineVersions, HandshakeNegotiatesVersionAndAlpnThenEchoes) {
  const auto& pki = shared_pki();
  auto pair =
      make_pair(client_context(pki.ca.certificate_pem), server_context(pki.server, GetParam()));
  auto [client_status, server_status] = pair.handshake();
  ASSERT_TRUE(client_status) << client_status.error().to_string();
  ASSERT_TRUE(server_status) << server_status.error().to_string();
  EXPECT_EQ(pair.client->version(), GetParam() == TlsVersion::tls1_3 ? "TLSv1.3" : "TLSv1.2");
  EXPECT_EQ(pair.client->alpn(), "http/1.1");
  EXPECT_EQ(pair.server->alpn(), "http/1.1");

  ASSERT_TRUE(pair.client->write("hello over tls"));
  pair.server->feed(pair.client->take_output());
  const std::string received = read_available(*pair.server);
  EXPECT_EQ(received, "hello over tls");
  ASSERT_TRUE(pair.server->write(received));
  pair.client->feed(pair.server->take_output());
  EXPECT_EQ(read_available(*pair.client), "hello over tls");
}

TEST_P(TlsEngineVersions, SecondConnectionResumesTheCachedSession) {
  const auto& pki = shared_pki();
  auto client = client_context(pki.ca.certificate_pem);
  auto server = server_context(pki.server, GetParam());
  auto sessions = std::make_shared<SessionCache>();
  for (int connection = 0; connection < 2; ++connection) {
    auto c = TlsEngine::client(client, "localhost", sessions, "localhost:443");
    auto s = TlsEngine::server(server);
    ASSERT_TRUE(c && s);
    Pair pair{std::move(*c), std::move(*s)};
    auto [client_status, server_status] = pair.handshake();
    ASSERT_TRUE(client_status) << client_status.error().to_string();
    ASSERT_TRUE(server_status) << server_status.error().to_string();
    EXPECT_EQ(pair.client->session_reused(), connection == 1) << "connection " << connection;
    EXPECT_EQ(pair.server->session_reused(), connection == 1) << "connection " << connection;
    // TLS 1.3 tickets come after the handshake: the client takes them on a read.
    ASSERT_TRUE(pair.server->write("x"));
    pair.client->feed(pair.server->take_output());
    EXPECT_EQ(read_available(*pair.client), "x");
    EXPECT_EQ(sessions->size(), 1u);
  }
}

INSTANTIATE_TEST_SUITE_P(Versions, TlsEngineVersions,
                         ::testing::Values(TlsVersion::tls1_2, TlsVersion::tls1_3),
                         [](const auto& info) {
                           return info.param == TlsVersion::tls1_3 ? "Tls13" : "Tls12";
                         });

TEST(TlsEngine, IpAddressHostIsVerifiedAgainstTheIpSubjectAltName) {
  const auto& pki = shared_pki();
  auto pair =
      make_pair(client_context(pki.ca.certificate_pem), server_context(pki.server), "127.0.0.1");
  auto [client_status, server_status] = pair.handshake();
  EXPECT_TRUE(client_status) << client_status.error().to_string();
}

// Certificate failures: each gives its own kind on the client, and the server
// is told why by an alert with a name.
struct CertificateCase {
  const char* name;
  const TestIdentity TestPki::*identity;
  std::string host;
  net::ErrorKind client_kind;
  const char* client_says;
  const char* server_alert;
};

class TlsEngineCertificates : public ::testing::TestWithParam<CertificateCase> {};

TEST_P(TlsEngineCertificates, ClientRefusesWithADistinctKind) {
  const auto& pki = shared_pki();
  const CertificateCase& c = GetParam();
  auto pair =
      make_pair(client_context(pki.ca.certificate_pem), server_context(pki.*(c.identity)), c.host);
  auto [client_status, server_status] = pair.handshake();
  ASSERT_FALSE(client_status);
  EXPECT_EQ(client_status.error().kind, c.client_kind) << client_status.error().to_string();
  EXPECT_NE(client_status.error().message.find(c.client_says), std::string::npos)
      << client_status.error().message;
  ASSERT_FALSE(server_status);
  EXPECT_EQ(server_status.error().kind, net::ErrorKind::tls_alert)
      << server_status.error().to_string();
  EXPECT_NE(server_status.error().message.find(c.server_alert), std::string::npos)
      << server_status.error().message;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, TlsEngineCertificates,
    ::testing::Values(
        CertificateCase{"Expired", &TestPki::expired, "localhost", net::ErrorKind::tls_expired,
                        "certificate has expired", "certificate expired"},
        CertificateCase{"WrongHost", &TestPki::wrong_host, "localhost",
                        net::ErrorKind::tls_wrong_host, "hostname mismatch", "bad certificate"},
        CertificateCase{"WrongIp", &TestPki::wrong_host, "127.0.0.1",
                        net::ErrorKind::tls_wrong_host, "IP address mismatch", "bad certificate"},
        CertificateCase{"SelfSigned", &TestPki::self_signed, "localhost",
                        net::ErrorKind::tls_unknown_ca, "self-signed certificate", "unknown CA"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(TlsEngine, CertificateFromAnotherCaIsUnknownCa) {
  const auto& pki = shared_pki();
  auto other = make_test_pki();
  ASSERT_TRUE(other);
  auto pair = make_pair(client_context(other->ca.certificate_pem), server_context(pki.server));
  auto [client_status, server_status] = pair.handshake();
  ASSERT_FALSE(client_status);
  EXPECT_EQ(client_status.error().kind, net::ErrorKind::tls_unknown_ca)
      << client_status.error().to_string();
  EXPECT_NE(client_status.error().message.find("unable to get local issuer certificate"),
            std::string::npos);
}

TEST(TlsEngine, InsecureClientAcceptsASelfSignedCertificate) {
  const auto& pki = shared_pki();
  auto pair = make_pair(client_context("", true), server_context(pki.self_signed), "wrong.example");
  auto [client_status, server_status] = pair.handshake();
  EXPECT_TRUE(client_status);
  EXPECT_TRUE(server_status);
}

TEST(TlsEngine, RecordSplitIntoOneBytePiecesStillDecrypts) {
  const auto& pki = shared_pki();
  auto pair = make_pair(client_context(pki.ca.certificate_pem), server_context(pki.server));
  ASSERT_TRUE(pair.handshake().first);
  std::string message(3000, '\0');
  for (std::size_t i = 0; i < message.size(); ++i)
    message[i] = static_cast<char>('a' + i % 26);
  ASSERT_TRUE(pair.server->write(message));
  const std::string ciphertext = pair.server->take_output();
  std::string received;
  char buffer[512];
  for (char byte : ciphertext) {
    pair.client->feed(std::string_view(&byte, 1));
    for (int i = 0; i < 100; ++i) {
      auto outcome = pair.client->read(buffer, sizeof(buffer));
      ASSERT_TRUE(outcome) << outcome.error().to_string();
      if (outcome->bytes == 0) break;
      received.append(buffer, outcome->bytes);
    }
  }
  EXPECT_EQ(received, message);
}

TEST(TlsEngine, EofWithoutCloseNotifyIsTruncation) {
  const auto& pki = shared_pki();
  auto pair = make_pair(client_context(pki.ca.certificate_pem), server_context(pki.server));
  ASSERT_TRUE(pair.handshake().first);
  ASSERT_TRUE(pair.server->write("partial body"));
  pair.client->feed(pair.server->take_output());
  pair.client->feed_eof();
  EXPECT_EQ(read_available(*pair.client), "partial body");
  char buffer[64];
  auto outcome = pair.client->read(buffer, sizeof(buffer));
  ASSERT_FALSE(outcome);
  EXPECT_EQ(outcome.error().kind, net::ErrorKind::tls_truncated);
  EXPECT_NE(outcome.error().message.find("without close_notify"), std::string::npos);
}

TEST(TlsEngine, CloseNotifyIsACleanEnd) {
  const auto& pki = shared_pki();
  auto pair = make_pair(client_context(pki.ca.certificate_pem), server_context(pki.server));
  ASSERT_TRUE(pair.handshake().first);
  ASSERT_TRUE(pair.server->write("whole body"));
  pair.server->close();
  pair.client->feed(pair.server->take_output());
  pair.client->feed_eof();
  EXPECT_EQ(read_available(*pair.client), "whole body");
  char buffer[64];
  auto outcome = pair.client->read(buffer, sizeof(buffer));
  ASSERT_TRUE(outcome) << outcome.error().to_string();
  EXPECT_TRUE(outcome->closed);
}

TEST(TlsEngine, CorruptedRecordIsBadRecordMac) {
  const auto& pki = shared_pki();
  auto pair = make_pair(client_context(pki.ca.certificate_pem), server_context(pki.server));
  ASSERT_TRUE(pair.handshake().first);
  ASSERT_TRUE(pair.server->write("tamper with me"));
  std::string ciphertext = pair.server->take_output();
  ciphertext[ciphertext.size() - 3] ^= 0x5a;
  pair.client->feed(ciphertext);
  char buffer[64];
  auto outcome = pair.client->read(buffer, sizeof(buffer));
  ASSERT_FALSE(outcome);
  EXPECT_EQ(outcome.error().kind, net::ErrorKind::tls_protocol);
  EXPECT_NE(outcome.error().message.find("bad record mac"), std::string::npos)
      << outcome.error().message;
}

TEST(TlsEngine, WriteBeforeTheHandshakeIsRefused) {
  const auto& pki = shared_pki();
  auto pair = make_pair(client_context(pki.ca.certificate_pem), server_context(pki.server));
  EXPECT_FALSE(pair.client->write("too early"));
}

}  // namespace
}  // namespace faultline::tls
