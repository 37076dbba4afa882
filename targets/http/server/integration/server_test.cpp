// Loopback integration tests of HttpServer with raw sockets: what a client
// sees on the wire, and what the server counts. No sleeps: every wait is on a
// condition (bytes, EOF, a counter) with a deadline.
#include "targets/http/server/server.h"

#include <gtest/gtest.h>
#include <sys/socket.h>

#include <atomic>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "targets/http/parser.h"
#include "targets/http/server/httpbin.h"
#include "targets/net/socket.h"

namespace faultline::http {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

// wait_until polls a condition until it holds or the deadline passes.
template <typename Predicate>
bool wait_until(Predicate predicate, net::Duration limit = 5s) {
  auto deadline = net::Deadline::after(limit);
  while (!predicate()) {
    if (deadline.expired()) return false;
    std::this_thread::yield();
  }
  return true;
}

// RawClient: one TCP connection that writes bytes as given and parses what
// comes back as responses.
class RawClient {
 public:
  explicit RawClient(const net::Address& address) {
    auto fd = net::connect_tcp(address, net::Deadline::after(5s));
    EXPECT_TRUE(fd) << fd.error().to_string();
    if (fd) fd_ = std::move(*fd);
  }

  net::Status send(std::string_view bytes) {
    return net::send_all(fd_.get(), bytes, net::Deadline::after(5s));
  }

  // request sends one request and records its method for the response parser.
  net::Status request(std::string_view method, std::string_view target, std::string_view extra = "",
                      std::string_view body = "") {
    parser_.expect_response_to(method);
    std::string wire = std::string(method) + " " + std::string(target) +
                       " HTTP/1.1\r\nHost: test\r\n" + std::string(extra);
    if (!body.empty()) wire += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    wire += "\r\n";
    wire += body;
    return send(wire);
  }

  // response gives the next response, reading until one is complete.
  net::Result<Message> response(net::Duration limit = 5s) {
    auto deadline = net::Deadline::after(limit);
    for (;;) {
      if (auto message = parser_.next()) return std::move(*message);
      auto n = read_some(deadline);
      if (!n) return tl::unexpected(n.error());
      if (*n == 0) {
        return net::make_error(net::ErrorKind::closed, "closed before a complete response");
      }
    }
  }

  // wait_closed reads (and parses) until EOF or a reset; false on timeout.
  bool wait_closed(net::Duration limit = 5s) {
    auto deadline = net::Deadline::after(limit);
    for (;;) {
      auto n = read_some(deadline);
      if (!n) return n.error().kind != net::ErrorKind::timeout;
      if (*n == 0) return true;
    }
  }

  // readable_within: some bytes or EOF arrive within `limit`.
  bool readable_within(net::Duration limit) {
    return static_cast<bool>(
        net::wait_for(fd_.get(), net::Readiness::readable, net::Deadline::after(limit), "wait"));
  }

  int fd() const { return fd_.get(); }
  const std::string& raw() const { return raw_; }

 private:
  net::Result<std::size_t> read_some(net::Deadline deadline) {
    char buffer[64 * 1024];
    auto n = net::recv_some(fd_.get(), buffer, sizeof(buffer), deadline);
    if (n && *n > 0) {
      raw_.append(buffer, *n);
      (void)parser_.feed(std::string_view(buffer, *n));
    }
    return n;
  }

  net::Fd fd_;
  Parser parser_{MessageType::response};
  std::string raw_;
};

class HttpServerLoopback : public ::testing::Test {
 protected:
  void start(HttpServerOptions options = {}) {
    options.listen = net::Address::loopback(0);
    server_.emplace(std::move(options));
    auto started = server_->start();
    ASSERT_TRUE(started) << started.error().to_string();
  }
  void TearDown() override {
    if (server_) server_->stop();
  }
  RawClient connect() { return RawClient(server_->address()); }

