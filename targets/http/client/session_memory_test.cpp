// The session on an in-memory dialer and a virtual clock (fake_dialer.h):
// no sockets and no real waiting, so timing is exact and every run the same.
#include <gtest/gtest.h>

#include "targets/http/client/fake_dialer.h"
#include "targets/http/client/session.h"

namespace faultline::http::client {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::FakeConnection;
using testing::FakeDialer;
using testing::FakeEnd;

const std::string kOk = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
const std::string k503 = "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\n\r\nbusy";

std::string redirect(int status, std::string_view location) {
  return "HTTP/1.1 " + std::to_string(status) + " Moved\r\nLocation: " + std::string(location) +
         "\r\nContent-Length: 0\r\n\r\n";
}

SessionOptions fake_options() {
  return SessionOptions{.base_url = "http://fake:8080"};
}

bool contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

TEST(HttpClientSession, GetSendsDefaultHeadersAndParamsAndParsesTheResponse) {
  FakeDialer dialer({{.replies = {"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                                  "Content-Length: 15\r\n\r\n{\"key\":\"value\"}"}}});
  Session session(dialer, fake_options());
  auto r = session.get("/get", {.params = {{"key", "value"}, {"q", "a b"}}});
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->reason, "OK");
  EXPECT_EQ(r->url, "http://fake:8080/get?key=value&q=a+b");
  EXPECT_EQ(r->json().value()["key"], "value");
  EXPECT_EQ(r->elapsed, net::Duration::zero());  // virtual time: nothing waited
  ASSERT_EQ(dialer.requests().size(), 1u);
  const std::string& sent = dialer.requests()[0];
  EXPECT_TRUE(sent.starts_with("GET /get?key=value&q=a+b HTTP/1.1\r\nHost: fake:8080\r\n")) << sent;
  EXPECT_TRUE(contains(sent, "\r\nUser-Agent: faultline/0.1\r\n")) << sent;
  EXPECT_TRUE(contains(sent, "\r\nAccept: */*\r\n")) << sent;
  EXPECT_EQ(dialer.dialed(), std::vector<std::string>{"fake:8080"});
}

TEST(HttpClientSession, ResponseDeliveredOneByteAtATimeParsesTheSame) {
  FakeDialer dialer({{.replies = {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                                  "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"},
                      .max_chunk = 1}});
  Session session(dialer, fake_options());
  auto r = session.get("/chunked");
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->body, "abcde");
  EXPECT_EQ(session.idle_connections(), 1u);
}

TEST(HttpClientSession, SessionAndRequestHeadersReplaceDefaultsByName) {
  FakeDialer dialer({{.replies = {kOk}}});
  SessionOptions options = fake_options();
  options.headers = {{"user-agent", "mine/1"}, {"X-Session", "s"}};
  Session session(dialer, options);
  auto r = session.get("/h", {.headers = {{"X-Session", "r"}, {"X-Extra", "e"}}});
  ASSERT_TRUE(r) << r.error().to_string();
  const std::string& sent = dialer.requests()[0];
  EXPECT_FALSE(contains(sent, "faultline/0.1")) << sent;
  EXPECT_TRUE(contains(sent, "\r\nuser-agent: mine/1\r\n")) << sent;
  EXPECT_TRUE(contains(sent, "\r\nX-Session: r\r\n")) << sent;
  EXPECT_FALSE(contains(sent, "X-Session: s")) << sent;
  EXPECT_TRUE(contains(sent, "\r\nX-Extra: e\r\n")) << sent;
}

TEST(HttpClientSession, JsonBodyIsSentWithItsContentType) {
  FakeDialer dialer({{.replies = {kOk}}});
  Session session(dialer, fake_options());
  auto r = session.post("/post", {.json = {{"name", "Python"}, {"version", "3.9"}}});
  ASSERT_TRUE(r) << r.error().to_string();
  const std::string& sent = dialer.requests()[0];
  EXPECT_TRUE(sent.starts_with("POST /post HTTP/1.1\r\n")) << sent;
  EXPECT_TRUE(contains(sent, "\r\nContent-Type: application/json\r\n")) << sent;
  EXPECT_TRUE(contains(sent, "\r\nContent-Length: 33\r\n")) << sent;
  EXPECT_TRUE(sent.ends_with("\r\n\r\n{\"name\":\"Python\",\"version\":\"3.9\"}")) << sent;
}

