// Unit tests of the httpbin-like handler: a pure function of a request.
#include "targets/http/server/httpbin.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include <nlohmann/json.hpp>

namespace faultline::http {
namespace {

using nlohmann::json;

const RequestContext kContext{"10.1.2.3", "127.0.0.1:8080"};

Message request(std::string method, std::string target, Headers headers = {},
                std::string body = "") {
  Message m;
  m.method = std::move(method);
  m.target = std::move(target);
  m.headers = std::move(headers);
  m.body = std::move(body);
  m.keep_alive = true;
  return m;
}

json body_json(const Reply& reply) {
  return json::parse(reply.response.body);
}

TEST(HttpServerHttpbin, GetEchoesArgsHeadersOriginAndUrl) {
  auto reply = handle_httpbin(
      request("GET", "/get?key=value&x=%20y", {{"Host", "example.test:9"}, {"X-Thing", "a"}}),
      kContext);
  ASSERT_EQ(reply.response.status_code, 200);
  EXPECT_EQ(reply.response.header("Content-Type"), "application/json");
  auto body = body_json(reply);
  EXPECT_EQ(body["args"], json({{"key", "value"}, {"x", " y"}}));
  EXPECT_EQ(body["headers"]["X-Thing"], "a");
  EXPECT_EQ(body["origin"], "10.1.2.3");
  EXPECT_EQ(body["url"], "http://example.test:9/get?key=value&x=%20y");
  EXPECT_FALSE(body.contains("data"));
}

TEST(HttpServerHttpbin, GetWithoutHostUsesTheListeningAddressInUrl) {
  auto body = body_json(handle_httpbin(request("GET", "/get"), kContext));
  EXPECT_EQ(body["url"], "http://127.0.0.1:8080/get");
}

TEST(HttpServerHttpbin, RepeatedArgsBecomeAList) {
  auto body = body_json(handle_httpbin(request("GET", "/get?a=1&a=2&b=3"), kContext));
  EXPECT_EQ(body["args"], json({{"a", {"1", "2"}}, {"b", "3"}}));
}

TEST(HttpServerHttpbin, HeaderNamesStayAsReceivedAndRepeatsJoinWithComma) {
  auto body = body_json(handle_httpbin(
      request("GET", "/headers", {{"x-lower", "1"}, {"Accept", "a"}, {"accept", "b"}}), kContext));
  EXPECT_EQ(body["headers"], json({{"x-lower", "1"}, {"Accept", "a,b"}}));
}

TEST(HttpServerHttpbin, PostEchoesAJsonBodyUnderJson) {
  const std::string text = R"({"name":"Python","version":"3.9"})";
  auto body = body_json(handle_httpbin(
      request("POST", "/post", {{"Content-Type", "application/json"}}, text), kContext));
  EXPECT_EQ(body["json"], json({{"name", "Python"}, {"version", "3.9"}}));
  EXPECT_EQ(body["data"], text);
  EXPECT_EQ(body["form"], json::object());
  EXPECT_EQ(body["files"], json::object());
}

TEST(HttpServerHttpbin, BodyThatIsNotJsonGivesNullJson) {
  auto body = body_json(handle_httpbin(request("PUT", "/put", {}, "plain {text"), kContext));
  EXPECT_TRUE(body["json"].is_null());
  EXPECT_EQ(body["data"], "plain {text");
}

TEST(HttpServerHttpbin, JsonWithWhitespaceKeepsItsMeaning) {
  auto body = body_json(
      handle_httpbin(request("POST", "/post", {}, "{ \"a b\" :\r\n\t[1, 2] }"), kContext));
  EXPECT_EQ(body["json"], json({{"a b", {1, 2}}}));
  body = body_json(handle_httpbin(request("POST", "/post", {}, "1 2"), kContext));
  EXPECT_TRUE(body["json"].is_null());
}

TEST(HttpServerHttpbin, DeeplyNestedJsonIsNotParsed) {
  std::string deep(100000, '[');
  deep += std::string(100000, ']');
  auto body = body_json(handle_httpbin(request("POST", "/post", {}, deep), kContext));
  EXPECT_TRUE(body["json"].is_null());
}

TEST(HttpServerHttpbin, FormBodyIsDecodedUnderForm) {
  auto body = body_json(
      handle_httpbin(request("PATCH", "/patch",
                             {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}},
                             "a=1+2&b=%EC%95%88&a=3"),
                     kContext));
  EXPECT_EQ(body["form"], json({{"a", {"1 2", "3"}}, {"b", "안"}}));
  EXPECT_EQ(body["data"], "");
  EXPECT_TRUE(body["json"].is_null());
}

TEST(HttpServerHttpbin, BinaryBodyIsEchoedAsABase64DataUrl) {
  auto body = body_json(
      handle_httpbin(request("POST", "/post", {}, std::string("\xff\x00\x01", 3)), kContext));
  EXPECT_EQ(body["data"], "data:application/octet-stream;base64,/wAB");
}

TEST(HttpServerHttpbin, MethodEndpointsRefuseOtherMethodsWith405AndAllow) {
  struct Case {
    const char* method;
    const char* path;
    const char* allow;
  };
  const Case cases[] = {{"POST", "/get", "GET, HEAD"},    {"GET", "/post", "POST"},
                        {"POST", "/put", "PUT"},          {"GET", "/patch", "PATCH"},
                        {"GET", "/delete", "DELETE"},     {"DELETE", "/headers", "GET, HEAD"},
                        {"POST", "/bytes/1", "GET, HEAD"}};
  for (const auto& c : cases) {
    auto reply = handle_httpbin(request(c.method, c.path), kContext);
    EXPECT_EQ(reply.response.status_code, 405) << c.method << " " << c.path;
    EXPECT_EQ(reply.response.header("Allow"), c.allow) << c.method << " " << c.path;
  }
}

TEST(HttpServerHttpbin, DeleteEchoesLikePost) {
  auto reply = handle_httpbin(request("DELETE", "/delete?x=1"), kContext);
  ASSERT_EQ(reply.response.status_code, 200);
  EXPECT_EQ(body_json(reply)["args"]["x"], "1");
}

TEST(HttpServerHttpbin, AnythingAcceptsAnyMethodAndSubpath) {
  auto body = body_json(handle_httpbin(request("OPTIONS", "/anything/a/b?q=1"), kContext));
  EXPECT_EQ(body["method"], "OPTIONS");
  EXPECT_EQ(body["args"]["q"], "1");
  EXPECT_EQ(body["url"], "http://127.0.0.1:8080/anything/a/b?q=1");
}

TEST(HttpServerHttpbin, AbsoluteFormTargetIsUnderstood) {
  auto reply = handle_httpbin(request("GET", "http://Example.TEST/get?k=v"), kContext);
  ASSERT_EQ(reply.response.status_code, 200);
  EXPECT_EQ(body_json(reply)["url"], "http://example.test/get?k=v");
}

TEST(HttpServerHttpbin, StatusGivesThatStatus) {
  auto reply = handle_httpbin(request("GET", "/status/418"), kContext);
  EXPECT_EQ(reply.response.status_code, 418);
  EXPECT_EQ(reply.response.reason, "I'm a teapot");
  EXPECT_FALSE(reply.close);
}

TEST(HttpServerHttpbin, StatusValidatesTheCode) {
  for (const char* junk : {"abc", "99", "600", "-1", "200x", "", "1e2"}) {
    auto reply = handle_httpbin(request("GET", std::string("/status/") + junk), kContext);
    int expected = std::string(junk).empty() ? 404 : 400;  // "/status/" has no code at all
    EXPECT_EQ(reply.response.status_code, expected) << junk;
  }
  EXPECT_EQ(handle_httpbin(request("GET", "/status/599"), kContext).response.status_code, 599);
}

TEST(HttpServerHttpbin, StatusRedirectCarriesLocation) {
  auto reply = handle_httpbin(request("GET", "/status/301"), kContext);
  EXPECT_EQ(reply.response.header("Location"), "/redirect/1");
}

TEST(HttpServerHttpbin, InterimStatusClosesTheConnection) {
  auto reply = handle_httpbin(request("GET", "/status/100"), kContext);
  EXPECT_EQ(reply.response.status_code, 100);
  EXPECT_TRUE(reply.close);
}

TEST(HttpServerHttpbin, DelayIsAReplyDelayNotABlockingWait) {
  auto reply = handle_httpbin(request("GET", "/delay/1.5"), kContext);
  ASSERT_EQ(reply.response.status_code, 200);
  EXPECT_EQ(reply.delay, std::chrono::milliseconds(1500));
  EXPECT_EQ(body_json(reply)["url"], "http://127.0.0.1:8080/delay/1.5");
}

TEST(HttpServerHttpbin, DelayIsBounded) {
  for (const char* bad : {"10.5", "-1", "nan", "inf", "x", "1s"}) {
    auto reply = handle_httpbin(request("GET", std::string("/delay/") + bad), kContext);
    EXPECT_EQ(reply.response.status_code, 400) << bad;
    EXPECT_EQ(reply.delay, net::Duration::zero()) << bad;
  }
  EXPECT_EQ(handle_httpbin(request("GET", "/delay/10"), kContext).delay, std::chrono::seconds(10));
}

TEST(HttpServerHttpbin, BytesAreDeterministicForASeed) {
  auto a = handle_httpbin(request("GET", "/bytes/1024?seed=7"), kContext);
  auto b = handle_httpbin(request("GET", "/bytes/1024?seed=7"), kContext);
  auto c = handle_httpbin(request("GET", "/bytes/1024?seed=8"), kContext);
  ASSERT_EQ(a.response.status_code, 200);
  EXPECT_EQ(a.response.body.size(), 1024u);
  EXPECT_EQ(a.response.body, b.response.body);
  EXPECT_NE(a.response.body, c.response.body);
  EXPECT_EQ(a.response.body, httpbin_bytes(1024, 7));
  EXPECT_EQ(a.response.header("Content-Type"), "application/octet-stream");
}

TEST(HttpServerHttpbin, BytesWithoutSeedUseTheDefaultSeed) {
  auto reply = handle_httpbin(request("GET", "/bytes/100"), kContext);
  EXPECT_EQ(reply.response.body, httpbin_bytes(100, kHttpbinDefaultSeed));
}

TEST(HttpServerHttpbin, BytesMatchTheSplitmix64Reference) {
  // splitmix64 with state 0: first output 0xe220a8397b1dcdaf, little-endian.
  EXPECT_EQ(httpbin_bytes(8, 0), std::string("\xaf\xcd\x1d\x7b\x39\xa8\x20\xe2", 8));
  EXPECT_EQ(httpbin_bytes(3, 0), std::string("\xaf\xcd\x1d", 3));
}

TEST(HttpServerHttpbin, BytesAreBounded) {
  EXPECT_EQ(handle_httpbin(request("GET", "/bytes/10485761"), kContext).response.status_code, 400);
  EXPECT_EQ(handle_httpbin(request("GET", "/bytes/1?seed=x"), kContext).response.status_code, 400);
  EXPECT_EQ(handle_httpbin(request("GET", "/bytes/10485760"), kContext).response.body.size(),
            10485760u);
}

TEST(HttpServerHttpbin, StreamGivesNJsonLinesOneChunkEach) {
  auto reply = handle_httpbin(request("GET", "/stream/5?a=b"), kContext);
  ASSERT_EQ(reply.response.status_code, 200);
  ASSERT_EQ(reply.chunks.size(), 5u);
  for (std::size_t i = 0; i < 5; ++i) {
    ASSERT_EQ(reply.chunks[i].back(), '\n');
    auto line = json::parse(reply.chunks[i]);
    EXPECT_EQ(line["id"], i);
    EXPECT_EQ(line["args"]["a"], "b");
  }
  EXPECT_EQ(handle_httpbin(request("GET", "/stream/101"), kContext).response.status_code, 400);
}

TEST(HttpServerHttpbin, ChunkedSplitsNBytesIntoChunks) {
  auto reply = handle_httpbin(request("GET", "/chunked/2500?chunk_size=1000"), kContext);
  ASSERT_EQ(reply.chunks.size(), 3u);
  EXPECT_EQ(reply.chunks[0].size(), 1000u);
  EXPECT_EQ(reply.chunks[2].size(), 500u);
  EXPECT_EQ(
      handle_httpbin(request("GET", "/chunked/10?chunk_size=0"), kContext).response.status_code,
      400);
  EXPECT_EQ(handle_httpbin(request("GET", "/chunked/10485760?chunk_size=1"), kContext)
                .response.status_code,
            400);
}

TEST(HttpServerHttpbin, RedirectChainsDownToGet) {
  auto two = handle_httpbin(request("GET", "/redirect/2"), kContext);
  EXPECT_EQ(two.response.status_code, 302);
  EXPECT_EQ(two.response.header("Location"), "/redirect/1");
  auto one = handle_httpbin(request("GET", "/redirect/1"), kContext);
  EXPECT_EQ(one.response.header("Location"), "/get");
  EXPECT_EQ(handle_httpbin(request("GET", "/redirect/0"), kContext).response.status_code, 400);
  EXPECT_EQ(handle_httpbin(request("GET", "/redirect/101"), kContext).response.status_code, 400);
}

TEST(HttpServerHttpbin, RedirectToUsesTheUrlAndStatus) {
  auto reply = handle_httpbin(
      request("GET", "/redirect-to?url=http%3A%2F%2Fexample.test%2Fx&status_code=307"), kContext);
  EXPECT_EQ(reply.response.status_code, 307);
  EXPECT_EQ(reply.response.header("Location"), "http://example.test/x");
  EXPECT_EQ(handle_httpbin(request("GET", "/redirect-to?url=/a"), kContext).response.status_code,
            302);
}

TEST(HttpServerHttpbin, RedirectToRefusesBadInput) {
  for (const char* target : {"/redirect-to", "/redirect-to?url=/a&status_code=200",
                             "/redirect-to?url=/a%0D%0ASet-Cookie:x"}) {
    EXPECT_EQ(handle_httpbin(request("GET", target), kContext).response.status_code, 400) << target;
  }
}

TEST(HttpServerHttpbin, UnknownPathGives404Json) {
  auto reply = handle_httpbin(request("GET", "/nope"), kContext);
  EXPECT_EQ(reply.response.status_code, 404);
  EXPECT_EQ(body_json(reply)["path"], "/nope");
}

TEST(HttpServerHttpbin, MalformedQueryOrTargetGives400) {
  EXPECT_EQ(handle_httpbin(request("GET", "/get?a=%zz"), kContext).response.status_code, 400);
  EXPECT_EQ(handle_httpbin(request("OPTIONS", "*"), kContext).response.status_code, 400);
}

}  // namespace
}  // namespace faultline::http
