#include "targets/http/message.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "targets/http/message_json.h"
#include "targets/http/message_test_printers.h"
#include "targets/http/parser.h"
#include "targets/http/serialize.h"

namespace faultline::http {
namespace {

TEST(HeaderLookup, IgnoresCaseAndGivesTheFirstMatch) {
  Message message;
  message.headers = {{"Content-Type", "text/plain"}, {"SET-COOKIE", "a=1"}, {"set-cookie", "b=2"}};
  EXPECT_EQ(message.header("content-type"), "text/plain");
  EXPECT_EQ(message.header("Set-Cookie"), "a=1");
  EXPECT_EQ(message.header("X-Missing"), std::nullopt);
}

TEST(HeaderLookup, HeadersNamedKeepsEveryRepeatInOrder) {
  Message message;
  message.headers = {{"Set-Cookie", "a=1"}, {"Host", "h"}, {"set-cookie", "b=2"}};
  EXPECT_EQ(message.headers_named("SET-COOKIE"), (std::vector<std::string_view>{"a=1", "b=2"}));
  EXPECT_TRUE(message.headers_named("Accept").empty());
}

TEST(HeaderLookup, ChunkedOnlyWhenItIsTheLastCoding) {
  EXPECT_TRUE(has_chunked_coding({{"Transfer-Encoding", "chunked"}}));
  EXPECT_TRUE(has_chunked_coding({{"Transfer-Encoding", "gzip, Chunked "}}));
  EXPECT_TRUE(
      has_chunked_coding({{"Transfer-Encoding", "gzip"}, {"transfer-encoding", "chunked"}}));
  EXPECT_FALSE(has_chunked_coding({{"Transfer-Encoding", "chunked, gzip"}}));
  EXPECT_FALSE(has_chunked_coding({}));
}

TEST(Serialize, RequestGetsContentLengthForItsBody) {
  Request request{
      .method = "POST", .target = "/echo", .headers = {{"Host", "localhost"}}, .body = "hello"};
  EXPECT_EQ(serialize(request),
            "POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n\r\nhello");
}

TEST(Serialize, GetWithoutBodyGetsNoContentLength) {
  EXPECT_EQ(serialize(Request{.headers = {{"Host", "h"}}}), "GET / HTTP/1.1\r\nHost: h\r\n\r\n");
}

TEST(Serialize, EmptyPostGetsContentLengthZero) {
  EXPECT_EQ(serialize(Request{.method = "POST"}), "POST / HTTP/1.1\r\nContent-Length: 0\r\n\r\n");
}

TEST(Serialize, ResponseAlwaysFramesItsBody) {
  EXPECT_EQ(serialize(Response{}), "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(serialize(Response{.status_code = 404, .reason = "Not Found", .body = "no"}),
            "HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\nno");
}

TEST(Serialize, NoContentAndNotModifiedGetNoContentLength) {
  EXPECT_EQ(serialize(Response{.status_code = 204, .reason = "No Content"}),
            "HTTP/1.1 204 No Content\r\n\r\n");
  EXPECT_EQ(serialize(Response{.status_code = 304, .reason = "Not Modified"}),
            "HTTP/1.1 304 Not Modified\r\n\r\n");
}

TEST(Serialize, ChunkedHeaderMakesAChunkedBody) {
  Response response{.headers = {{"Transfer-Encoding", "chunked"}}, .body = "0123456789abcdefX"};
  EXPECT_EQ(
      serialize(response),
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n11\r\n0123456789abcdefX\r\n0\r\n\r\n");
}

TEST(Serialize, ExplicitFramingHeadersAreLeftAlone) {
  // A fuzzer or a mutant may lie about the length on purpose.
  Request request{.method = "POST", .headers = {{"Content-Length", "99"}}, .body = "abc"};
  EXPECT_EQ(serialize(request), "POST / HTTP/1.1\r\nContent-Length: 99\r\n\r\nabc");
}

TEST(Serialize, MessageWithTrailersRoundTrips) {
  Message message;
  message.type = MessageType::request;
  message.method = "PUT";
  message.target = "/t";
  message.headers = {{"Transfer-Encoding", "chunked"}};
  message.body = "data";
  message.trailers = {{"X-Sum", "1"}};
  message.keep_alive = true;
  message.chunked = true;
  const std::string wire = serialize(message);
  EXPECT_EQ(
      wire,
      "PUT /t HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n4\r\ndata\r\n0\r\nX-Sum: 1\r\n\r\n");
  Parser parser(MessageType::request);
  ASSERT_TRUE(parser.feed(wire));
  EXPECT_EQ(parser.next(), message);
}

TEST(Serialize, ResponseRoundTripsThroughTheParser) {
  Response response{
      .status_code = 201, .reason = "Created", .headers = {{"Location", "/x/1"}}, .body = "made"};
  Parser parser(MessageType::response);
  ASSERT_TRUE(parser.feed(serialize(response)));
  Message parsed = parser.next().value();
  EXPECT_EQ(parsed.status_code, 201);
  EXPECT_EQ(parsed.reason, "Created");
  EXPECT_EQ(parsed.header("location"), "/x/1");
  EXPECT_EQ(parsed.body, "made");
}

TEST(MessageJson, ShowsTheFieldsOfItsType) {
  Message message;
  message.type = MessageType::response;
  message.status_code = 200;
  message.reason = "OK";
  message.headers = {{"A", "1"}};
  message.content_length = 0;
  const nlohmann::json json = message;
  EXPECT_EQ(json["type"], "response");
  EXPECT_EQ(json["status_code"], 200);
  EXPECT_EQ(json["headers"], nlohmann::json::parse(R"([["A","1"]])"));
  EXPECT_EQ(json["content_length"], 0);
  EXPECT_FALSE(json.contains("method"));
}

TEST(MessageJson, ParseErrorHasCodeAndOffset) {
  const nlohmann::json json = ParseError{ParseErrorCode::url_too_long, "HPE_USER", "long", 14};
  EXPECT_EQ(json["code"], "url_too_long");
  EXPECT_EQ(json["offset"], 14);
}

TEST(ReasonPhrase, KnowsCommonCodes) {
  EXPECT_EQ(reason_phrase(404), "Not Found");
  EXPECT_EQ(reason_phrase(418), "I'm a teapot");
  EXPECT_EQ(reason_phrase(422), "Unprocessable Content");
  EXPECT_EQ(reason_phrase(599), "");
}

}  // namespace
}  // namespace faultline::http
