// The control API flipping faults on a running proxy, spoken over HTTP by the
// project's own client session.
#include <gtest/gtest.h>

#include "harness/proxy/control_api.h"
#include "targets/echo/echo_client.h"
#include "targets/echo/echo_server.h"
#include "targets/http/client/session.h"
#include "targets/http/server/server.h"
#include "targets/net/socket.h"

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
    server_ = std::make_unique<http::HttpServer>(api_.server_options(net::Address::loopback(0)));
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

TEST_F(ControlApiTest, MetricsCountBytesConnectionsAndFaultEventsPerClause) {
  auto set = session_->post("/proxies/default/faults",
                            {.json = {{"profile", "slicer max=2B; reset after=1MiB"}}});
  ASSERT_TRUE(set && set->status == 200);
  // The new profile lands on the loop thread: wait until a connection runs its chain.
  auto deadline = net::Deadline::after(5s);
  std::string body;
  do {
    ASSERT_TRUE(echo_through_proxy());
    auto r = session_->get("/metrics");
    ASSERT_TRUE(r) << r.error().to_string();
    ASSERT_EQ(r->status, 200);
    EXPECT_NE(r->header("content-type").value_or("").find("text/plain"), std::string::npos);
    body = r->body;
  } while (body.find("fault=\"slicer\"") == std::string::npos && !deadline.expired());
  EXPECT_NE(body.find("# TYPE faultline_proxy_bytes_total counter\n"), std::string::npos) << body;
  EXPECT_NE(body.find("faultline_proxy_bytes_total{proxy=\"default\",dir=\"up\"} "),
            std::string::npos)
      << body;
  EXPECT_NE(body.find("faultline_proxy_connections_total{proxy=\"default\",outcome=\"accepted\"} "),
            std::string::npos)
      << body;
  // Every sample a handle gives has its family: none is dropped from the text.
  EXPECT_NE(body.find("# TYPE faultline_proxy_refuse_windows_total counter\n"
                      "faultline_proxy_refuse_windows_total{proxy=\"default\"} 0\n"),
            std::string::npos)
      << body;
  EXPECT_NE(
      body.find("faultline_fault_fired_total{proxy=\"default\",clause=\"0\",fault=\"slicer\""),
      std::string::npos)
      << body;
  // The reset never acted (1 MiB never passed): it is listed with 0.
  EXPECT_NE(body.find("clause=\"1\",fault=\"reset\",spec=\"reset after=1MiB\"} 0\n"),
            std::string::npos)
      << body;
}

