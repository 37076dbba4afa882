#include "harness/fault/probability.h"

#include <gtest/gtest.h>

namespace faultline::fault {
namespace {

struct GoodPercent {
  const char* text;
  std::uint32_t ppm;
  const char* canonical;
};

TEST(FaultProbabilityTest, ParsesPercentagesExactly) {
  const GoodPercent cases[] = {
      {"0%", 0, "0%"},
      {"100%", 1'000'000, "100%"},
      {"25%", 250'000, "25%"},
      {"12.5%", 125'000, "12.5%"},
      {"0.0001%", 1, "0.0001%"},
      {"007%", 70'000, "7%"},
      {"99.99%", 999'900, "99.99%"},
      {"100.0%", 1'000'000, "100%"},
      {"3.10%", 31'000, "3.1%"},
  };
  for (const auto& c : cases) {
    auto p = parse_percent(c.text);
    ASSERT_TRUE(p) << c.text << ": " << p.error().message;
    EXPECT_EQ(p->parts_per_million(), c.ppm) << c.text;
    EXPECT_EQ(p->to_string(), c.canonical) << c.text;
    EXPECT_EQ(parse_percent(p->to_string()).value(), *p) << c.text;
  }
}

TEST(FaultProbabilityTest, RejectsBadPercentagesNamingTheText) {
  for (const char* text : {"", "%", "25", "0.25", "101%", "100.0001%", "-5%", "1.23456%", "1..2%",
                           ".5%", "5.%", "abc%", "1e2%", "99999999999999999999%"}) {
    auto p = parse_percent(text);
    ASSERT_FALSE(p) << text;
    EXPECT_EQ(p.error().kind, net::ErrorKind::invalid_argument);
    EXPECT_NE(p.error().message.find(std::string("'") + text + "'"), std::string::npos)
        << p.error().message;
  }
}

}  // namespace
}  // namespace faultline::fault
