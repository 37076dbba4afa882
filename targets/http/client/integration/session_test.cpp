// The session over real loopback sockets against scripted servers
// (scripted_server.h): framing, keep-alive, stale connections, redirects,
// timeouts, resets, garbage and limits, each ending in its own error kind.
#include <dirent.h>

#include <gtest/gtest.h>

#include <chrono>

#include "targets/http/client/integration/scripted_server.h"
#include "targets/http/client/session.h"
#include "targets/net/address.h"
#include "targets/net/socket.h"

namespace faultline::http::client {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::ScriptedConnection;
using testing::ScriptedServer;

const std::string kOk = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

bool contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

// answer_each replies `reply` to every request on every connection.
testing::Script answer_each(std::string reply) {
  return [reply](ScriptedConnection& c) {
    while (c.read_request()) {
      if (!c.send(reply)) return;
    }
  };
}

// once sends `reply` to the first request, then does `then`.
testing::Script once(std::string reply, std::function<void(ScriptedConnection&)> then) {
  return [reply, then](ScriptedConnection& c) {
    if (!c.read_request()) return;
    c.send(reply);
    then(c);
  };
}

void close_it(ScriptedConnection& c) {
  c.close();
}
void reset_it(ScriptedConnection& c) {
  c.reset();
}
void stall_it(ScriptedConnection& c) {
  c.stall();
}

SessionOptions quick(const ScriptedServer& server) {
  SessionOptions options{.base_url = server.url()};
  options.timeouts = {.connect = seconds(5), .read = seconds(5), .total = seconds(10)};
  return options;
}

// --- framing ----------------------------------------------------------------------

struct FramingCase {
  const char* name;
  std::string reply;
  std::string body;
  bool pooled;
};

TEST(HttpClientSocket, BodiesOfEveryFramingArriveWhole) {
  const std::string big(100000, 'b');
  const std::vector<FramingCase> cases = {
      {"content-length", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", "hello", true},
      {"chunked",
       "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n "
       "world\r\n0\r\n\r\n",
       "hello world", true},
      {"large content-length",
       "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(big.size()) + "\r\n\r\n" + big, big,
       true},
      {"empty", "HTTP/1.1 204 No Content\r\n\r\n", "", true},
  };
  for (const FramingCase& c : cases) {
    ScriptedServer server(answer_each(c.reply));
    Session session(quick(server));
    auto r = session.get("/framed");
    ASSERT_TRUE(r) << c.name << ": " << r.error().to_string();
    EXPECT_EQ(r->body, c.body) << c.name;
    EXPECT_EQ(session.idle_connections(), c.pooled ? 1u : 0u) << c.name;
  }
}

TEST(HttpClientSocket, CloseDelimitedBodyEndsAtTheServersClose) {
  ScriptedServer server(once("HTTP/1.1 200 OK\r\n\r\nuntil close", close_it));
  Session session(quick(server));
  auto r = session.get("/close");
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->body, "until close");
  EXPECT_EQ(session.idle_connections(), 0u);
}

TEST(HttpClientSocket, ContinueThenOkGivesTheOk) {
  ScriptedServer server(answer_each("HTTP/1.1 100 Continue\r\n\r\n" + kOk));
  Session session(quick(server));
  auto r = session.post("/post", {.json = {{"a", 1}}});
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "ok");
}

TEST(HttpClientSocket, JsonOfANonJsonBodyIsBadData) {
  ScriptedServer server(answer_each("HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\n<html>"));
  Session session(quick(server));
  auto r = session.get("/html");
  ASSERT_TRUE(r) << r.error().to_string();
  auto json = r->json();
  ASSERT_FALSE(json);
  EXPECT_EQ(json.error().kind, net::ErrorKind::bad_data);
  EXPECT_TRUE(contains(json.error().message, "at byte 1")) << json.error().message;
}

// --- keep-alive -------------------------------------------------------------------

