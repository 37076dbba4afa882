#include "harness/suites/http_requests.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace faultline::suites {
namespace {

class RequestFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("faultline-requests-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    std::ofstream(dir_ / "item.json") << "{\"name\": \"x\"}";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(RequestFiles, ParsesMethodPathAndBodyFile) {
  auto get = parse_request_spec("get /items?page=2");
  ASSERT_TRUE(get) << get.error().to_string();
  EXPECT_EQ(get->method, "GET");
  EXPECT_EQ(get->path, "/items?page=2");
  EXPECT_FALSE(get->body);
  auto post = parse_request_spec("POST /items @item.json", dir_.string());
  ASSERT_TRUE(post) << post.error().to_string();
  EXPECT_EQ(*post->body, "{\"name\": \"x\"}");
  EXPECT_EQ(post->content_type, "application/json");
}

TEST_F(RequestFiles, BadSpecsAreClearErrors) {
  struct Case {
    const char* text;
    const char* says;
  };
  const Case cases[] = {{"GET", "expected 2 or 3 words"},
                        {"GET items", "must start with '/'"},
                        {"G(T /", "not a method"},
                        {"POST /x body.json", "a body is given as @FILE"},
                        {"POST /x @missing.json", "cannot read body file"}};
  for (const auto& c : cases) {
    auto spec = parse_request_spec(c.text, dir_.string());
    ASSERT_FALSE(spec) << c.text;
    EXPECT_NE(spec.error().message.find(c.says), std::string::npos) << spec.error().message;
    EXPECT_NE(spec.error().message.find(c.text), std::string::npos) << spec.error().message;
  }
}

TEST_F(RequestFiles, FileHasOneRequestPerLineWithComments) {
  std::ofstream(dir_ / "requests.txt") << "# the service's main pages\n"
                                       << "GET /\n\n"
                                       << "  POST /items @item.json   # create one\n";
  auto all = parse_requests_file((dir_ / "requests.txt").string());
  ASSERT_TRUE(all) << all.error().to_string();
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[1].method, "POST");
  EXPECT_TRUE((*all)[1].body);
  std::ofstream(dir_ / "bad.txt") << "GET /\nFETCH\n";
  auto bad = parse_requests_file((dir_ / "bad.txt").string());
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("line 2"), std::string::npos) << bad.error().message;
}

http::client::Response response(int status, std::string body, http::Headers headers) {
  http::client::Response r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  return r;
}

TEST(ResponseDifference, IgnoresDateAndVolatileHeadersOnly) {
  auto a = response(200, "hi", {{"Date", "Mon"}, {"ETag", "1"}, {"Server", "x"}});
  auto b = response(200, "hi", {{"date", "Tue"}, {"ETag", "2"}, {"Server", "x"}});
  auto difference = response_difference(a, b, {});
  ASSERT_TRUE(difference);
  EXPECT_NE(difference->find("etag"), std::string::npos) << *difference;
  EXPECT_FALSE(response_difference(a, b, {"etag"}));
  EXPECT_TRUE(response_difference(a, response(200, "h", a.headers), {}));
  EXPECT_TRUE(response_difference(a, response(500, "hi", a.headers), {}));
}

}  // namespace
}  // namespace faultline::suites
