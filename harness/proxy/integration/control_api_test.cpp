// The control API flipping faults on a running proxy, spoken over HTTP by the
// project's own client session.
#include <gtest/gtest.h>

#include "harness/proxy/control_api.h"
#include "targets/echo/echo_client.h"
#include "targets/echo/echo_server.h"
#include "targets/http/client/session.h"
#include "targets/http/server/server.h"

namespace faultline::proxy {
namespace {

using namespace std::chrono_literals;
namespace client = http::client;

class ControlApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    echo_ = echo::make_echo_server(echo::ServerModel::epoll, echo::EchoServerOptions{});
    ASSERT_TRUE(echo_->start());
    ProxyOptions options;
    options.upstream = echo_->address();
    proxy_ = std::make_unique<TcpProxy>(options, fault::Profile{});
    ASSERT_TRUE(proxy_->start());
    api_.add("default", ControlApi::handle_for(*proxy_, echo_->address()));
    http::HttpServerOptions server_options;
    server_options.handler = api_.handler();
    server_ = std::make_unique<http::HttpServer>(server_options);
    ASSERT_TRUE(server_->start());
    client::SessionOptions session_options;
    session_options.base_url = "http://" + server_->address().to_string();
    session_ = std::make_unique<client::Session>(session_options);
  }
  void TearDown() override {
    server_->stop();
    proxy_->stop();
    echo_->stop();
  }
  net::Result<std::string> echo_through_proxy() {
    echo::EchoTimeouts timeouts;
    timeouts.operation = 300ms;
    auto c = echo::TcpEchoClient::connect(proxy_->address(), timeouts);
    if (!c) return tl::unexpected(c.error());
    return c->exchange("ping");
  }
  std::unique_ptr<echo::EchoServer> echo_;
  std::unique_ptr<TcpProxy> proxy_;
  ControlApi api_;
  std::unique_ptr<http::HttpServer> server_;
  std::unique_ptr<client::Session> session_;
};

TEST_F(ControlApiTest, ListsProxiesWithTheirProfileAndCounters) {
  ASSERT_TRUE(echo_through_proxy());
  auto r = session_->get("/proxies");
  ASSERT_TRUE(r) << r.error().to_string();
  ASSERT_EQ(r->status, 200);
  auto json = r->json().value();
  EXPECT_EQ(json["default"]["protocol"], "tcp");
  EXPECT_EQ(json["default"]["profile"], "");
  EXPECT_EQ(json["default"]["upstream"], echo_->address().to_string());
  EXPECT_GE(json["default"]["counters"]["accepted"].get<int>(), 1);
}

TEST_F(ControlApiTest, SettingAStallMakesEchoTimeOutAndDeletingRestoresIt) {
  auto set = session_->post("/proxies/default/faults", {.json = {{"profile", "stall dir=down"}}});
  ASSERT_TRUE(set) << set.error().to_string();
  ASSERT_EQ(set->status, 200) << set->body;
  EXPECT_EQ(set->json().value()["profile"], "stall dir=down");
  auto stalled = echo_through_proxy();
  ASSERT_FALSE(stalled);
  EXPECT_EQ(stalled.error().kind, net::ErrorKind::timeout);

  auto cleared = session_->del("/proxies/default/faults");
  ASSERT_TRUE(cleared);
  ASSERT_EQ(cleared->status, 200);
  // The change lands on the proxy's loop thread; new connections see it.
  net::Result<std::string> echoed = tl::unexpected(net::Error{});
  auto deadline = net::Deadline::after(5s);
  do {
    echoed = echo_through_proxy();
  } while (!echoed && !deadline.expired());
  ASSERT_TRUE(echoed) << echoed.error().to_string();
  EXPECT_EQ(*echoed, "ping");
}

TEST_F(ControlApiTest, ABadSpecIsA400NamingTheToken) {
  auto r = session_->post("/proxies/default/faults",
                          {.data = std::string("latency delya=5ms"), .content_type = "text/plain"});
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->status, 400);
  EXPECT_NE(r->body.find("delya"), std::string::npos) << r->body;
  EXPECT_EQ(proxy_->profile().to_string(), "");  // unchanged
}

TEST_F(ControlApiTest, ADatagramFaultOnATcpProxyIsRejected) {
  auto r = session_->post("/proxies/default/faults", {.json = {{"profile", "drop rate=10%"}}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_NE(r->body.find("drop"), std::string::npos) << r->body;
}

TEST_F(ControlApiTest, UnknownProxyIs404) {
  auto r = session_->get("/proxies/nope");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
}

}  // namespace
}  // namespace faultline::proxy
