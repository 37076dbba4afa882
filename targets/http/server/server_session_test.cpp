// Unit tests of ServerSession on virtual time: no sockets, no sleeps; time
// only moves when a test says so.
#include "targets/http/server/server_session.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "targets/http/parser.h"
#include "targets/http/server/httpbin.h"

namespace faultline::http {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view kGet = "GET /get HTTP/1.1\r\nHost: t\r\n\r\n";

class HttpServerSession : public ::testing::Test {
 protected:
  void SetUp() override { handler_ = httpbin_handler(); }

  ServerSession& session() {
    if (!session_) {
      session_.emplace(handler_, RequestContext{"10.0.0.1", "127.0.0.1:80"}, options_, &counters_,
                       now_);
    }
    return *session_;
  }
  void receive(std::string_view bytes) { session().on_receive(bytes, now_); }

  // advance moves virtual time forward, running every wake-up on the way.
  void advance(net::Duration by) {
    const net::TimePoint target = now_ + by;
    while (session().next_wakeup() <= target) {
      now_ = std::max(now_, session().next_wakeup());
      session().on_tick(now_);
    }
    now_ = target;
  }

  // take_output "sends" everything owed and returns it.
  std::string take_output() {
    std::string out(session().output());
    session().on_sent(out.size(), now_);
    return out;
  }

  // responses parses everything owed so far as responses (to the given methods).
  std::vector<Message> responses(std::vector<std::string> methods = {}) {
    for (const auto& method : methods)
      response_parser_.expect_response_to(method);
    auto fed = response_parser_.feed(take_output());
    EXPECT_TRUE(fed) << fed.error().to_string();
    std::vector<Message> out;
    while (auto message = response_parser_.next())
      out.push_back(std::move(*message));
    return out;
  }

  Handler handler_;
  SessionOptions options_;
  detail::LiveCounters counters_;
  net::TimePoint now_ = net::TimePoint(1'000'000'000);
  std::optional<ServerSession> session_;
  Parser response_parser_{MessageType::response};
};

TEST_F(HttpServerSession, AnswersARequestAndKeepsTheConnectionOpen) {
  receive(kGet);
  auto got = responses();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].status_code, 200);
  EXPECT_TRUE(got[0].keep_alive);
  EXPECT_FALSE(session().finished());
  EXPECT_TRUE(session().wants_input());
  EXPECT_EQ(counters_.requests.load(), 1u);
  EXPECT_EQ(counters_.responses_by_class[1].load(), 1u);
}

TEST_F(HttpServerSession, ARequestSplitAtEveryByteGetsTheSameResponse) {
  receive(kGet);
  const std::string whole = take_output();
  for (std::size_t split = 1; split < kGet.size(); ++split) {
    session_.reset();
    receive(kGet.substr(0, split));
    EXPECT_EQ(session().output(), "") << split;
    receive(kGet.substr(split));
    EXPECT_EQ(take_output(), whole) << "split at " << split;
  }
}

TEST_F(HttpServerSession, PipelinedRequestsAreAnsweredInOrderEvenWhenTheFirstIsDelayed) {
  receive(
      "GET /delay/1 HTTP/1.1\r\nHost: t\r\n\r\n"
      "GET /status/201 HTTP/1.1\r\nHost: t\r\n\r\n"
      "GET /status/202 HTTP/1.1\r\nHost: t\r\n\r\n");
  EXPECT_EQ(session().output(), "");  // nothing may overtake the delayed answer
  advance(999ms);
  EXPECT_EQ(session().output(), "");
  advance(1ms);
  auto got = responses();
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].status_code, 200);
  EXPECT_EQ(got[1].status_code, 201);
  EXPECT_EQ(got[2].status_code, 202);
}

constexpr std::string_view kExpectingPost =
    "POST /post HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n";

TEST_F(HttpServerSession, ExpectContinueGetsA100BeforeTheBodyIsSent) {
  receive(kExpectingPost);
  EXPECT_EQ(take_output(), "HTTP/1.1 100 Continue\r\n\r\n");
  receive("hel");
  EXPECT_EQ(session().output(), "");  // one 100 per request
  receive("lo");
  auto got = responses({"POST"});
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].status_code, 200);
  EXPECT_NE(got[0].body.find("\"data\": \"hello\""), std::string::npos) << got[0].body;
}