  std::optional<HttpServer> server_;
};

TEST_F(HttpServerLoopback, GetWithArgsReturns200AndTheArgs) {
  start();
  auto client = connect();
  ASSERT_TRUE(client.request("GET", "/get?key=value"));
  auto response = client.response();
  ASSERT_TRUE(response) << response.error().to_string();
  EXPECT_EQ(response->status_code, 200);
  auto body = json::parse(response->body);
  EXPECT_EQ(body["args"], json({{"key", "value"}}));
  EXPECT_EQ(body["origin"], "127.0.0.1");
  EXPECT_EQ(body["url"], "http://test/get?key=value");
}

TEST_F(HttpServerLoopback, PostJsonIsEchoedUnderJson) {
  start();
  auto client = connect();
  ASSERT_TRUE(client.request("POST", "/post", "Content-Type: application/json\r\n",
                             R"({"name":"Python","version":"3.9"})"));
  auto response = client.response();
  ASSERT_TRUE(response) << response.error().to_string();
  EXPECT_EQ(response->status_code, 200);
  EXPECT_EQ(json::parse(response->body)["json"], json({{"name", "Python"}, {"version", "3.9"}}));
}

TEST_F(HttpServerLoopback, KeepAliveServesSeveralRequestsOnOneConnection) {
  start();
  auto client = connect();
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(client.request("GET", "/get?i=" + std::to_string(i)));
    auto response = client.response();
    ASSERT_TRUE(response) << response.error().to_string();
    EXPECT_EQ(json::parse(response->body)["args"]["i"], std::to_string(i));
    EXPECT_TRUE(response->keep_alive);
  }
  auto c = server_->counters();
  EXPECT_EQ(c.connections_accepted, 1u);
  EXPECT_EQ(c.requests, 5u);
  EXPECT_EQ(c.responses_2xx, 5u);
}

TEST_F(HttpServerLoopback, PipelinedRequestsInOneWriteAreAnsweredInOrder) {
  start();
  auto client = connect();
  // The first one is delayed: the others must still come after it.
  const std::vector<std::string> targets = {"/delay/0.2", "/status/201", "/get?n=3", "/status/418",
                                            "/bytes/10?seed=1"};
  std::string wire;
  for (const auto& target : targets)
    wire += "GET " + target + " HTTP/1.1\r\nHost: test\r\n\r\n";
  ASSERT_TRUE(client.send(wire));
  const int expected[] = {200, 201, 200, 418, 200};
  for (int status : expected) {
    auto response = client.response();
    ASSERT_TRUE(response) << response.error().to_string();
    EXPECT_EQ(response->status_code, status);
  }
  EXPECT_EQ(server_->counters().connections_accepted, 1u);
}

TEST_F(HttpServerLoopback, ADelayedRequestDoesNotHoldUpAnotherConnection) {
  start();
  auto slow = connect();
  auto fast = connect();
  auto started = net::MonotonicClock::now();
  ASSERT_TRUE(slow.request("GET", "/delay/2"));
  ASSERT_TRUE(wait_until([&] { return server_->counters().requests == 1; }));
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(fast.request("GET", "/get"));
    auto response = fast.response();
    ASSERT_TRUE(response) << response.error().to_string();
    EXPECT_EQ(response->status_code, 200);
  }
  EXPECT_LT(net::MonotonicClock::now() - started, 2s);
  EXPECT_FALSE(slow.readable_within(0ms));  // still delayed
  auto delayed = slow.response();
  ASSERT_TRUE(delayed) << delayed.error().to_string();
  EXPECT_EQ(delayed->status_code, 200);
  EXPECT_GE(net::MonotonicClock::now() - started, 2s);
}

TEST_F(HttpServerLoopback, RequestLimitsGiveTheirStatusThenClose) {
  HttpServerOptions options;
  options.session.limits.max_url_length = 256;
  options.session.limits.max_header_bytes = 1024;
  options.session.limits.max_header_count = 10;
  options.session.limits.max_body_bytes = 1000;
  start(options);
  struct Case {
    const char* name;
    std::string wire;
    int status;
  };
  std::string many_headers = "GET /get HTTP/1.1\r\n";
  for (int i = 0; i < 11; ++i)
    many_headers += "X-" + std::to_string(i) + ": v\r\n";
  const std::vector<Case> cases = {
      {"malformed", "GET /get HTTP/1.1\r\nNo Colon Here\r\n\r\n", 400},
      {"not http", "HELLO\r\n\r\n", 400},
      {"body too large", "POST /post HTTP/1.1\r\nContent-Length: 1001\r\n\r\n", 413},
      {"url too long", "GET /" + std::string(300, 'u') + " HTTP/1.1\r\n\r\n", 414},
      {"header too large", "GET /get HTTP/1.1\r\nX-Big: " + std::string(2000, 'h') + "\r\n\r\n",
       431},
      {"too many headers", many_headers + "\r\n", 431},
  };
  for (const auto& c : cases) {
    auto client = connect();
    ASSERT_TRUE(client.send(c.wire)) << c.name;
    auto response = client.response();
    ASSERT_TRUE(response) << c.name << ": " << response.error().to_string();
    EXPECT_EQ(response->status_code, c.status) << c.name;
    EXPECT_EQ(response->header("Connection"), "close") << c.name;
    EXPECT_TRUE(client.wait_closed()) << c.name;
  }
  EXPECT_EQ(server_->counters().parse_errors, cases.size());
}

