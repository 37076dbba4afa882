// The session against the reference server (targets/http/server, httpbin
// endpoints) over loopback: the seed program's two calls, and the endpoints
// that exercise timeouts, redirects, limits and keep-alive.
#include <gtest/gtest.h>

#include <chrono>

#include "targets/http/client/session.h"
#include "targets/http/server/server.h"

namespace faultline::http::client {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

class HttpClientReferenceServer : public ::testing::Test {
 protected:
  void SetUp() override {
    HttpServerOptions options;
    options.listen = net::Address::loopback(0);
    // A test that times out leaves a delayed response owed: don't wait for it.
    options.drain_timeout = milliseconds(100);
    server_ = std::make_unique<HttpServer>(options);
    ASSERT_TRUE(server_->start());
    base_url_ = "http://" + server_->address().to_string();
  }
  void TearDown() override { server_->stop(); }

  SessionOptions options() const {
    SessionOptions options{.base_url = base_url_};
    options.timeouts = {.connect = seconds(5), .read = seconds(5), .total = seconds(20)};
    return options;
  }

  std::unique_ptr<HttpServer> server_;
  std::string base_url_;
};

TEST_F(HttpClientReferenceServer, SeedGetWithParamsEchoesTheArgs) {
  Session session(options());
  auto r = session.get("/get", {.params = {{"key", "value"}}});
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->status, 200);
  EXPECT_TRUE(r->ok());
  EXPECT_TRUE(r->is_json());
  auto body = r->json();
  ASSERT_TRUE(body) << body.error().to_string();
  EXPECT_EQ((*body)["args"]["key"], "value");
  EXPECT_EQ((*body)["headers"]["User-Agent"], "faultline/0.1");
  EXPECT_EQ(r->url, base_url_ + "/get?key=value");
}

TEST_F(HttpClientReferenceServer, SeedPostJsonEchoesTheJson) {
  Session session(options());
  const nlohmann::json sent = {{"name", "Python"}, {"version", "3.9"}};
  auto r = session.post("/post", {.json = sent});
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->status, 200);
  auto body = r->json();
  ASSERT_TRUE(body) << body.error().to_string();
  EXPECT_EQ((*body)["json"], sent);
}

TEST_F(HttpClientReferenceServer, DelayLongerThanTheTimeoutEndsInATimeoutInsideTheDeadline) {
  Session session(options());
  const auto started = std::chrono::steady_clock::now();
  auto r = session.get("/delay/3", {.timeout = milliseconds(300)});
  const auto took = std::chrono::steady_clock::now() - started;
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, net::ErrorKind::timeout);
  EXPECT_EQ(r.error().message, "GET " + base_url_ + "/delay/3: no response byte within 300ms");
  EXPECT_GE(took, milliseconds(300));
  EXPECT_LT(took, seconds(2));
}

TEST_F(HttpClientReferenceServer, KeepAliveUsesOneConnectionForManyRequests) {
  Session session(options());
  for (int i = 0; i < 20; ++i)
    ASSERT_TRUE(session.get("/get")) << i;
  EXPECT_EQ(server_->counters().connections_accepted, 1u);
  EXPECT_EQ(session.counters().connections_reused, 19u);
}

TEST_F(HttpClientReferenceServer, RedirectChainEndsAtGet) {
  Session session(options());
  auto r = session.get("/redirect/3");
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->history, (std::vector<int>{302, 302, 302}));
  EXPECT_EQ(r->url, base_url_ + "/get");
}

TEST_F(HttpClientReferenceServer, RedirectTo307KeepsThePost) {
  Session session(options());
  auto r = session.post("/redirect-to", {.params = {{"url", "/post"}, {"status_code", "307"}},
                                         .json = {{"kept", true}}});
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->json().value()["json"]["kept"], true);
}

TEST_F(HttpClientReferenceServer, TooManyRedirectsIsAnError) {
  SessionOptions opts = options();
  opts.max_redirects = 3;
  Session session(opts);
  auto r = session.get("/redirect/5");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, net::ErrorKind::too_many_redirects);
}

TEST_F(HttpClientReferenceServer, ErrorStatusesAreResponses) {
  Session session(options());
  for (int status : {404, 418, 500}) {
    auto r = session.get("/status/" + std::to_string(status));
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->status, status);
    EXPECT_FALSE(r->ok());
  }
}

TEST_F(HttpClientReferenceServer, ServiceUnavailableIsRetriedThenReturned) {
  SessionOptions opts = options();
  opts.retry = {.max_retries = 2, .backoff_base = milliseconds(1), .seed = 1};
  Session session(opts);
  auto r = session.get("/status/503");
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(session.counters().retries, 2u);
  EXPECT_EQ(server_->counters().requests, 3u);
}

TEST_F(HttpClientReferenceServer, BodiesOverTheLimitAreTooLarge) {
  SessionOptions opts = options();
  opts.limits.max_body_bytes = 64 * 1024;
  Session session(opts);
  auto fits = session.get("/bytes/65536");
  ASSERT_TRUE(fits) << fits.error().to_string();
  EXPECT_EQ(fits->body.size(), 65536u);
  auto over = session.get("/bytes/65537");
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error().kind, net::ErrorKind::too_large);
  auto chunked = session.get("/chunked/100000");
  ASSERT_FALSE(chunked);
  EXPECT_EQ(chunked.error().kind, net::ErrorKind::too_large);
}

TEST_F(HttpClientReferenceServer, ChunkedStreamArrivesWhole) {
  Session session(options());
  auto r = session.get("/stream/5");
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(std::count(r->body.begin(), r->body.end(), '\n'), 5);
}

TEST_F(HttpClientReferenceServer, HeadHasHeadersButNoBody) {
  Session session(options());
  auto r = session.head("/get");
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->status, 200);
  EXPECT_TRUE(r->body.empty());
  auto after = session.get("/get");  // the connection is still in step
  ASSERT_TRUE(after) << after.error().to_string();
  EXPECT_EQ(server_->counters().connections_accepted, 1u);
}

TEST_F(HttpClientReferenceServer, EveryMethodReachesItsEndpoint) {
  Session session(options());
  EXPECT_EQ(session.put("/put", {.data = "x"}).value().status, 200);
  EXPECT_EQ(session.patch("/patch", {.json = {{"a", 1}}}).value().status, 200);
  EXPECT_EQ(session.del("/delete").value().status, 200);
  auto anything = session.options("/anything");
  ASSERT_TRUE(anything) << anything.error().to_string();
  EXPECT_EQ(anything->status, 200);
}

TEST_F(HttpClientReferenceServer, StoppedServerRefuses) {
  Session session(options());
  server_->stop();
  auto r = session.get("/get");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, net::ErrorKind::refused);
}

}  // namespace
}  // namespace faultline::http::client