TEST_F(HttpServerSession, ExpectContinueWithTheBodyAlreadyThereGetsNo100) {
  receive(std::string(kExpectingPost) + "hello");
  auto got = responses({"POST"});
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].status_code, 200);
}

TEST_F(HttpServerSession, ExpectContinueNeverOvertakesAnEarlierResponse) {
  receive("GET /delay/1 HTTP/1.1\r\nHost: t\r\n\r\n" + std::string(kExpectingPost));
  EXPECT_EQ(session().output(), "");
  advance(1s);
  const std::string out = take_output();
  EXPECT_TRUE(out.starts_with("HTTP/1.1 200 OK\r\n")) << out;
  EXPECT_TRUE(out.ends_with("HTTP/1.1 100 Continue\r\n\r\n")) << out;
}

TEST_F(HttpServerSession, Http10RequestsGetNo100) {
  receive("POST /post HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
  EXPECT_EQ(session().output(), "");
}

TEST_F(HttpServerSession, ConnectionCloseIsHonoured) {
  receive("GET /get HTTP/1.1\r\nConnection: close\r\n\r\nGET /get HTTP/1.1\r\n\r\n");
  auto got = responses();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].header("Connection"), "close");
  EXPECT_TRUE(session().finished());
  EXPECT_EQ(counters_.parse_errors.load(), 0u);
}

TEST_F(HttpServerSession, Http10ClosesUnlessKeepAliveIsAsked) {
  receive("GET /get HTTP/1.0\r\n\r\n");
  auto got = responses();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].header("Connection"), "close");
  EXPECT_TRUE(session().finished());

  session_.reset();
  response_parser_ = Parser(MessageType::response);
  receive("GET /get HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
  got = responses();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].header("Connection"), "keep-alive");
  EXPECT_FALSE(session().finished());
}

TEST_F(HttpServerSession, Http10GetsChunkedBodiesUnchunked) {
  receive("GET /stream/3 HTTP/1.0\r\n\r\n");
  const std::string out = take_output();
  EXPECT_EQ(out.find("Transfer-Encoding"), std::string::npos);
  EXPECT_NE(out.find("Content-Length"), std::string::npos);
}

TEST_F(HttpServerSession, StreamIsSentChunked) {
  receive("GET /stream/2 HTTP/1.1\r\n\r\n");
  const std::string out = take_output();
  EXPECT_NE(out.find("Transfer-Encoding: chunked\r\n"), std::string::npos);
  EXPECT_EQ(out.substr(out.size() - 5), "0\r\n\r\n");
  response_parser_ = Parser(MessageType::response);
  ASSERT_TRUE(response_parser_.feed(out));
  auto message = response_parser_.next();
  ASSERT_TRUE(message);
  EXPECT_TRUE(message->chunked);
  EXPECT_EQ(std::count(message->body.begin(), message->body.end(), '\n'), 2);
}

TEST_F(HttpServerSession, HeadGetsHeadersAndLengthButNoBody) {
  receive("HEAD /bytes/100 HTTP/1.1\r\n\r\nGET /status/204 HTTP/1.1\r\n\r\n");
  auto got = responses({"HEAD", "GET"});
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].header("Content-Length"), "100");
  EXPECT_EQ(got[0].body, "");
  EXPECT_EQ(got[1].status_code, 204);
}