TEST(HttpClientSession, DataBodyIsSentAsIsWithTheGivenContentType) {
  FakeDialer dialer({{.replies = {kOk}}});
  Session session(dialer, fake_options());
  auto r = session.put("/put", {.data = "raw\nbytes", .content_type = "text/plain"});
  ASSERT_TRUE(r) << r.error().to_string();
  const std::string& sent = dialer.requests()[0];
  EXPECT_TRUE(contains(sent, "\r\nContent-Type: text/plain\r\n")) << sent;
  EXPECT_TRUE(sent.ends_with("\r\n\r\nraw\nbytes")) << sent;
}

// --- bad input from the caller -------------------------------------------------

struct BadRequestCase {
  const char* name;
  std::string method;
  std::string url;
  RequestOptions options;
};

TEST(HttpClientSession, BadRequestsAreInvalidArgumentsNamingTheUrl) {
  const std::vector<BadRequestCase> cases = {
      {"unparsable url", "GET", "http://bad host/", {}},
      {"not http or https", "GET", "ftp://fake/", {}},
      {"method not a token", "GE T", "/x", {}},
      {"header value with CRLF", "GET", "/x", {.headers = {{"X-A", "a\r\nX-Injected: 1"}}}},
      {"header name not a token", "GET", "/x", {.headers = {{"Bad Name", "v"}}}},
      {"json and data", "POST", "/x", {.json = nlohmann::json::object(), .data = "d"}},
  };
  for (const BadRequestCase& c : cases) {
    FakeDialer dialer({});
    Session session(dialer, fake_options());
    auto r = session.request(c.method, c.url, c.options);
    ASSERT_FALSE(r) << c.name;
    EXPECT_EQ(r.error().kind, net::ErrorKind::invalid_argument) << c.name;
    EXPECT_TRUE(contains(r.error().message, c.url)) << c.name << ": " << r.error().message;
    EXPECT_TRUE(dialer.dialed().empty()) << c.name;
  }
}

TEST(HttpClientSession, RelativeUrlWithoutABaseIsInvalid) {
  FakeDialer dialer({});
  Session session(dialer);
  auto r = session.get("/get");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, net::ErrorKind::invalid_argument);
}

TEST(HttpClientSession, BadBaseUrlFailsRelativeRequestsButNotAbsoluteOnes) {
  FakeDialer dialer({{.replies = {kOk}}});
  Session session(dialer, {.base_url = "not a url"});
  auto relative = session.get("/get");
  ASSERT_FALSE(relative);
  EXPECT_EQ(relative.error().kind, net::ErrorKind::invalid_argument);
  EXPECT_TRUE(contains(relative.error().message, "base URL")) << relative.error().message;
  auto absolute = session.get("http://fake:1/ok");
  ASSERT_TRUE(absolute) << absolute.error().to_string();
}

TEST(HttpClientSession, BaseUrlJoinsLikeRequestsSessionUsers) {
  FakeDialer dialer({});
  Session session(dialer, {.base_url = "http://fake:8080/api/"});
  EXPECT_EQ(session.resolve_url("/items").value().to_string(), "http://fake:8080/api/items");
  EXPECT_EQ(session.resolve_url("items", {{"page", "2"}}).value().to_string(),
            "http://fake:8080/api/items?page=2");
  EXPECT_EQ(session.resolve_url("http://other/x").value().to_string(), "http://other/x");
}

// --- keep-alive -------------------------------------------------------------------

TEST(HttpClientSession, KeepAliveSendsSequentialRequestsOverOneConnection) {
  FakeDialer dialer({{.replies = {kOk, kOk, kOk}}});
  Session session(dialer, fake_options());
  for (int i = 0; i < 3; ++i)
    ASSERT_TRUE(session.get("/get")) << i;
  EXPECT_EQ(dialer.dialed().size(), 1u);
  EXPECT_EQ(session.counters().connections_opened, 1u);
  EXPECT_EQ(session.counters().connections_reused, 2u);
}