TEST(HttpClientSocket, KeepAliveReusesOneConnection) {
  ScriptedServer server(answer_each(kOk));
  Session session(quick(server));
  for (int i = 0; i < 5; ++i)
    ASSERT_TRUE(session.get("/get")) << i;
  server.stop();
  EXPECT_EQ(server.accepted(), 1);
  EXPECT_EQ(server.requests().size(), 5u);
  EXPECT_EQ(session.counters().connections_opened, 1u);
  EXPECT_EQ(session.counters().connections_reused, 4u);
}

TEST(HttpClientSocket, PoolOffOpensAConnectionPerRequest) {
  ScriptedServer server(answer_each(kOk));
  SessionOptions options = quick(server);
  options.pool.max_idle_per_host = 0;
  Session session(options);
  for (int i = 0; i < 3; ++i)
    ASSERT_TRUE(session.get("/get")) << i;
  server.stop();
  EXPECT_EQ(server.accepted(), 3);
}

TEST(HttpClientSocket, PooledConnectionClosedByTheServerIsRetriedOnceFresh) {
  // Connection 0 answers once, then closes when the next request arrives
  // (as a server whose idle timer fired just then); connection 1 answers.
  ScriptedServer server([](ScriptedConnection& c) {
    if (c.index() == 0) {
      if (c.read_request()) c.send(kOk);
      if (c.read_request()) c.close();
      return;
    }
    while (c.read_request())
      c.send(kOk);
  });
  Session session(quick(server));
  ASSERT_TRUE(session.get("/first"));
  auto second = session.get("/second");
  ASSERT_TRUE(second) << second.error().to_string();
  server.stop();
  EXPECT_EQ(server.accepted(), 2);
  EXPECT_EQ(session.counters().stale_retries, 1u);
  EXPECT_EQ(server.requests().size(), 3u);
}

TEST(HttpClientSocket, PooledConnectionResetByTheServerIsRetriedOnceFresh) {
  ScriptedServer server([](ScriptedConnection& c) {
    if (c.index() == 0) {
      if (c.read_request()) c.send(kOk);
      if (c.read_request()) c.reset();
      return;
    }
    while (c.read_request())
      c.send(kOk);
  });
  Session session(quick(server));
  ASSERT_TRUE(session.get("/first"));
  auto second = session.get("/second");
  ASSERT_TRUE(second) << second.error().to_string();
  EXPECT_EQ(session.counters().stale_retries, 1u);
}

TEST(HttpClientSocket, IdleConnectionClosedByTheServerIsNotReusedBlindly) {
  // The server closes right after answering. Whether the client sees the
  // FIN before reuse (discarded) or only after sending (stale retry), the
  // second request succeeds on a second connection.
  ScriptedServer server(once(kOk, close_it));
  Session session(quick(server));
  ASSERT_TRUE(session.get("/first"));
  auto second = session.get("/second");
  ASSERT_TRUE(second) << second.error().to_string();
  server.stop();
  EXPECT_EQ(server.accepted(), 2);
  EXPECT_EQ(session.counters().stale_discarded + session.counters().stale_retries, 1u);
}

// --- redirects --------------------------------------------------------------------

// redirecting_server: /r/CODE answers CODE to /target; /target echoes the
// request line and body.
testing::Script redirecting_server() {
  return [](ScriptedConnection& c) {
    while (auto request = c.read_request()) {
      const std::string line = request->substr(0, request->find("\r\n"));
      if (auto at = line.find(" /r/"); at != std::string::npos) {
        const std::string code = line.substr(at + 4, 3);
        c.send("HTTP/1.1 " + code + " Redirect\r\nLocation: /target\r\nContent-Length: 0\r\n\r\n");
        continue;
      }
      const std::string body = request->substr(request->find("\r\n\r\n") + 4);
      const std::string echoed = line + "|" + body;
      c.send("HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(echoed.size()) + "\r\n\r\n" +
             echoed);
    }
  };
}

