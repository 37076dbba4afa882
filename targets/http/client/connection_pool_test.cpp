#include "targets/http/client/connection_pool.h"

#include <gtest/gtest.h>

namespace faultline::http::client {
namespace {

// MarkedStream: a stream that only knows its name, whether it looks
// readable, and whether it was closed.
class MarkedStream final : public net::Stream {
 public:
  MarkedStream(std::string name, bool readable, int* closes)
      : name_(std::move(name)), readable_(readable), closes_(closes) {}
  net::Status write_all(std::string_view, net::TimePoint) override { return {}; }
  net::Result<std::size_t> read_some(char*, std::size_t, net::TimePoint) override {
    return std::size_t{0};
  }
  bool readable_now() override { return readable_; }
  void close() override { ++*closes_; }
  std::string describe() const override { return name_; }

 private:
  std::string name_;
  bool readable_;
  int* closes_;
};

std::unique_ptr<net::Stream> stream(std::string name, int* closes, bool readable = false) {
  return std::make_unique<MarkedStream>(std::move(name), readable, closes);
}

TEST(HttpClientPool, TakeGivesTheMostRecentlyReturnedStreamOfItsKey) {
  int closes = 0;
  ConnectionPool pool;
  pool.put("a:80", stream("first", &closes));
  pool.put("b:80", stream("other", &closes));
  pool.put("a:80", stream("second", &closes));
  EXPECT_EQ(pool.take("a:80")->describe(), "second");
  EXPECT_EQ(pool.take("a:80")->describe(), "first");
  EXPECT_EQ(pool.take("a:80"), nullptr);
  EXPECT_EQ(pool.idle(), 1u);
  EXPECT_EQ(closes, 0);
}

TEST(HttpClientPool, ReadableIdleStreamsAreClosedAndSkipped) {
  int closes = 0;
  ConnectionPool pool;
  pool.put("a:80", stream("good", &closes));
  pool.put("a:80", stream("stale", &closes, /*readable=*/true));
  EXPECT_EQ(pool.take("a:80")->describe(), "good");
  EXPECT_EQ(closes, 1);
  EXPECT_EQ(pool.stale_discarded(), 1u);
  EXPECT_EQ(pool.idle(), 0u);
}

TEST(HttpClientPool, PerHostBoundClosesTheOldestOfThatHost) {
  int closes = 0;
  ConnectionPool pool({.max_idle_per_host = 2, .max_idle_total = 10});
  pool.put("a:80", stream("1", &closes));
  pool.put("a:80", stream("2", &closes));
  pool.put("a:80", stream("3", &closes));
  EXPECT_EQ(closes, 1);
  EXPECT_EQ(pool.idle("a:80"), 2u);
  EXPECT_EQ(pool.take("a:80")->describe(), "3");
  EXPECT_EQ(pool.take("a:80")->describe(), "2");
}

TEST(HttpClientPool, TotalBoundClosesTheOldestOfAnyHost) {
  int closes = 0;
  ConnectionPool pool({.max_idle_per_host = 4, .max_idle_total = 2});
  pool.put("a:80", stream("a", &closes));
  pool.put("b:80", stream("b", &closes));
  pool.put("c:80", stream("c", &closes));
  EXPECT_EQ(closes, 1);
  EXPECT_EQ(pool.take("a:80"), nullptr);
  EXPECT_EQ(pool.idle(), 2u);
}

TEST(HttpClientPool, ZeroIdleTurnsPoolingOff) {
  int closes = 0;
  ConnectionPool pool({.max_idle_per_host = 0});
  pool.put("a:80", stream("a", &closes));
  EXPECT_EQ(closes, 1);
  EXPECT_EQ(pool.take("a:80"), nullptr);
}

TEST(HttpClientPool, ClearClosesEverything) {
  int closes = 0;
  ConnectionPool pool;
  pool.put("a:80", stream("a", &closes));
  pool.put("b:80", stream("b", &closes));
  pool.clear();
  EXPECT_EQ(closes, 2);
  EXPECT_EQ(pool.idle(), 0u);
}

}  // namespace
}  // namespace faultline::http::client