TEST(HttpClientSession, ConnectionCloseResponseIsNotPooled) {
  FakeDialer dialer(
      {{.replies = {"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"}},
       {.replies = {kOk}}});
  Session session(dialer, fake_options());
  ASSERT_TRUE(session.get("/a"));
  EXPECT_EQ(session.idle_connections(), 0u);
  ASSERT_TRUE(session.get("/b"));
  EXPECT_EQ(dialer.dialed().size(), 2u);
}

TEST(HttpClientSession, ClosedPooledConnectionIsRetriedOnceOnAFreshOne) {
  // The server answers once, then closes as the second request arrives.
  FakeDialer dialer({{.replies = {kOk}, .end = FakeEnd::close}, {.replies = {kOk}}});
  Session session(dialer, fake_options());
  ASSERT_TRUE(session.get("/first"));
  auto second = session.get("/second");
  ASSERT_TRUE(second) << second.error().to_string();
  EXPECT_EQ(session.counters().stale_retries, 1u);
  EXPECT_EQ(session.counters().retries, 0u);
  EXPECT_EQ(dialer.dialed().size(), 2u);
  EXPECT_EQ(dialer.requests().size(), 3u);
}

TEST(HttpClientSession, ResetPooledConnectionIsRetriedOnceToo) {
  FakeDialer dialer({{.replies = {kOk}, .end = FakeEnd::reset}, {.replies = {kOk}}});
  Session session(dialer, fake_options());
  ASSERT_TRUE(session.get("/first"));
  ASSERT_TRUE(session.del("/second"));
  EXPECT_EQ(session.counters().stale_retries, 1u);
}

TEST(HttpClientSession, ClosedPooledConnectionIsNotRetriedForPost) {
  FakeDialer dialer({{.replies = {kOk}, .end = FakeEnd::close}, {.replies = {kOk}}});
  Session session(dialer, fake_options());
  ASSERT_TRUE(session.get("/first"));
  auto r = session.post("/second", {.data = "x"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, net::ErrorKind::closed);
  EXPECT_TRUE(contains(r.error().message, "POST http://fake:8080/second")) << r.error().message;
  EXPECT_EQ(session.counters().stale_retries, 0u);
}

TEST(HttpClientSession, StaleRetryHappensOnlyOnce) {
  FakeDialer dialer(
      {{.replies = {kOk}, .end = FakeEnd::close}, {.replies = {}, .end = FakeEnd::close}});
  Session session(dialer, fake_options());
  ASSERT_TRUE(session.get("/first"));
  auto r = session.get("/second");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, net::ErrorKind::closed);
  EXPECT_EQ(session.counters().stale_retries, 1u);
  EXPECT_EQ(dialer.dialed().size(), 2u);
}

TEST(HttpClientSession, IdleConnectionFoundReadableIsDiscardedBeforeReuse) {
  FakeDialer dialer({{.replies = {kOk}, .close_after_replies = true}, {.replies = {kOk}}});
  Session session(dialer, fake_options());
  ASSERT_TRUE(session.get("/first"));
  ASSERT_TRUE(session.get("/second"));
  EXPECT_EQ(session.counters().stale_discarded, 1u);
  EXPECT_EQ(session.counters().stale_retries, 0u);
  EXPECT_EQ(dialer.requests().size(), 2u);
}

TEST(HttpClientSession, PoolOffSendsConnectionCloseAndDialsEachTime) {
  FakeDialer dialer({{.replies = {kOk}}, {.replies = {kOk}}});
  SessionOptions options = fake_options();
  options.pool.max_idle_per_host = 0;
  Session session(dialer, options);
  ASSERT_TRUE(session.get("/a"));
  ASSERT_TRUE(session.get("/b"));
  EXPECT_EQ(dialer.dialed().size(), 2u);
  EXPECT_TRUE(contains(dialer.requests()[0], "\r\nConnection: close\r\n"));
}

// --- retries ----------------------------------------------------------------------