TEST_F(HttpServerLoopback, RefusedBodyIsAnsweredEvenWhileTheClientKeepsSending) {
  HttpServerOptions options;
  options.session.limits.max_body_bytes = 1000;
  start(options);
  auto client = connect();
  // The client sends its whole (refused) body without reading: the server's
  // lingering close must swallow it rather than reset the connection.
  std::string wire = "POST /post HTTP/1.1\r\nContent-Length: 200000\r\n\r\n";
  wire += std::string(200000, 'b');
  ASSERT_TRUE(client.send(wire));
  auto response = client.response();
  ASSERT_TRUE(response) << response.error().to_string();
  EXPECT_EQ(response->status_code, 413);
}

TEST_F(HttpServerLoopback, SlowlorisIsClosedByTheHeaderTimeout) {
  HttpServerOptions options;
  options.session.header_timeout = 500ms;
  options.session.idle_timeout = 60s;
  start(options);
  auto client = connect();
  const std::string head = "GET /get HTTP/1.1\r\nX-Slow: " + std::string(200, 's');
  auto started = net::MonotonicClock::now();
  std::size_t sent = 0;
  // A byte, then wait (up to 50 ms) for the server to react: the wait is
  // what paces the client; it ends early once the server answers.
  while (sent < head.size() && !client.readable_within(50ms)) {
    ASSERT_TRUE(client.send(head.substr(sent++, 1)));
  }
  auto elapsed = net::MonotonicClock::now() - started;
  EXPECT_LT(sent, head.size()) << "the slow client was never cut off";
  EXPECT_GE(elapsed, 500ms);
  EXPECT_LT(elapsed, 3s);
  auto response = client.response();
  ASSERT_TRUE(response) << response.error().to_string();
  EXPECT_EQ(response->status_code, 408);
  EXPECT_TRUE(client.wait_closed());
  EXPECT_EQ(server_->counters().header_timeouts, 1u);
}

TEST_F(HttpServerLoopback, IdleKeepAliveConnectionIsClosedByTheIdleTimeout) {
  HttpServerOptions options;
  options.session.idle_timeout = 300ms;
  start(options);
  auto client = connect();
  ASSERT_TRUE(client.request("GET", "/get"));
  ASSERT_TRUE(client.response());
  auto answered = net::MonotonicClock::now();
  EXPECT_TRUE(client.wait_closed(5s));
  EXPECT_GE(net::MonotonicClock::now() - answered, 250ms);
  EXPECT_TRUE(wait_until([&] { return server_->counters().connections_active == 0; }));
  EXPECT_EQ(server_->counters().idle_timeouts, 1u);
}

TEST_F(HttpServerLoopback, StatusGivesTheAskedStatus) {
  start();
  auto client = connect();
  ASSERT_TRUE(client.request("GET", "/status/418"));
  auto response = client.response();
  ASSERT_TRUE(response) << response.error().to_string();
  EXPECT_EQ(response->status_code, 418);
  EXPECT_EQ(server_->counters().responses_4xx, 1u);
}

TEST_F(HttpServerLoopback, BytesWithASeedAreDeterministic) {
  start();
  auto client = connect();
  std::string first;
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(client.request("GET", "/bytes/1024?seed=7"));
    auto response = client.response();
    ASSERT_TRUE(response) << response.error().to_string();
    ASSERT_EQ(response->body.size(), 1024u);
    if (i == 0) first = response->body;
    EXPECT_EQ(response->body, first);
  }
  EXPECT_EQ(first, httpbin_bytes(1024, 7));
}

TEST_F(HttpServerLoopback, StreamGivesNLinesChunked) {
  start();
  auto client = connect();
  ASSERT_TRUE(client.request("GET", "/stream/5"));
  auto response = client.response();
  ASSERT_TRUE(response) << response.error().to_string();
  EXPECT_TRUE(response->chunked);
  EXPECT_NE(client.raw().find("Transfer-Encoding: chunked\r\n"), std::string::npos);
  std::size_t lines = 0;
  std::size_t at = 0;
  while (at < response->body.size()) {
    auto end = response->body.find('\n', at);
    ASSERT_NE(end, std::string::npos);
    EXPECT_EQ(json::parse(response->body.substr(at, end - at))["id"], lines);
    ++lines;
    at = end + 1;
  }
  EXPECT_EQ(lines, 5u);
}

TEST_F(HttpServerLoopback, ChunkedSendsTheBodyInSeveralChunks) {
  start();
  auto client = connect();
  ASSERT_TRUE(client.request("GET", "/chunked/3000?chunk_size=1000"));
  auto response = client.response();
  ASSERT_TRUE(response) << response.error().to_string();
  EXPECT_EQ(response->body.size(), 3000u);
  EXPECT_NE(client.raw().find("\r\n3e8\r\n"), std::string::npos);
}