TEST(HttpClientSocket, RedirectsFollowTheirStatusSemantics) {
  struct Case {
    int status;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {301, "GET /target HTTP/1.1|"},         {302, "GET /target HTTP/1.1|"},
      {303, "GET /target HTTP/1.1|"},         {307, "POST /target HTTP/1.1|payload"},
      {308, "POST /target HTTP/1.1|payload"},
  };
  ScriptedServer server(redirecting_server());
  Session session(quick(server));
  for (const Case& c : cases) {
    auto r = session.post("/r/" + std::to_string(c.status), {.data = "payload"});
    ASSERT_TRUE(r) << c.status << ": " << r.error().to_string();
    EXPECT_EQ(r->body, c.expected) << c.status;
    EXPECT_EQ(r->history, std::vector<int>{c.status});
    EXPECT_EQ(r->url, server.url("/target"));
  }
  server.stop();
  EXPECT_EQ(server.accepted(), 1);  // redirects reuse the connection
}

TEST(HttpClientSocket, RedirectLoopEndsInTooManyRedirects) {
  ScriptedServer server(
      answer_each("HTTP/1.1 302 Found\r\nLocation: /loop\r\nContent-Length: 0\r\n\r\n"));
  Session session(quick(server));
  auto r = session.get("/loop");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, net::ErrorKind::too_many_redirects);
  EXPECT_TRUE(contains(r.error().message, "more than 10 redirects")) << r.error().message;
  EXPECT_EQ(server.requests().size(), 11u);
}

TEST(HttpClientSocket, AuthorizationDoesNotFollowARedirectToAnotherHost) {
  // 127.0.0.1 and localhost reach the same server but are different hosts.
  auto server = std::make_unique<ScriptedServer>([](ScriptedConnection& c) {
    while (auto request = c.read_request()) {
      if (contains(*request, "GET /start ")) {
        const std::size_t port_at = request->find("Host: 127.0.0.1:") + 16;
        const std::string port = request->substr(port_at, request->find("\r\n", port_at) - port_at);
        c.send("HTTP/1.1 302 Found\r\nLocation: http://localhost:" + port +
               "/landed\r\nContent-Length: 0\r\n\r\n");
      } else {
        c.send(kOk);
      }
    }
  });
  Session session(quick(*server));
  auto r = session.get("/start", {.headers = {{"Authorization", "Basic c2VjcmV0"}}});
  ASSERT_TRUE(r) << r.error().to_string();
  server->stop();
  auto requests = server->requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_TRUE(contains(requests[0], "Authorization: Basic c2VjcmV0"));
  EXPECT_FALSE(contains(requests[1], "Authorization"));
  EXPECT_TRUE(contains(requests[1], "Host: localhost:"));
}

// --- failures, each with its kind -------------------------------------------------

TEST(HttpClientSocket, StalledServerTimesOutWithinTheDeadline) {
  ScriptedServer server([](ScriptedConnection& c) {
    if (c.read_request()) c.stall();
  });
  SessionOptions options = quick(server);
  options.timeouts.read = milliseconds(200);
  Session session(options);
  const auto started = std::chrono::steady_clock::now();
  auto r = session.get("/delay/5");
  const auto took = std::chrono::steady_clock::now() - started;
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, net::ErrorKind::timeout);
  EXPECT_EQ(r.error().message, "GET " + server.url("/delay/5") + ": no response byte within 200ms");
  EXPECT_GE(took, milliseconds(200));
  EXPECT_LT(took, milliseconds(200) + seconds(2));
}