TEST_F(HttpServerSession, RequestLimitsGiveTheirStatusThenClose) {
  struct Case {
    const char* name;
    std::string request;
    int status;
  };
  options_.limits.max_url_length = 64;
  options_.limits.max_header_bytes = 256;
  options_.limits.max_header_count = 4;
  options_.limits.max_body_bytes = 16;
  const std::vector<Case> cases = {
      {"malformed", "GET / HTTP/1.1\r\nBad Header\r\n\r\n", 400},
      {"bare LF", "GET / HTTP/1.1\nHost: x\n\n", 400},
      {"url too long", "GET /" + std::string(100, 'a') + " HTTP/1.1\r\n\r\n", 414},
      {"headers too large", "GET / HTTP/1.1\r\nX: " + std::string(300, 'a') + "\r\n\r\n", 431},
      {"too many headers", "GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\nE: 5\r\n\r\n", 431},
      {"body too large", "POST /post HTTP/1.1\r\nContent-Length: 17\r\n\r\n", 413},
      {"chunked body too large", "POST /post HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n11\r\n",
       413},
  };
  for (const auto& c : cases) {
    session_.reset();
    response_parser_ = Parser(MessageType::response);
    receive(c.request);
    auto got = responses();
    ASSERT_EQ(got.size(), 1u) << c.name;
    EXPECT_EQ(got[0].status_code, c.status) << c.name << ": " << got[0].body;
    EXPECT_EQ(got[0].header("Connection"), "close") << c.name;
    EXPECT_TRUE(session().finished()) << c.name;
    EXPECT_FALSE(session().abortive()) << c.name;
  }
  EXPECT_EQ(counters_.parse_errors.load(), cases.size());
}

TEST_F(HttpServerSession, RequestsBeforeAMalformedOneAreStillAnswered) {
  receive("GET /status/201 HTTP/1.1\r\n\r\nGARBAGE\r\n\r\n");
  auto got = responses();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].status_code, 201);
  EXPECT_EQ(got[1].status_code, 400);
}

TEST_F(HttpServerSession, SlowlorisIsCutByTheHeaderTimeoutFromItsFirstByte) {
  options_.header_timeout = 10s;
  options_.idle_timeout = 60s;
  const std::string head = "GET /get HTTP/1.1\r\nX-Slow: " + std::string(100, 'a');
  std::size_t sent = 0;
  // One byte a second: every byte is "activity", but the header clock runs
  // from the first one.
  while (session().output().empty() && sent < head.size()) {
    receive(head.substr(sent++, 1));
    advance(1s);
  }
  EXPECT_EQ(sent, 10u);
  auto got = responses();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].status_code, 408);
  EXPECT_TRUE(session().finished());
  EXPECT_EQ(counters_.header_timeouts.load(), 1u);
}

TEST_F(HttpServerSession, HeaderClockRestartsForEachRequest) {
  options_.header_timeout = 10s;
  for (int i = 0; i < 5; ++i) {
    receive("GET /get HTTP/1.1\r\n");
    advance(9s);
    receive("\r\n");
    ASSERT_EQ(responses().size(), 1u) << i;
  }
  EXPECT_EQ(counters_.header_timeouts.load(), 0u);
}

TEST_F(HttpServerSession, BodyTimeoutCutsASlowBody) {
  options_.header_timeout = 5s;
  options_.body_timeout = 20s;
  receive("POST /post HTTP/1.1\r\nContent-Length: 100\r\n\r\n");
  advance(19s);  // past the header timeout: the header section is complete
  EXPECT_FALSE(session().finished());
  receive("0123456789");
  advance(1s);
  auto got = responses();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].status_code, 408);
  EXPECT_EQ(counters_.body_timeouts.load(), 1u);
  EXPECT_EQ(counters_.header_timeouts.load(), 0u);
}

TEST_F(HttpServerSession, BodyContainingBlankLinesStaysInTheBodyClock) {
  options_.header_timeout = 5s;
  options_.body_timeout = 60s;
  receive("POST /post HTTP/1.1\r\nContent-Length: 12\r\n\r\n\r\n\r\n");
  advance(6s);
  receive("\r\n\r\nabcd");
  auto got = responses();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].status_code, 200);
}

