#include "harness/fault/http_exchange.h"

#include <gtest/gtest.h>

#include "harness/fault/stage_testing.h"

namespace faultline::fault {
namespace {

using namespace std::chrono_literals;

const std::string kGet = "GET /get HTTP/1.1\r\nHost: a\r\n\r\n";
const std::string kPost = "POST /post HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhi";
const std::string kOk = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";

HttpExchange make(const std::string& spec, std::shared_ptr<HttpSharedState> shared = nullptr) {
  auto profile = parse_profile(spec).value();
  return HttpExchange(profile, /*seed=*/1, /*connection_index=*/0, std::move(shared));
}

std::string joined(const Output& out) {
  return testing::joined(out.chunks);
}

TEST(HttpExchangeTest, ForwardsRequestsAndResponsesUnchangedWithoutFaults) {
  auto http = make("");
  HttpOutput out;
  http.on_client_chunk(Chunk{kGet.substr(0, 7), 0ns}, 0ns, out);
  http.on_client_chunk(Chunk{kGet.substr(7), 0ns}, 0ns, out);
  EXPECT_EQ(joined(out.up), kGet);
  http.on_upstream_chunk(Chunk{kOk, 1ms}, 1ms, out);
  EXPECT_EQ(joined(out.down), kOk);
}

TEST(HttpExchangeTest, AbortAnswersInPlaceOfTheUpstream) {
  auto http = make("http_abort status=503");
  HttpOutput out;
  http.on_client_chunk(Chunk{kGet, 0ns}, 0ns, out);
  EXPECT_TRUE(out.up.chunks.empty());
  EXPECT_TRUE(joined(out.down).starts_with("HTTP/1.1 503 Service Unavailable\r\n"));
  ASSERT_EQ(out.down.events.size(), 1u);
  EXPECT_EQ(out.down.events[0].what, "abort");
  EXPECT_EQ(out.down.events[0].value, 503u);
}

TEST(HttpExchangeTest, FailAnswersOnlyTheFirstMatchingRequests) {
  auto http = make("http_fail first=1 match=POST");
  HttpOutput out;
  http.on_client_chunk(Chunk{kGet, 0ns}, 0ns, out);
  EXPECT_EQ(joined(out.up), kGet);  // GET does not match
  http.on_upstream_chunk(Chunk{kOk, 0ns}, 0ns, out);
  http.on_client_chunk(Chunk{kPost, 0ns}, 0ns, out);
  EXPECT_EQ(joined(out.up), kGet);  // the first POST is answered here
  http.on_client_chunk(Chunk{kPost, 0ns}, 0ns, out);
  EXPECT_EQ(joined(out.up), kGet + kPost);  // the second goes through
}

TEST(HttpExchangeTest, ProxyScopeCountsAcrossConnections) {
  auto profile = parse_profile("http_fail first=1 scope=proxy").value();
  auto shared = std::make_shared<HttpSharedState>(1);
  HttpExchange a(profile, 1, 0, shared), b(profile, 1, 1, shared);
  HttpOutput out_a, out_b;
  a.on_client_chunk(Chunk{kGet, 0ns}, 0ns, out_a);
  b.on_client_chunk(Chunk{kGet, 0ns}, 0ns, out_b);
  EXPECT_TRUE(out_a.up.chunks.empty());
  EXPECT_EQ(joined(out_b.up), kGet);
}

TEST(HttpExchangeTest, AnswerWaitsForTheResponseOwedToAnEarlierPipelinedRequest) {
  auto http = make("http_abort match=POST");
  HttpOutput out;
  http.on_client_chunk(Chunk{kGet + kPost, 0ns}, 0ns, out);
  EXPECT_EQ(joined(out.up), kGet);
  EXPECT_TRUE(out.down.chunks.empty());  // the GET's response comes first
  http.on_upstream_chunk(Chunk{kOk, 1ms}, 1ms, out);
  const std::string down = joined(out.down);
  EXPECT_TRUE(down.starts_with(kOk)) << down;
  EXPECT_NE(down.find("503", kOk.size()), std::string::npos) << down;
}

TEST(HttpExchangeTest, MatchesByHeaderAndSetsAHeaderUpstream) {
  auto http = make("http_header set=X-Debug:1 dir=up match=header:x-test=1");
  HttpOutput out;
  http.on_client_chunk(Chunk{kGet, 0ns}, 0ns, out);
  EXPECT_EQ(joined(out.up), kGet);
  http.on_upstream_chunk(Chunk{kOk, 0ns}, 0ns, out);
  http.on_client_chunk(Chunk{"GET / HTTP/1.1\r\nX-Test: 1\r\n\r\n", 0ns}, 0ns, out);
  EXPECT_NE(joined(out.up).find("X-Debug: 1\r\n"), std::string::npos);
}

TEST(HttpExchangeTest, TruncateCutsTheBodyAndEndsTheConnection) {
  auto http = make("http_truncate after=2B");
  HttpOutput out;
  http.on_client_chunk(Chunk{kGet, 0ns}, 0ns, out);
  http.on_upstream_chunk(Chunk{kOk, 0ns}, 0ns, out);
  EXPECT_EQ(joined(out.down), "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhe");
  ASSERT_TRUE(out.down.end);
  EXPECT_TRUE(out.down.end->whole_connection);
}

TEST(HttpExchangeTest, DelayAndSlowHeadSetReleaseTimes) {
  auto http = make("http_delay delay=100ms dir=up; http_slow_head size=10B delay=1ms");
  HttpOutput out;
  http.on_client_chunk(Chunk{kGet, 0ns}, 0ns, out);
  ASSERT_EQ(out.up.chunks.size(), 1u);
  EXPECT_EQ(out.up.chunks[0].release, 100ms);
  http.on_upstream_chunk(Chunk{kOk, 200ms}, 200ms, out);
  const std::size_t head = kOk.size() - 5;
  EXPECT_EQ(out.down.chunks.size(), (head + 9) / 10 + 1);
  EXPECT_EQ(out.down.chunks.back().release, 200ms + std::chrono::milliseconds((head + 9) / 10 - 1));
  EXPECT_EQ(joined(out.down), kOk);
}

TEST(HttpExchangeTest, BadRequestGetsA400AndTheConnectionEnds) {
  auto http = make("");
  HttpOutput out;
  http.on_client_chunk(Chunk{"NOT HTTP\r\n\r\n", 0ns}, 0ns, out);
  EXPECT_TRUE(joined(out.down).starts_with("HTTP/1.1 400 Bad Request"));
  ASSERT_TRUE(out.down.end);
}

}  // namespace
}  // namespace faultline::fault