TEST(HttpClientSocket, SlowDripIsCutByTheTotalTimeout) {
  // One byte every 50ms never trips a 1s read timeout; the total one ends it.
  ScriptedServer server([](ScriptedConnection& c) {
    if (!c.read_request()) return;
    const std::string head = "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n";
    for (char byte : head + std::string(1000, 'x')) {
      if (!c.send(std::string_view(&byte, 1))) return;
      std::this_thread::sleep_for(milliseconds(50));  // the script's pacing, not a wait
    }
  });
  SessionOptions options = quick(server);
  options.timeouts.read = seconds(1);
  options.timeouts.total = milliseconds(400);
  Session session(options);
  const auto started = std::chrono::steady_clock::now();
  auto r = session.get("/drip");
  const auto took = std::chrono::steady_clock::now() - started;
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, net::ErrorKind::timeout);
  EXPECT_TRUE(contains(r.error().message, "total timeout of 400ms")) << r.error().message;
  EXPECT_LT(took, seconds(2));
}

struct FailureCase {
  const char* name;
  testing::Script script;
  net::ErrorKind kind;
  const char* message_part;
};

TEST(HttpClientSocket, BrokenServersEndInTheMatchingErrorKind) {
  const std::vector<FailureCase> cases = {
      {"truncated body", once("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this", close_it),
       net::ErrorKind::closed, "truncated"},
      {"truncated chunked body",
       once("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nabc", close_it),
       net::ErrorKind::closed, "truncated"},
      {"reset before a response", once("", reset_it), net::ErrorKind::reset, "reset"},
      {"reset mid-body", once("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npart", reset_it),
       net::ErrorKind::reset, "reset"},
      {"closed before a response", once("", close_it), net::ErrorKind::closed,
       "closed the connection before sending a response"},
      {"garbage", once("\x16\x03\x01garbage that is not HTTP", stall_it), net::ErrorKind::bad_data,
       "malformed response: invalid at byte 0"},
      {"bad chunk size",
       once("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", stall_it),
       net::ErrorKind::bad_data, "malformed response"},
      {"oversized headers",
       once("HTTP/1.1 200 OK\r\nX-Huge: " + std::string(200 * 1024, 'h') + "\r\n\r\n", stall_it),
       net::ErrorKind::too_large, "header_too_large"},
      {"oversized content-length",
       once("HTTP/1.1 200 OK\r\nContent-Length: 1000000000000\r\n\r\n", stall_it),
       net::ErrorKind::too_large, "response too large"},
      {"endless chunked body",
       [](ScriptedConnection& c) {
         if (!c.read_request()) return;
         if (!c.send("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")) return;
         const std::string chunk = "1000\r\n" + std::string(0x1000, 'z') + "\r\n";
         while (c.send(chunk)) {
         }
       },
       net::ErrorKind::too_large, "body longer than"},
      {"endless close-delimited body",
       [](ScriptedConnection& c) {
         if (!c.read_request()) return;
         if (!c.send("HTTP/1.1 200 OK\r\n\r\n")) return;
         const std::string block(64 * 1024, 'z');
         while (c.send(block)) {
         }
       },
       net::ErrorKind::too_large, "body longer than"},
  };
  for (const FailureCase& c : cases) {
    ScriptedServer server(c.script);
    SessionOptions options = quick(server);
    options.limits.max_body_bytes = 1024 * 1024;
    Session session(options);
    auto r = session.get("/broken");
    ASSERT_FALSE(r) << c.name;
    EXPECT_EQ(r.error().kind, c.kind) << c.name << ": " << r.error().to_string();
    EXPECT_TRUE(contains(r.error().message, c.message_part)) << c.name << ": " << r.error().message;
    EXPECT_TRUE(contains(r.error().message, "GET " + server.url("/broken")))
        << c.name << ": " << r.error().message;
  }
}

TEST(HttpClientSocket, RefusedConnectionIsRefused) {
  // A port that was just free: bind, note it, close.
  std::uint16_t port = 0;
  {
    auto listener = net::listen_tcp(net::Address::loopback(0));
    ASSERT_TRUE(listener);
    port = net::local_address(listener->get()).value().port();
  }
  Session session;
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/get";
  auto r = session.get(url);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, net::ErrorKind::refused);
  EXPECT_TRUE(contains(r.error().message, "GET " + url)) << r.error().message;
}

// --- retries ----------------------------------------------------------------------