TEST_F(HttpServerLoopback, RedirectGives302WithLocation) {
  start();
  auto client = connect();
  ASSERT_TRUE(client.request("GET", "/redirect/2"));
  auto response = client.response();
  ASSERT_TRUE(response) << response.error().to_string();
  EXPECT_EQ(response->status_code, 302);
  EXPECT_EQ(response->header("Location"), "/redirect/1");
}

TEST_F(HttpServerLoopback, HeadGetsNoBody) {
  start();
  auto client = connect();
  ASSERT_TRUE(client.request("HEAD", "/bytes/500"));
  ASSERT_TRUE(client.request("GET", "/status/204"));
  auto head = client.response();
  ASSERT_TRUE(head) << head.error().to_string();
  EXPECT_EQ(head->header("Content-Length"), "500");
  EXPECT_EQ(head->body, "");
  auto next = client.response();
  ASSERT_TRUE(next) << next.error().to_string();
  EXPECT_EQ(next->status_code, 204);
}

TEST_F(HttpServerLoopback, Http10AndConnectionCloseAreHonoured) {
  start();
  {
    auto client = connect();
    ASSERT_TRUE(client.send("GET /get HTTP/1.0\r\n\r\n"));
    auto response = client.response();
    ASSERT_TRUE(response) << response.error().to_string();
    EXPECT_EQ(response->header("Connection"), "close");
    EXPECT_TRUE(client.wait_closed());
  }
  {
    auto client = connect();
    ASSERT_TRUE(client.request("GET", "/get", "Connection: close\r\n"));
    auto response = client.response();
    ASSERT_TRUE(response) << response.error().to_string();
    EXPECT_TRUE(client.wait_closed());
  }
}

TEST_F(HttpServerLoopback, HalfClosedClientStillGetsItsAnswers) {
  start();
  auto client = connect();
  ASSERT_TRUE(client.request("GET", "/status/201"));
  ASSERT_TRUE(client.request("GET", "/status/202"));
  ASSERT_TRUE(net::shutdown_write(client.fd()));
  auto first = client.response();
  auto second = client.response();
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->status_code, 201);
  EXPECT_EQ(second->status_code, 202);
  EXPECT_TRUE(client.wait_closed());
}

TEST_F(HttpServerLoopback, ConnectionsOverTheLimitAreRefused) {
  HttpServerOptions options;
  options.max_connections = 2;
  start(options);
  auto a = connect();
  auto b = connect();
  ASSERT_TRUE(wait_until([&] { return server_->counters().connections_accepted == 2; }));
  auto c = connect();
  ASSERT_TRUE(wait_until([&] { return server_->counters().connections_rejected == 1; }));
  EXPECT_TRUE(c.wait_closed());
  EXPECT_EQ(c.raw().rfind("HTTP/1.1 503", 0), 0u) << c.raw();
  ASSERT_TRUE(a.request("GET", "/get"));
  EXPECT_TRUE(a.response());
}

TEST_F(HttpServerLoopback, AClientThatStopsReadingIsCutWithoutHurtingOthers) {
  HttpServerOptions options;
  options.session.send_timeout = 500ms;
  start(options);
  auto hog = connect();
  // Ask for far more than the socket buffers hold, and never read it.
  std::string wire;
  for (int i = 0; i < 20; ++i)
    wire += "GET /bytes/10485760 HTTP/1.1\r\nHost: t\r\n\r\n";
  ASSERT_TRUE(hog.send(wire));
  auto other = connect();
  ASSERT_TRUE(other.request("GET", "/get"));
  auto response = other.response();
  ASSERT_TRUE(response) << response.error().to_string();
  EXPECT_EQ(response->status_code, 200);
  EXPECT_TRUE(wait_until([&] { return server_->counters().send_timeouts == 1; }));
  // Backpressure: the server stopped handling the hog's requests early on.
  EXPECT_LE(server_->counters().requests, 4u);
}

TEST_F(HttpServerLoopback, StopAnswersWhatIsInFlightThenCloses) {
  start();
  auto client = connect();
  ASSERT_TRUE(client.request("GET", "/delay/0.3"));
  ASSERT_TRUE(wait_until([&] { return server_->counters().requests == 1; }));
  auto started = net::MonotonicClock::now();
  server_->stop();
  EXPECT_LT(net::MonotonicClock::now() - started, 3s);
  auto response = client.response();
  ASSERT_TRUE(response) << response.error().to_string();
  EXPECT_EQ(response->status_code, 200);
  EXPECT_TRUE(client.wait_closed());
}

}  // namespace
}  // namespace faultline::http
