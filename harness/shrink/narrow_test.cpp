#include "harness/shrink/narrow.h"

#include <gtest/gtest.h>

namespace faultline::shrink {
namespace {

TEST(ParseQuantity, ReadsEachKindInItsSmallestUnit) {
  struct Case {
    const char* text;
    std::optional<Amount> expected;
  } cases[] = {
      {"20ms", Amount{Quantity::duration, 20'000'000}},
      {"1.5s", Amount{Quantity::duration, 1'500'000'000}},
      {"1KiB", Amount{Quantity::size, 1024}},
      {"64B", Amount{Quantity::size, 64}},
      {"12.5%", Amount{Quantity::percent, 125'000}},
      {"3", Amount{Quantity::count, 3}},
      {"4MiB/s", std::nullopt},  // rates stay
      {"down", std::nullopt},
      {"'GET /api/*'", std::nullopt},
      {"", std::nullopt},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(parse_quantity(c.text), c.expected) << c.text;
  }
}

TEST(FormatQuantity, PrintsWhatParsesBackToTheSameAmount) {
  for (Amount amount : {Amount{Quantity::duration, 1'500'000}, Amount{Quantity::size, 700},
                        Amount{Quantity::percent, 1}, Amount{Quantity::percent, 1'000'000},
                        Amount{Quantity::count, 0}}) {
    EXPECT_EQ(parse_quantity(format_quantity(amount)), amount) << format_quantity(amount);
  }
}

TEST(SplitTokens, KeepsQuotedSpacesInsideOneToken) {
  EXPECT_EQ(split_tokens("http_abort status=503 match='GET /a b'  p=5%"),
            (std::vector<std::string>{"http_abort", "status=503", "match='GET /a b'", "p=5%"}));
  EXPECT_EQ(token_key("delay=20ms"), "delay");
  EXPECT_EQ(token_key("latency"), "");
}

}  // namespace
}  // namespace faultline::shrink