TEST_F(ControlApiTest, AnHttpFaultOnAByteProxyIsRejected) {
  auto r = session_->post("/proxies/default/faults", {.json = {{"profile", "http_abort"}}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_NE(r->body.find("--protocol http"), std::string::npos) << r->body;
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

TEST_F(ControlApiTest, AnEmptyBodyIsA400AndLeavesTheProfile) {
  ASSERT_EQ(session_
                ->post("/proxies/default/faults",
                       {.data = std::string("latency delay=5ms"), .content_type = "text/plain"})
                ->status,
            200);
  auto r = session_->post("/proxies/default/faults",
                          {.data = std::string(""), .content_type = "text/plain"});
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->status, 400);
  EXPECT_NE(r->body.find("empty body"), std::string::npos) << r->body;
  EXPECT_EQ(proxy_->profile().to_string(), "latency delay=5ms");
}

TEST_F(ControlApiTest, AppendAddsClausesAndDeleteByIndexRemovesOne) {
  auto text = [](const char* spec) {
    return client::RequestOptions{.data = std::string(spec), .content_type = "text/plain"};
  };
  ASSERT_EQ(session_->post("/proxies/default/faults", text("latency delay=5ms"))->status, 200);
  auto appended = session_->post("/proxies/default/faults?mode=append", text("slicer max=8B"));
  ASSERT_TRUE(appended);
  ASSERT_EQ(appended->status, 200) << appended->body;
  EXPECT_EQ(proxy_->profile().to_string(), "latency delay=5ms; slicer max=8B");
  auto listed = session_->get("/proxies/default/faults");
  ASSERT_TRUE(listed);
  EXPECT_EQ(listed->json().value()["faults"],
            nlohmann::json::array({"latency delay=5ms", "slicer max=8B"}));
  auto removed = session_->del("/proxies/default/faults/0");
  ASSERT_TRUE(removed);
  ASSERT_EQ(removed->status, 200) << removed->body;
  EXPECT_EQ(proxy_->profile().to_string(), "slicer max=8B");
  auto missing = session_->del("/proxies/default/faults/5");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  // A plain POST still replaces everything.
  ASSERT_EQ(session_->post("/proxies/default/faults", text("stall dir=down"))->status, 200);
  EXPECT_EQ(proxy_->profile().to_string(), "stall dir=down");
}

TEST_F(ControlApiTest, ALongBadTokenIsCutInTheError) {
  const std::string token(512 * 1024, 'x');
  auto r = session_->post("/proxies/default/faults", {.data = token, .content_type = "text/plain"});
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->status, 400);
  ASSERT_TRUE(r->json()) << r->body.substr(0, 200);
  EXPECT_LT(r->body.size(), 1024u);
}

TEST_F(ControlApiTest, ABodyOverTheLimitIsAJsonError) {
  // The test fixture serves the API with its own server options.
  auto r = session_->post("/proxies/default/faults", {.data = std::string(9 * 1024 * 1024, 'a'),
                                                      .content_type = "text/plain"});
  if (r) {
    EXPECT_EQ(r->status, 413);
    EXPECT_TRUE(r->json()) << r->body.substr(0, 200);
  } else {
    // The server may close before the client has sent 9MiB; then it was at
    // least not served.
    EXPECT_NE(r.error().kind, net::ErrorKind::timeout) << r.error().to_string();
  }
}

TEST_F(ControlApiTest, ARawBadRequestIsAJsonError) {
  auto fd = net::connect_tcp(server_->address(), net::Deadline::after(5s));
  ASSERT_TRUE(fd);
  ASSERT_TRUE(net::send_all(fd->get(), "NOT HTTP AT ALL\r\n\r\n", net::Deadline::after(5s)));
  std::string reply;
  char buffer[4096];
  for (int i = 0; i < 64; ++i) {
    auto n = net::recv_some(fd->get(), buffer, sizeof buffer, net::Deadline::after(5s));
    if (!n || *n == 0) break;
    reply.append(buffer, *n);
  }
  EXPECT_EQ(reply.rfind("HTTP/1.1 400", 0), 0u) << reply;
  EXPECT_NE(reply.find("Content-Type: application/json"), std::string::npos) << reply;
  EXPECT_NE(reply.find("{"), std::string::npos) << reply;
}

class ControlApiTokenTest : public ControlApiTest {
 protected:
  void SetUp() override {
    api_.require_token("s3cret-token");
    ControlApiTest::SetUp();
  }
};

TEST_F(ControlApiTokenTest, EveryRequestNeedsTheToken) {
  auto anonymous = session_->get("/proxies");
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->status, 401);
  EXPECT_TRUE(anonymous->json()) << anonymous->body;
  auto wrong = session_->get("/proxies", {.headers = {{"Authorization", "Bearer s3cret-tokeX"}}});
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 401);
  EXPECT_EQ(wrong->body.find("s3cret"), std::string::npos) << wrong->body;
  auto right = session_->get("/proxies", {.headers = {{"Authorization", "Bearer s3cret-token"}}});
  ASSERT_TRUE(right);
  EXPECT_EQ(right->status, 200) << right->body;
}

TEST_F(ControlApiTokenTest, AMegabyteTokenIsAJsonErrorWithoutTheToken) {
  const std::string token(1024 * 1024, 'k');
  auto r = session_->get("/proxies", {.headers = {{"Authorization", "Bearer " + token}}});
  if (!r) GTEST_SKIP() << "closed before the headers went out: " << r.error().to_string();
  EXPECT_EQ(r->status, 431);
  EXPECT_TRUE(r->json()) << r->body.substr(0, 200);
  EXPECT_EQ(r->body.find("kkkkkkkk"), std::string::npos);
}

}  // namespace
}  // namespace faultline::proxy