SessionOptions retrying(int max_retries, std::uint64_t seed = 99) {
  SessionOptions options = fake_options();
  options.retry.max_retries = max_retries;
  options.retry.seed = seed;
  options.retry.backoff_base = milliseconds(100);
  return options;
}

TEST(HttpClientSession, RetriesOn503WithSeededBackoffThenSucceeds) {
  FakeDialer dialer({{.replies = {k503, k503, kOk}}});
  const SessionOptions options = retrying(3);
  Session session(dialer, options);
  auto r = session.get("/flaky");
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(dialer.requests().size(), 3u);
  EXPECT_EQ(session.counters().retries, 2u);
  // The waits are exactly those of a Backoff with the same seed.
  Backoff expected(options.retry);
  const net::Duration first = expected.delay(1);
  const net::Duration second = expected.delay(2);
  EXPECT_EQ(dialer.virtual_clock().sleeps(), (std::vector<net::Duration>{first, second}));
  EXPECT_EQ(r->elapsed, first + second);
  EXPECT_GT(first, milliseconds(50));
  EXPECT_LE(first, milliseconds(100));
  EXPECT_GT(second, milliseconds(100));
  EXPECT_LE(second, milliseconds(200));
}

TEST(HttpClientSession, SameSeedWaitsTheSameAndAnotherSeedDoesNot) {
  auto waits = [](std::uint64_t seed) {
    FakeDialer dialer({{.replies = {k503, k503, k503, kOk}}});
    Session session(dialer, retrying(3, seed));
    EXPECT_TRUE(session.get("/flaky"));
    return dialer.virtual_clock().sleeps();
  };
  EXPECT_EQ(waits(7), waits(7));
  EXPECT_NE(waits(7), waits(8));
}

TEST(HttpClientSession, WhenRetriesRunOutTheLastResponseIsReturned) {
  FakeDialer dialer({{.replies = {k503, k503, k503}}});
  Session session(dialer, retrying(2));
  auto r = session.get("/down");
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->status, 503);
  EXPECT_FALSE(r->ok());
  EXPECT_EQ(dialer.requests().size(), 3u);
}

TEST(HttpClientSession, PostIsNotRetriedOnAStatusUnlessOptedIn) {
  FakeDialer dialer({{.replies = {k503, kOk}}});
  Session session(dialer, retrying(3));
  auto r = session.post("/p", {.data = "x"});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(dialer.requests().size(), 1u);

  FakeDialer dialer2({{.replies = {k503, kOk}}});
  SessionOptions options = retrying(3);
  options.retry.retry_non_idempotent = true;
  Session opted_in(dialer2, options);
  auto r2 = opted_in.post("/p", {.data = "x"});
  ASSERT_TRUE(r2);
  EXPECT_EQ(r2->status, 200);
}

TEST(HttpClientSession, RefusedConnectIsRetriedForAnyMethod) {
  FakeDialer dialer({{.refuse = true}, {.replies = {kOk}}});
  Session session(dialer, retrying(1));
  auto r = session.post("/p", {.data = "x"});
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(session.counters().retries, 1u);
}

TEST(HttpClientSession, RefusedAfterAllRetriesSaysHowManyRetries) {
  FakeDialer dialer({{.refuse = true}, {.refuse = true}, {.refuse = true}});
  Session session(dialer, retrying(2));
  auto r = session.get("/p");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, net::ErrorKind::refused);
  EXPECT_TRUE(contains(r.error().message, "GET http://fake:8080/p")) << r.error().message;
  EXPECT_TRUE(contains(r.error().message, "(after 2 retries)")) << r.error().message;
}

TEST(HttpClientSession, RetryAfterIsHonouredUpToTheBackoffCap) {
  const std::string busy = "HTTP/1.1 503 Busy\r\nRetry-After: 3\r\nContent-Length: 0\r\n\r\n";
  FakeDialer dialer({{.replies = {busy, busy, kOk}}});
  SessionOptions options = retrying(3);
  options.retry.backoff_max = seconds(2);
  Session session(dialer, options);
  ASSERT_TRUE(session.get("/busy"));
  EXPECT_EQ(dialer.virtual_clock().sleeps(), (std::vector<net::Duration>{seconds(2), seconds(2)}));
}

