// The UDP fault proxy between the UDP echo client and server, on loopback.
#include <gtest/gtest.h>

#include "harness/proxy/udp_proxy.h"
#include "targets/echo/echo_client.h"
#include "targets/echo/udp_echo_server.h"

namespace faultline::proxy {
namespace {

using namespace std::chrono_literals;

class UdpProxyTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(server_.start()); }
  void start_proxy(const std::string& text) {
    auto profile = fault::parse_profile(text);
    ASSERT_TRUE(profile) << profile.error().to_string();
    UdpProxyOptions options;
    options.upstream = server_.address();
    options.seed = 3;
    proxy_ = std::make_unique<UdpProxy>(options, *profile);
    ASSERT_TRUE(proxy_->start());
  }
  void TearDown() override {
    if (proxy_) proxy_->stop();
    server_.stop();
  }
  echo::UdpEchoServer server_{net::Address::loopback(0)};
  std::unique_ptr<UdpProxy> proxy_;
};

TEST_F(UdpProxyTest, PassesDatagramsThrough) {
  start_proxy("");
  auto client = echo::UdpEchoClient::open(proxy_->address(), echo::UdpOptions{});
  ASSERT_TRUE(client);
  for (int i = 0; i < 50; ++i) {
    auto exchange = client->exchange("datagram " + std::to_string(i));
    ASSERT_TRUE(exchange) << exchange.error().to_string();
    EXPECT_EQ(exchange->reply, "datagram " + std::to_string(i));
    EXPECT_EQ(exchange->attempts, 1);
  }
}

TEST_F(UdpProxyTest, ClientRetriesThroughDrops) {
  start_proxy("drop rate=30%");
  echo::UdpOptions options;
  options.timeout = 30ms;
  options.retries = 20;
  auto client = echo::UdpEchoClient::open(proxy_->address(), options);
  ASSERT_TRUE(client);
  int retried = 0;
  for (int i = 0; i < 40; ++i) {
    auto exchange = client->exchange("m" + std::to_string(i));
    ASSERT_TRUE(exchange) << exchange.error().to_string();
    EXPECT_EQ(exchange->reply, "m" + std::to_string(i));
    retried += exchange->attempts > 1;
  }
  EXPECT_GT(retried, 0);  // with 30% loss each way some exchange needed a resend
}

TEST_F(UdpProxyTest, ClientDiscardsDuplicates) {
  start_proxy("duplicate rate=100% dir=down");
  auto client = echo::UdpEchoClient::open(proxy_->address(), echo::UdpOptions{});
  ASSERT_TRUE(client);
  ASSERT_TRUE(client->exchange("first"));
  auto second = client->exchange("second");
  ASSERT_TRUE(second) << second.error().to_string();
  EXPECT_EQ(second->reply, "second");
  EXPECT_GE(second->discarded, 1u);  // the first reply's duplicate
}

}  // namespace
}  // namespace faultline::proxy
