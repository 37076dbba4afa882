#include "targets/ws/handshake.h"

#include <string>

#include <gtest/gtest.h>

namespace faultline::ws {
namespace {

const std::string kRfcRequest =
    "GET /chat HTTP/1.1\r\n"
    "Host: server.example.com\r\n"
    "Upgrade: websocket\r\n"
    "Connection: keep-alive, Upgrade\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
    "Sec-WebSocket-Protocol: chat, superchat\r\n"
    "Sec-WebSocket-Version: 13\r\n\r\n";

TEST(AcceptKey, Rfc6455Example) {
  EXPECT_EQ(compute_accept_key("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(ClientKey, SixteenBytesInBase64AndSeeded) {
  EXPECT_TRUE(valid_client_key(make_client_key(1)));
  EXPECT_EQ(make_client_key(1), make_client_key(1));
  EXPECT_NE(make_client_key(1), make_client_key(2));
  EXPECT_TRUE(valid_client_key("dGhlIHNhbXBsZSBub25jZQ=="));
  EXPECT_FALSE(valid_client_key("dGhlIHNhbXBsZSBub25jZQ"));
  EXPECT_FALSE(valid_client_key("dGhlIHNhbXBsZSBub25jZR=="));  // non-zero padding bits
  EXPECT_FALSE(valid_client_key("dGhl*HNhbXBsZSBub25jZQ=="));
}

TEST(ServerHandshake, AcceptsTheRfcRequestInAnySplitAndKeepsTheFirstFrame) {
  const std::string frame = "\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58";
  const std::string stream = kRfcRequest + frame;
  for (std::size_t cut = 0; cut <= stream.size(); ++cut) {
    ServerHandshake handshake({.subprotocols = {"superchat", "chat"}});
    auto first = handshake.feed(std::string_view(stream).substr(0, cut));
    ASSERT_TRUE(first);
    auto second = handshake.feed(std::string_view(stream).substr(cut));
    ASSERT_TRUE(second);
    ASSERT_EQ(*second, HandshakeStep::accepted)
        << "cut " << cut << ": " << handshake.error().message;
    EXPECT_EQ(handshake.take_leftover(), frame) << "cut " << cut;
    EXPECT_EQ(handshake.protocol(), "superchat");
    EXPECT_EQ(handshake.target(), "/chat");
    std::string response = handshake.take_output();
    EXPECT_EQ(response.rfind("HTTP/1.1 101 Switching Protocols\r\n", 0), 0u) << response;
    EXPECT_NE(response.find("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"),
              std::string::npos);
    EXPECT_NE(response.find("Sec-WebSocket-Protocol: superchat\r\n"), std::string::npos);
  }
}

struct RejectCase {
  std::string name;
  std::string request;
  int status;
  std::string names;  // a phrase the error must contain
};

std::string without(std::string request, std::string_view line) {
  auto at = request.find(line);
  if (at != std::string::npos) request.erase(at, line.size());
  return request;
}

std::string replaced(std::string request, std::string_view from, std::string_view to) {
  auto at = request.find(from);
  if (at != std::string::npos) request.replace(at, from.size(), to);
  return request;
}

class ServerRejectTest : public testing::TestWithParam<RejectCase> {};

TEST_P(ServerRejectTest, AnswersWithAStatusNamingTheProblem) {
  const auto& c = GetParam();
  ServerHandshake handshake;
  auto step = handshake.feed(c.request);
  ASSERT_TRUE(step);
  ASSERT_EQ(*step, HandshakeStep::rejected) << c.name;
  std::string response = handshake.take_output();
  EXPECT_EQ(response.rfind("HTTP/1.1 " + std::to_string(c.status), 0), 0u) << response;
  EXPECT_NE(handshake.error().message.find(c.names), std::string::npos)
      << handshake.error().message;
}

INSTANTIATE_TEST_SUITE_P(
    Table, ServerRejectTest,
    testing::Values(
        RejectCase{"post", replaced(kRfcRequest, "GET", "POST"), 405, "not GET"},
        RejectCase{"http10", replaced(kRfcRequest, "HTTP/1.1", "HTTP/1.0"), 400, "HTTP/1.0"},
        RejectCase{"no_host", without(kRfcRequest, "Host: server.example.com\r\n"), 400, "Host"},
        RejectCase{"no_upgrade", without(kRfcRequest, "Upgrade: websocket\r\n"), 400, "Upgrade"},
        RejectCase{"upgrade_h2c", replaced(kRfcRequest, "Upgrade: websocket", "Upgrade: h2c"), 400,
                   "Upgrade"},
        RejectCase{"connection_close", replaced(kRfcRequest, "keep-alive, Upgrade", "close"), 400,
                   "Connection"},
        RejectCase{"no_key",
                   without(kRfcRequest, "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"), 400,
                   "Sec-WebSocket-Key"},
        RejectCase{"short_key", replaced(kRfcRequest, "dGhlIHNhbXBsZSBub25jZQ==", "abcd"), 400,
                   "16 bytes"},
        RejectCase{"version_8", replaced(kRfcRequest, "Version: 13", "Version: 8"), 426, "only 13"},
        RejectCase{"no_version", without(kRfcRequest, "Sec-WebSocket-Version: 13\r\n"), 426,
                   "missing"},
        RejectCase{"malformed_http", "GET /chat HTTP/1.1\r\nHost : x\r\n\r\n", 400, "malformed"},
        RejectCase{"garbage", "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 400, "malformed"}),
    [](const auto& info) { return info.param.name; });

TEST(ServerHandshake, RefusesAnOversizedRequest) {
  ServerHandshake handshake({.max_request_bytes = 256});
  std::string request =
      "GET / HTTP/1.1\r\nHost: x\r\nX-Pad: " + std::string(1000, 'a') + "\r\n\r\n";
  auto step = handshake.feed(request);
  ASSERT_TRUE(step);
  EXPECT_EQ(*step, HandshakeStep::rejected);
  EXPECT_EQ(handshake.error().kind, net::ErrorKind::too_large);
}

TEST(ClientHandshake, TalksToTheServerHandshake) {
  ClientHandshake client({.host = "127.0.0.1:9", .target = "/echo?x=1", .subprotocols = {"chat"}});
  ServerHandshake server({.subprotocols = {"chat"}});
  auto served = server.feed(client.request());
  ASSERT_TRUE(served);
  ASSERT_EQ(*served, HandshakeStep::accepted);
  EXPECT_EQ(server.target(), "/echo?x=1");
  auto accepted = client.feed(server.take_output() + "\x81\x02hi");
  ASSERT_TRUE(accepted) << accepted.error().to_string();
  EXPECT_EQ(*accepted, HandshakeStep::accepted);
  EXPECT_EQ(client.protocol(), "chat");
  EXPECT_EQ(client.take_leftover(), "\x81\x02hi");
}

struct ClientRejectCase {
  std::string name;
  std::string response;
  std::string names;
};

class ClientRejectTest : public testing::TestWithParam<ClientRejectCase> {};

TEST_P(ClientRejectTest, RefusesTheResponseNamingWhy) {
  const auto& c = GetParam();
  ClientHandshake client({.host = "h", .key_seed = 3});
  std::string response = c.response;
  auto at = response.find("{accept}");
  if (at != std::string::npos) response.replace(at, 8, compute_accept_key(client.key()));
  auto step = client.feed(response);
  ASSERT_FALSE(step) << c.name;
  EXPECT_EQ(step.error().kind, net::ErrorKind::bad_data);
  EXPECT_NE(step.error().message.find(c.names), std::string::npos) << step.error().message;
}

INSTANTIATE_TEST_SUITE_P(
    Table, ClientRejectTest,
    testing::Values(
        ClientRejectCase{"status_200", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nno",
                         "200 OK, not 101: no"},
        ClientRejectCase{"wrong_accept",
                         "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: "
                         "Upgrade\r\nSec-WebSocket-Accept: AAAA\r\n\r\n",
                         "does not match"},
        ClientRejectCase{"no_accept",
                         "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: "
                         "Upgrade\r\n\r\n",
                         "without Sec-WebSocket-Accept"},
        ClientRejectCase{"no_upgrade",
                         "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\n"
                         "Sec-WebSocket-Accept: {accept}\r\n\r\n",
                         "Upgrade: websocket"},
        ClientRejectCase{"extension_not_offered",
                         "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: "
                         "Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n"
                         "Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n",
                         "extension"},
        ClientRejectCase{"protocol_not_offered",
                         "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: "
                         "Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n"
                         "Sec-WebSocket-Protocol: chat\r\n\r\n",
                         "not offered"},
        ClientRejectCase{"not_http", "SSH-2.0-OpenSSH\r\n", "response"}),
    [](const auto& info) { return info.param.name; });

TEST(HasToken, MatchesListElementsInAnyCase) {
  EXPECT_TRUE(has_token("keep-alive, Upgrade", "upgrade"));
  EXPECT_TRUE(has_token("UPGRADE", "upgrade"));
  EXPECT_FALSE(has_token("upgraded", "upgrade"));
  EXPECT_FALSE(has_token("", "upgrade"));
}

}  // namespace
}  // namespace faultline::ws