TEST(HttpClientSession, NoRetryWhenTheBackoffWouldPassTheTotalDeadline) {
  FakeDialer dialer({{.replies = {k503, kOk}}});
  SessionOptions options = retrying(3);
  options.retry.backoff_base = seconds(5);
  options.retry.jitter = 0;
  options.timeouts.total = seconds(4);
  Session session(dialer, options);
  auto r = session.get("/busy");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  EXPECT_TRUE(dialer.virtual_clock().sleeps().empty());
}

TEST(HttpClientSession, TimeoutBeforeAnyResponseByteIsRetriedForGet) {
  FakeDialer dialer({{.replies = {}, .end = FakeEnd::stall}, {.replies = {kOk}}});
  SessionOptions options = retrying(1);
  options.timeouts.read = seconds(1);
  Session session(dialer, options);
  auto r = session.get("/slow");
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(session.counters().retries, 1u);
}

// --- timeouts on virtual time -----------------------------------------------------

TEST(HttpClientSession, StalledServerTimesOutExactlyAtTheReadTimeout) {
  FakeDialer dialer({{.replies = {}, .end = FakeEnd::stall}});
  SessionOptions options = fake_options();
  options.timeouts.read = seconds(2);
  Session session(dialer, options);
  const net::TimePoint started = dialer.clock().now();
  auto r = session.get("/delay/5");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, net::ErrorKind::timeout);
  EXPECT_EQ(r.error().message, "GET http://fake:8080/delay/5: no response byte within 2s");
  EXPECT_EQ(dialer.clock().now() - started, seconds(2));
}

TEST(HttpClientSession, RequestTimeoutOverridesTheSessionReadTimeout) {
  FakeDialer dialer({{.replies = {}, .end = FakeEnd::stall}});
  Session session(dialer, fake_options());
  const net::TimePoint started = dialer.clock().now();
  auto r = session.get("/delay/5", {.timeout = milliseconds(250)});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, net::ErrorKind::timeout);
  EXPECT_EQ(dialer.clock().now() - started, milliseconds(250));
}

TEST(HttpClientSession, TotalTimeoutCutsAReadShort) {
  FakeDialer dialer({{.replies = {}, .end = FakeEnd::stall}});
  SessionOptions options = fake_options();
  options.timeouts.read = seconds(10);
  options.timeouts.total = seconds(3);
  Session session(dialer, options);
  const net::TimePoint started = dialer.clock().now();
  auto r = session.get("/delay/5");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, net::ErrorKind::timeout);
  EXPECT_TRUE(contains(r.error().message, "total timeout of 3s")) << r.error().message;
  EXPECT_EQ(dialer.clock().now() - started, seconds(3));
}

TEST(HttpClientSession, StallMidBodySaysHowManyBytesCame) {
  FakeDialer dialer(
      {{.replies = {"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"}, .end = FakeEnd::stall}});
  SessionOptions options = fake_options();
  options.timeouts.read = seconds(1);
  options.retry.max_retries = 3;  // bytes arrived: never retried
  Session session(dialer, options);
  auto r = session.get("/partial");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, net::ErrorKind::timeout);
  EXPECT_TRUE(contains(r.error().message, "response stalled: no byte for 1s after 42 bytes"))
      << r.error().message;
  EXPECT_EQ(session.counters().retries, 0u);
}

// --- malformed and oversized responses --------------------------------------------

struct BadResponseCase {
  const char* name;
  std::string reply;
  FakeEnd end;
  net::ErrorKind kind;
  const char* message_part;
};

