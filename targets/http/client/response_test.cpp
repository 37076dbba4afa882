#include "targets/http/client/response.h"

#include <gtest/gtest.h>

namespace faultline::http::client {
namespace {

TEST(HttpClientResponse, JsonParsesTheBody) {
  Response response{.status = 200, .body = R"({"args":{"key":"value"}})"};
  auto json = response.json();
  ASSERT_TRUE(json) << json.error().to_string();
  EXPECT_EQ((*json)["args"]["key"], "value");
}

TEST(HttpClientResponse, JsonOfANonJsonBodyIsBadDataNamingTheByte) {
  Response response{.status = 200, .body = "{\"a\": nope}", .url = "http://h/x"};
  auto json = response.json();
  ASSERT_FALSE(json);
  EXPECT_EQ(json.error().kind, net::ErrorKind::bad_data);
  EXPECT_NE(json.error().message.find("response body is not JSON"), std::string::npos);
  EXPECT_NE(json.error().message.find("at byte 8"), std::string::npos) << json.error().message;
  EXPECT_NE(json.error().message.find("http://h/x"), std::string::npos);
  EXPECT_EQ(json.error().message.find("[json.exception"), std::string::npos);
}

TEST(HttpClientResponse, JsonOfAnEmptyBodyIsBadData) {
  Response response{.status = 204};
  auto json = response.json();
  ASSERT_FALSE(json);
  EXPECT_EQ(json.error().kind, net::ErrorKind::bad_data);
}

TEST(HttpClientResponse, OkMeansBelow400) {
  EXPECT_TRUE(Response{.status = 200}.ok());
  EXPECT_TRUE(Response{.status = 302}.ok());
  EXPECT_FALSE(Response{.status = 404}.ok());
  EXPECT_FALSE(Response{.status = 503}.ok());
}

TEST(HttpClientResponse, HeaderLookupIgnoresCase) {
  Response response{.headers = {{"Content-Type", "application/json; charset=utf-8"}}};
  EXPECT_EQ(response.header("content-type"), "application/json; charset=utf-8");
  EXPECT_EQ(response.header("CONTENT-TYPE"), "application/json; charset=utf-8");
  EXPECT_EQ(response.header("x-missing"), std::nullopt);
  EXPECT_TRUE(response.is_json());
}

TEST(HttpClientResponse, IsJsonAcceptsPlusJsonTypesOnly) {
  const Response problem{.headers = {{"content-type", "application/problem+json"}}};
  const Response html{.headers = {{"content-type", "text/html"}}};
  EXPECT_TRUE(problem.is_json());
  EXPECT_FALSE(html.is_json());
  EXPECT_FALSE(Response{}.is_json());
}

}  // namespace
}  // namespace faultline::http::client