TEST_F(HttpServerSession, HeaderSectionEndIsSeenWhereverTheBytesAreSplit) {
  options_.header_timeout = 5s;
  options_.body_timeout = 60s;
  const std::string head = "POST /post HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\n\r\n";
  for (std::size_t split = 1; split < head.size(); ++split) {
    session_.reset();
    response_parser_ = Parser(MessageType::response);
    receive(std::string_view(head).substr(0, split));
    receive(std::string_view(head).substr(split));
    advance(6s);  // past the header timeout: only the body clock may run now
    ASSERT_FALSE(session().finished()) << "split at " << split;
    ASSERT_EQ(session().output(), "") << "split at " << split;
    receive("body");
    auto got = responses();
    ASSERT_EQ(got.size(), 1u) << "split at " << split;
    EXPECT_EQ(got[0].status_code, 200) << "split at " << split;
  }
  EXPECT_EQ(counters_.header_timeouts.load(), 0u);
}

TEST_F(HttpServerSession, ToleratesArbitraryBytesInArbitraryPieces) {
  options_.limits.max_body_bytes = 4096;
  const std::vector<std::string> fragments = {
      "GET /get?a=1 HTTP/1.1\r\nHost: x\r\n\r\n",
      "POST /post HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc",
      "POST /anything HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
      "GET /delay/0.5 HTTP/1.1\r\n\r\n",
      "HEAD /stream/3 HTTP/1.1\r\n\r\n",
      "\r\n",
      "\r\n\r\n",
      "GET / HTTP/1.0\r\n\r\n",
      "Connection: close\r\n",
      "\x00\xff garbage \n",
  };
  for (unsigned seed = 1; seed <= 300; ++seed) {
    std::mt19937 random(seed);
    session_.reset();
    std::string stream;
    for (int i = 0; i < 8; ++i)
      stream += fragments[random() % fragments.size()];
    std::size_t at = 0;
    for (int steps = 0; steps < 10000 && at < stream.size() && !session().finished(); ++steps) {
      const std::size_t piece = 1 + random() % 16;
      if (session().wants_input()) {
        receive(std::string_view(stream).substr(at, piece));
        at += piece;
      }
      take_output();
      advance(std::chrono::milliseconds(random() % 300));
    }
    session().on_peer_closed(now_);
    for (int i = 0; i < 100 && !session().finished(); ++i) {
      take_output();
      advance(1s);
    }
    EXPECT_TRUE(session().finished()) << "seed " << seed;
  }
}

TEST_F(HttpServerSession, IdleTimeoutClosesAKeepAliveConnection) {
  options_.idle_timeout = 30s;
  receive(kGet);
  ASSERT_EQ(responses().size(), 1u);
  advance(29s);
  EXPECT_FALSE(session().finished());
  advance(1s);
  EXPECT_TRUE(session().finished());
  EXPECT_EQ(session().output(), "");  // no unsolicited response
  EXPECT_EQ(counters_.idle_timeouts.load(), 1u);
}

TEST_F(HttpServerSession, StrayLineEndsDoNotHoldAnIdleConnection) {
  options_.idle_timeout = 10s;
  for (int i = 0; i < 9; ++i) {
    receive("\r\n");
    advance(1s);
  }
  advance(1s);
  EXPECT_TRUE(session().finished());
}

TEST_F(HttpServerSession, BackpressureStopsHandlingAndReading) {
  options_.max_output_bytes = 4096;
  std::string pipelined;
  for (int i = 0; i < 8; ++i)
    pipelined += "GET /bytes/3000 HTTP/1.1\r\n\r\n";
  receive(pipelined);
  // Two responses fill the output past 4096; the rest wait, and so does reading.
  EXPECT_LT(session().output().size(), 2 * 3200u);
  EXPECT_FALSE(session().wants_input());
  EXPECT_EQ(counters_.requests.load(), 2u);
  std::size_t total = 0;
  while (!session().output().empty())
    total += responses().size();
  EXPECT_EQ(total, 8u);
  EXPECT_TRUE(session().wants_input());
}

TEST_F(HttpServerSession, PipelineQueueIsBounded) {
  options_.max_queued_requests = 4;
  options_.max_output_bytes = 1;  // nothing is handled after the first response
  std::string pipelined;
  for (int i = 0; i < 20; ++i)
    pipelined += "GET /status/200 HTTP/1.1\r\n\r\n";
  receive(pipelined);
  EXPECT_FALSE(session().wants_input());
  std::size_t total = 0;
  while (!session().output().empty())
    total += responses().size();
  EXPECT_EQ(total, 20u);
}