TEST(HttpClientSession, BadResponsesEndInTheirErrorKind) {
  const std::vector<BadResponseCase> cases = {
      {"garbage", "SSH-2.0-OpenSSH_9.2\r\n", FakeEnd::stall, net::ErrorKind::bad_data,
       "malformed response: invalid at byte"},
      {"bare LF", "HTTP/1.1 200 OK\nContent-Length: 0\n\n", FakeEnd::stall,
       net::ErrorKind::bad_data, "HPE_CR_EXPECTED"},
      {"truncated body", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", FakeEnd::close,
       net::ErrorKind::closed, "connection closed mid-response: truncated"},
      {"truncated head", "HTTP/1.1 200 OK\r\nContent-Le", FakeEnd::close, net::ErrorKind::closed,
       "truncated"},
      {"reset mid-body", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", FakeEnd::reset,
       net::ErrorKind::reset, "reset"},
      {"huge content-length", "HTTP/1.1 200 OK\r\nContent-Length: 99999999999\r\n\r\n",
       FakeEnd::stall, net::ErrorKind::too_large, "response too large"},
      {"header section too big", "HTTP/1.1 200 OK\r\nX-Big: " + std::string(9000, 'a') + "\r\n\r\n",
       FakeEnd::stall, net::ErrorKind::too_large, "header_too_large"},
      {"too many headers",
       "HTTP/1.1 200 OK\r\n" +
           [] {
             std::string lines;
             for (int i = 0; i < 200; ++i)
               lines += "X-" + std::to_string(i) + ": v\r\n";
             return lines;
           }() +
           "\r\n",
       FakeEnd::stall, net::ErrorKind::too_large, "too_many_headers"},
      {"endless 1xx",
       [] {
         std::string s;
         for (int i = 0; i < 40; ++i)
           s += "HTTP/1.1 102 Processing\r\n\r\n";
         return s;
       }(),
       FakeEnd::stall, net::ErrorKind::too_large, "informational"},
      {"only 100 then close", "HTTP/1.1 100 Continue\r\n\r\n", FakeEnd::close,
       net::ErrorKind::closed, "no final response"},
      {"nothing then close", "", FakeEnd::close, net::ErrorKind::closed,
       "closed the connection before sending a response"},
  };
  for (const BadResponseCase& c : cases) {
    std::vector<std::string> replies;
    if (!c.reply.empty()) replies.push_back(c.reply);
    FakeDialer dialer({{.replies = replies, .end = c.end, .close_after_replies = true}});
    SessionOptions options = fake_options();
    options.limits.max_header_bytes = 8 * 1024;
    options.limits.max_body_bytes = 1024 * 1024;
    Session session(dialer, options);
    auto r = session.get("/bad");
    ASSERT_FALSE(r) << c.name;
    EXPECT_EQ(r.error().kind, c.kind) << c.name << ": " << r.error().to_string();
    EXPECT_TRUE(contains(r.error().message, c.message_part)) << c.name << ": " << r.error().message;
    EXPECT_TRUE(contains(r.error().message, "GET http://fake:8080/bad")) << c.name;
  }
}

TEST(HttpClientSession, EndlessCloseDelimitedBodyStopsAtTheBodyLimit) {
  std::string reply = "HTTP/1.1 200 OK\r\n\r\n" + std::string(300 * 1024, 'x');
  FakeDialer dialer({{.replies = {reply}, .end = FakeEnd::stall}});
  SessionOptions options = fake_options();
  options.limits.max_body_bytes = 64 * 1024;
  Session session(dialer, options);
  auto r = session.get("/stream");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, net::ErrorKind::too_large);
  EXPECT_TRUE(contains(r.error().message, "body longer than 65536 bytes")) << r.error().message;
}

TEST(HttpClientSession, CloseDelimitedBodyEndsAtEof) {
  FakeDialer dialer(
      {{.replies = {"HTTP/1.1 200 OK\r\n\r\nuntil the end"}, .close_after_replies = true}});
  Session session(dialer, fake_options());
  auto r = session.get("/close");
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->body, "until the end");
  EXPECT_EQ(session.idle_connections(), 0u);
}

TEST(HttpClientSession, GarbageAfterACompleteResponseKeepsTheResponseAndDropsTheConnection) {
  FakeDialer dialer({{.replies = {kOk + "JUNK"}}, {.replies = {kOk}}});
  Session session(dialer, fake_options());
  auto r = session.get("/a");
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->body, "ok");
  EXPECT_EQ(session.idle_connections(), 0u);
}

