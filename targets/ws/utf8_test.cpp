#include "targets/ws/utf8.h"

#include <string>

#include <gtest/gtest.h>

namespace faultline::ws {
namespace {

struct Utf8Case {
  std::string name;
  std::string bytes;
  std::optional<std::size_t> first_invalid;  // text.size(): ends inside a sequence
};

class Utf8CaseTest : public testing::TestWithParam<Utf8Case> {};

TEST_P(Utf8CaseTest, WholeAndEverySplitGiveTheSameFirstInvalidByte) {
  const auto& c = GetParam();
  EXPECT_EQ(first_invalid_utf8(c.bytes), c.first_invalid) << c.name;
  // Byte by byte: the failure is reported at the same absolute byte.
  Utf8Validator validator;
  std::optional<std::size_t> failed_at;
  for (std::size_t i = 0; i < c.bytes.size() && !failed_at; ++i) {
    if (validator.feed(std::string_view(c.bytes).substr(i, 1))) failed_at = i;
  }
  if (!failed_at && !validator.complete()) failed_at = c.bytes.size();
  EXPECT_EQ(failed_at, c.first_invalid) << c.name;
  // Every two-piece split.
  for (std::size_t cut = 0; cut <= c.bytes.size(); ++cut) {
    Utf8Validator split;
    std::optional<std::size_t> at;
    if (auto bad = split.feed(std::string_view(c.bytes).substr(0, cut))) {
      at = *bad;
    } else if (auto bad2 = split.feed(std::string_view(c.bytes).substr(cut))) {
      at = cut + *bad2;
    } else if (!split.complete()) {
      at = c.bytes.size();
    }
    EXPECT_EQ(at, c.first_invalid) << c.name << " cut at " << cut;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Table, Utf8CaseTest,
    testing::Values(
        Utf8Case{"empty", "", std::nullopt},
        Utf8Case{"ascii", "Hello-µ@ßöäüàá-UTF-8!!", std::nullopt},
        Utf8Case{"korean", "안녕하세요", std::nullopt},
        Utf8Case{"max_code_point", "\xF4\x8F\xBF\xBF", std::nullopt},
        Utf8Case{"above_max_fails_at_second_byte", "\xF4\x90\x80\x80", 1},
        Utf8Case{"surrogate_fails_at_second_byte", "ab\xED\xA0\x80", 3},
        Utf8Case{"last_before_surrogates", "\xED\x9F\xBF", std::nullopt},
        Utf8Case{"overlong_two_byte", "\xC0\xAF", 0}, Utf8Case{"overlong_c1", "\xC1\xBF", 0},
        Utf8Case{"overlong_three_byte", "\xE0\x80\xAF", 1},
        Utf8Case{"overlong_four_byte", "\xF0\x80\x80\xAF", 1}, Utf8Case{"f5_lead", "x\xF5", 1},
        Utf8Case{"ff_byte", "\xFF", 0}, Utf8Case{"stray_continuation", "a\x80", 1},
        Utf8Case{"truncated_at_end", "\xCE\xBA\xE1\xBD", 4},
        Utf8Case{"ascii_inside_sequence",
                 "\xE2\x82"
                 "a",
                 2},
        Utf8Case{"autobahn_6_3_1",
                 "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80\x65\x64\x69\x74\x65\x64",
                 12},
        Utf8Case{"noncharacter_is_valid", "\xEF\xBF\xBF", std::nullopt}),
    [](const auto& info) { return info.param.name; });

TEST(Utf8Validator, StaysFailedAfterTheFirstError) {
  Utf8Validator validator;
  EXPECT_EQ(validator.feed("\xC0"), 0u);
  EXPECT_TRUE(validator.failed());
  EXPECT_EQ(validator.feed("abc"), 0u);
  EXPECT_FALSE(validator.complete());
}

TEST(Utf8Validator, EveryCodePointEncodedIsValidAndEverySurrogateIsNot) {
  for (std::uint32_t cp = 0; cp <= 0x10FFFF; cp += 7) {
    std::string s;
    if (cp < 0x80) {
      s += static_cast<char>(cp);
    } else if (cp < 0x800) {
      s += static_cast<char>(0xC0 | (cp >> 6));
      s += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      s += static_cast<char>(0xE0 | (cp >> 12));
      s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      s += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      s += static_cast<char>(0xF0 | (cp >> 18));
      s += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      s += static_cast<char>(0x80 | (cp & 0x3F));
    }
    const bool surrogate = cp >= 0xD800 && cp <= 0xDFFF;
    EXPECT_EQ(first_invalid_utf8(s).has_value(), surrogate) << std::hex << cp;
  }
}

}  // namespace
}  // namespace faultline::ws