// SkippingClock: the steady clock, except that sleep_until records the wait
// and skips it (moves its own offset) rather than sleeping.
class SkippingClock final : public net::Clock {
 public:
  net::TimePoint now() const override { return net::SteadyClock::instance().now() + skipped_; }
  void sleep_until(net::TimePoint when) override {
    const net::Duration wait = when - now();
    sleeps_.push_back(wait);
    if (wait > net::Duration::zero()) skipped_ += wait;
  }
  std::vector<net::Duration> sleeps_;

 private:
  net::Duration skipped_{0};
};

// SkippingDialer: real TCP, on a SkippingClock.
class SkippingDialer final : public net::Dialer {
 public:
  net::Result<std::unique_ptr<net::Stream>> dial(const std::string& host, std::uint16_t port,
                                                 net::TimePoint deadline) override {
    return tcp_.dial(host, port, deadline);
  }
  net::Clock& clock() override { return clock_; }
  SkippingClock clock_;

 private:
  net::TcpDialer tcp_;
};

TEST(HttpClientSocket, ServiceUnavailableIsRetriedWithSeededBackoffUntilOk) {
  std::atomic<int> attempts{0};
  ScriptedServer server([&attempts](ScriptedConnection& c) {
    while (c.read_request()) {
      const bool busy = attempts++ < 2;
      c.send(busy ? "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n" : kOk);
    }
  });
  SkippingDialer dialer;
  SessionOptions options = quick(server);
  options.retry = {.max_retries = 4, .backoff_base = milliseconds(100), .seed = 2024};
  Session session(dialer, options);
  auto r = session.get("/flaky");
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(attempts.load(), 3);
  EXPECT_EQ(session.counters().retries, 2u);
  // The waits are a Backoff's with the same seed (less the few microseconds
  // between computing the wake-up time and sleeping until it).
  Backoff expected(options.retry);
  ASSERT_EQ(dialer.clock_.sleeps_.size(), 2u);
  for (int n = 1; n <= 2; ++n) {
    const net::Duration want = expected.delay(n);
    const net::Duration got = dialer.clock_.sleeps_[static_cast<std::size_t>(n - 1)];
    EXPECT_LE(got, want) << n;
    EXPECT_GT(got, want - milliseconds(50)) << n;
  }
}

TEST(HttpClientSocket, ResetBeforeAnyResponseByteIsRetriedForGet) {
  ScriptedServer server([](ScriptedConnection& c) {
    if (c.index() == 0) {
      if (c.read_request()) c.reset();
      return;
    }
    while (c.read_request())
      c.send(kOk);
  });
  SkippingDialer dialer;
  SessionOptions options = quick(server);
  options.retry.max_retries = 2;
  Session session(dialer, options);
  auto r = session.get("/reset-once");
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(session.counters().retries, 1u);
  EXPECT_EQ(server.accepted(), 2);
}

// --- hygiene ----------------------------------------------------------------------

std::size_t open_fds() {
  std::size_t count = 0;
  if (DIR* dir = ::opendir("/proc/self/fd")) {
    while (::readdir(dir) != nullptr)
      ++count;
    ::closedir(dir);
  }
  return count;
}

TEST(HttpClientSocket, FaultyConnectionsLeakNoDescriptors) {
  std::atomic<int> n{0};
  ScriptedServer server([&n](ScriptedConnection& c) {
    if (!c.read_request()) return;
    switch (n++ % 4) {
      case 0:
        c.reset();
        break;
      case 1:
        c.send("garbage\r\n\r\n");
        break;
      case 2:
        c.send("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nshort");
        break;
      default:
        c.send(kOk);
        break;
    }
  });
  Session session(quick(server));
  const std::size_t before = open_fds();
  for (int i = 0; i < 40; ++i)
    (void)session.get("/faulty");
  session.close_idle_connections();
  server.stop();  // joins the connection threads: their sockets are closed
  EXPECT_EQ(open_fds(), before);
}

}  // namespace
}  // namespace faultline::http::client