TEST(HttpClientSession, InformationalResponsesAreSkipped) {
  FakeDialer dialer({{.replies = {"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\n"
                                  "Link: </s.css>\r\n\r\n" +
                                  kOk}}});
  Session session(dialer, fake_options());
  auto r = session.post("/post", {.data = "x"});
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "ok");
  EXPECT_EQ(session.idle_connections(), 1u);
}

TEST(HttpClientSession, SwitchingProtocolsIsReturnedAndNotPooled) {
  FakeDialer dialer({{.replies = {"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                                  "Connection: Upgrade\r\n\r\n"}}});
  Session session(dialer, fake_options());
  auto r = session.get("/ws", {.headers = {{"Upgrade", "websocket"}, {"Connection", "Upgrade"}}});
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->status, 101);
  EXPECT_EQ(session.idle_connections(), 0u);
}

TEST(HttpClientSession, HeadResponseHasNoBodyAndKeepsTheConnection) {
  FakeDialer dialer({{.replies = {"HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n", kOk}}});
  Session session(dialer, fake_options());
  auto head = session.head("/get");
  ASSERT_TRUE(head) << head.error().to_string();
  EXPECT_EQ(head->body, "");
  EXPECT_EQ(head->header("content-length"), "1234");
  auto get = session.get("/get");
  ASSERT_TRUE(get) << get.error().to_string();
  EXPECT_EQ(get->body, "ok");
  EXPECT_EQ(dialer.dialed().size(), 1u);
}

// --- whatever the server sends ------------------------------------------------------

// mutate flips, inserts, deletes and truncates bytes of `text`, seeded.
std::string mutate(std::string text, SplitMix64& random) {
  const int edits = 1 + static_cast<int>(random.next() % 4);
  for (int i = 0; i < edits && !text.empty(); ++i) {
    const std::size_t at = random.next() % text.size();
    switch (random.next() % 5) {
      case 0:
        text[at] = static_cast<char>(random.next());
        break;
      case 1:
        text.insert(at, 1, static_cast<char>(random.next()));
        break;
      case 2:
        text.erase(at, 1 + random.next() % 8);
        break;
      case 3:
        text.resize(at);
        break;
      default:
        text.insert(at, text.substr(at, random.next() % 64));
        break;
    }
  }
  return text;
}

TEST(HttpClientSession, ArbitraryServerBytesEndInAResponseOrANamedErrorInTime) {
  const std::vector<std::string> seeds = {
      kOk,
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nX-T: 1\r\n\r\n",
      "HTTP/1.1 100 Continue\r\n\r\n" + kOk,
      "HTTP/1.0 200 OK\r\n\r\nclose-delimited",
      redirect(302, "/next") + kOk,
      k503 + kOk,
  };
  SplitMix64 random(20240601);
  for (int run = 0; run < 3000; ++run) {
    const std::string bytes = mutate(seeds[random.next() % seeds.size()], random);
    const FakeEnd end = static_cast<FakeEnd>(random.next() % 3);
    FakeDialer dialer(
        {{.replies = {bytes, bytes, bytes}, .end = end, .max_chunk = 1 + random.next() % 64}});
    SessionOptions options = fake_options();
    options.timeouts = {.connect = seconds(1), .read = seconds(1), .total = seconds(5)};
    options.retry.max_retries = 2;
    options.limits.max_body_bytes = 4096;
    Session session(dialer, options);
    const net::TimePoint started = dialer.clock().now();
    auto r = session.get("/fuzzed");
    ASSERT_LE(dialer.clock().now() - started, seconds(5)) << "run " << run;
    if (!r) {
      ASSERT_TRUE(contains(r.error().message, "http://fake:8080/"))
          << "run " << run << ": " << r.error().to_string();
    }
  }
}

// --- redirects --------------------------------------------------------------------

struct RedirectCase {
  int status;
  std::string method;
  std::string expected_method;
  bool keeps_body;
};

TEST(HttpClientSession, RedirectsChangeOrKeepTheMethodByStatus) {
  const std::vector<RedirectCase> cases = {
      {301, "POST", "GET", false}, {302, "POST", "GET", false},     {303, "POST", "GET", false},
      {303, "PUT", "GET", false},  {302, "HEAD", "HEAD", false},    {307, "POST", "POST", true},
      {308, "PUT", "PUT", true},   {307, "DELETE", "DELETE", true},
  };
  for (const RedirectCase& c : cases) {
    SCOPED_TRACE(std::to_string(c.status) + " " + c.method);
    FakeDialer dialer(
        {{.replies = {redirect(c.status, "/target?x=1"),
                      c.method == "HEAD" ? "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n" : kOk}}});
    Session session(dialer, fake_options());
    auto r = session.request(c.method, "/start", {.data = "payload", .content_type = "text/plain"});
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->url, "http://fake:8080/target?x=1");
    EXPECT_EQ(r->history, std::vector<int>{c.status});
    ASSERT_EQ(dialer.requests().size(), 2u);
    const std::string& second = dialer.requests()[1];
    EXPECT_TRUE(second.starts_with(c.expected_method + " /target?x=1 HTTP/1.1\r\n")) << second;
    EXPECT_EQ(second.ends_with("\r\n\r\npayload"), c.keeps_body) << second;
    EXPECT_EQ(contains(second, "Content-Type: text/plain"), c.keeps_body) << second;
  }
}

TEST(HttpClientSession, RedirectChainRecordsEveryStatus) {
  FakeDialer dialer(
      {{.replies = {redirect(301, "/b"), redirect(302, "c"), redirect(307, "/d"), kOk}}});
  Session session(dialer, fake_options());
  auto r = session.get("/a/x");
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->history, (std::vector<int>{301, 302, 307}));
  EXPECT_EQ(r->url, "http://fake:8080/d");
  EXPECT_EQ(session.counters().redirects, 3u);
}

TEST(HttpClientSession, TooManyRedirectsIsAnError) {
  std::vector<std::string> loop(20, redirect(302, "/again"));
  FakeDialer dialer({{.replies = loop}});
  SessionOptions options = fake_options();
  options.max_redirects = 5;
  Session session(dialer, options);
  auto r = session.get("/again");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, net::ErrorKind::too_many_redirects);
  EXPECT_TRUE(contains(r.error().message, "GET http://fake:8080/again: more than 5 redirects"))
      << r.error().message;
  EXPECT_EQ(dialer.requests().size(), 6u);
}