TEST_F(HttpServerSession, HeaderClockStopsWhileTheServerIsNotReading) {
  options_.header_timeout = 10s;
  options_.max_output_bytes = 100;
  options_.send_timeout = 60s;
  receive("GET /bytes/1000 HTTP/1.1\r\n\r\nGET /get HTTP/1.1\r\n");
  EXPECT_FALSE(session().wants_input());  // the first response fills the output
  advance(30s);                           // the client is slow to read...
  EXPECT_FALSE(session().finished());
  ASSERT_EQ(responses().size(), 1u);  // ...then reads it all
  advance(9s);
  receive("\r\n");
  auto got = responses();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].status_code, 200);
}

TEST_F(HttpServerSession, SendTimeoutClosesAPeerThatStopsReading) {
  options_.send_timeout = 5s;
  receive("GET /bytes/100000 HTTP/1.1\r\n\r\n");
  session().on_sent(1000, now_);
  advance(4s);
  session().on_sent(1000, now_);  // progress restarts the clock
  advance(4s);
  EXPECT_FALSE(session().finished());
  advance(1s);
  EXPECT_TRUE(session().finished());
  EXPECT_TRUE(session().abortive());
  EXPECT_EQ(counters_.send_timeouts.load(), 1u);
}

TEST_F(HttpServerSession, EofAfterRequestsStillAnswersThem) {
  receive("GET /status/201 HTTP/1.1\r\n\r\nGET /status/202 HTTP/1.1\r\n\r\n");
  session().on_peer_closed(now_);
  EXPECT_FALSE(session().finished());
  EXPECT_EQ(responses().size(), 2u);
  EXPECT_TRUE(session().finished());
}

TEST_F(HttpServerSession, EofInsideARequestClosesWithoutAnAnswer) {
  receive("GET /get HTTP/1.1\r\nHost");
  session().on_peer_closed(now_);
  EXPECT_TRUE(session().finished());
  EXPECT_EQ(session().output(), "");
}

TEST_F(HttpServerSession, ShutdownAnswersParsedRequestsThenCloses) {
  receive("GET /delay/2 HTTP/1.1\r\n\r\nGET /status/201 HTTP/1.1\r\n\r\nGET /ge");
  session().shutdown(now_);
  EXPECT_FALSE(session().finished());
  advance(2s);
  auto got = responses();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[1].status_code, 201);
  EXPECT_EQ(got[1].header("Connection"), "close");
  EXPECT_TRUE(session().finished());
}

TEST_F(HttpServerSession, InterimStatusClosesAfterIt) {
  receive("GET /status/100 HTTP/1.1\r\n\r\nGET /get HTTP/1.1\r\n\r\n");
  const std::string out = take_output();
  EXPECT_EQ(out.rfind("HTTP/1.1 100 Continue\r\n", 0), 0u);
  EXPECT_EQ(out.find("HTTP/1.1 200"), std::string::npos);
  EXPECT_TRUE(session().finished());
}

TEST_F(HttpServerSession, ThrowingHandlerGives500) {
  handler_ = [](const Message&, const RequestContext&) -> Reply {
    throw std::runtime_error("boom");
  };
  receive(kGet);
  auto got = responses();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].status_code, 500);
  EXPECT_NE(got[0].body.find("boom"), std::string::npos);
}

TEST_F(HttpServerSession, StatusForParseErrorMapsEveryLimit) {
  EXPECT_EQ(status_for_parse_error(ParseErrorCode::invalid), 400);
  EXPECT_EQ(status_for_parse_error(ParseErrorCode::header_too_large), 431);
  EXPECT_EQ(status_for_parse_error(ParseErrorCode::too_many_headers), 431);
  EXPECT_EQ(status_for_parse_error(ParseErrorCode::url_too_long), 414);
  EXPECT_EQ(status_for_parse_error(ParseErrorCode::body_too_large), 413);
}

}  // namespace
}  // namespace faultline::http
