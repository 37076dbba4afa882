#include "targets/net/duration.h"

#include <gtest/gtest.h>

namespace faultline::net {
namespace {

using namespace std::chrono_literals;

TEST(DurationTest, ParsesUnits) {
  EXPECT_EQ(parse_duration("250ms").value(), 250ms);
  EXPECT_EQ(parse_duration("1.5s").value(), 1500ms);
  EXPECT_EQ(parse_duration("2m").value(), 120s);
  EXPECT_EQ(parse_duration("10us").value(), 10us);
  EXPECT_EQ(parse_duration("0").value(), 0s);
}

TEST(DurationTest, RejectsBadText) {
  for (const char* text : {"", "ms", "-1s", "5", "5 parsecs", "1e3s", "abc"}) {
    auto d = parse_duration(text);
    ASSERT_FALSE(d) << text;
    EXPECT_EQ(d.error().kind, ErrorKind::invalid_argument);
    EXPECT_NE(d.error().message.find("duration"), std::string::npos);
  }
}

TEST(DurationTest, FormatsShortestExactForm) {
  EXPECT_EQ(format_duration(250ms), "250ms");
  EXPECT_EQ(format_duration(1500ms), "1.5s");
  EXPECT_EQ(format_duration(120s), "2m");
  EXPECT_EQ(format_duration(0s), "0s");
}

TEST(DurationTest, FormatRoundTrips) {
  for (auto d : {Duration(1), Duration(1500), Duration(2'000'000'000), Duration(1'234'567)}) {
    EXPECT_EQ(parse_duration(format_duration(d)).value(), d) << format_duration(d);
  }
}

TEST(DurationTest, FormatsTheLargestParsableDurationWithoutOverflow) {
  auto d = parse_duration("1000000000s").value();  // 1e18 ns, the parse limit
  EXPECT_EQ(parse_duration(format_duration(d)).value(), d);
  EXPECT_EQ(format_duration(Duration(999'999'999'999'999'999)), "999999999999999999ns");
}

TEST(SizeTest, ParsesUnits) {
  EXPECT_EQ(parse_size("64KiB").value(), 65536u);
  EXPECT_EQ(parse_size("1MiB").value(), 1048576u);
  EXPECT_EQ(parse_size("1KB").value(), 1000u);
  EXPECT_EQ(parse_size("17").value(), 17u);
  EXPECT_EQ(parse_size("2TiB").value(), std::uint64_t{2} << 40);
  EXPECT_EQ(parse_size("1PiB").value(), std::uint64_t{1} << 50);
  EXPECT_EQ(parse_size("3TB").value(), 3'000'000'000'000u);
  EXPECT_EQ(parse_size("1PB").value(), 1'000'000'000'000'000u);
  EXPECT_FALSE(parse_size("1.5B"));
  EXPECT_FALSE(parse_size("12furlongs"));
  EXPECT_FALSE(parse_size(""));
}

}  // namespace
}  // namespace faultline::net