TEST(HttpClientSession, RedirectsAreReturnedAsIsWhenNotFollowed) {
  FakeDialer dialer({{.replies = {redirect(302, "/elsewhere")}}});
  Session session(dialer, fake_options());
  auto r = session.get("/start", {.follow_redirects = false});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 302);
  EXPECT_EQ(r->header("location"), "/elsewhere");
}

TEST(HttpClientSession, AuthorizationIsStrippedAcrossHostsButKeptOnTheSameHost) {
  FakeDialer dialer({{.replies = {redirect(302, "/same"), redirect(302, "http://other:9090/x")}},
                     {.replies = {kOk}}});
  Session session(dialer, fake_options());
  auto r = session.get("/start", {.headers = {{"Authorization", "Bearer secret"}}});
  ASSERT_TRUE(r) << r.error().to_string();
  ASSERT_EQ(dialer.requests().size(), 3u);
  EXPECT_TRUE(contains(dialer.requests()[1], "Authorization: Bearer secret"));
  EXPECT_FALSE(contains(dialer.requests()[2], "Authorization"));
  EXPECT_TRUE(contains(dialer.requests()[2], "Host: other:9090"));
  EXPECT_EQ(dialer.dialed(), (std::vector<std::string>{"fake:8080", "other:9090"}));
}

TEST(HttpClientSession, RedirectToAnInvalidLocationIsBadData) {
  FakeDialer dialer({{.replies = {redirect(302, "http://bad host/")}}});
  Session session(dialer, fake_options());
  auto r = session.get("/start");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, net::ErrorKind::bad_data);
  EXPECT_TRUE(contains(r.error().message, "invalid Location")) << r.error().message;
}

}  // namespace
}  // namespace faultline::http::client
