// fuzz/schedule_cases_test.cpp: the schedule fuzzers' cases as the CLI uses
// them: decoding, what a profile explains, and the properties.
#include "fuzz/schedule_cases.h"

#include <gtest/gtest.h>

namespace faultline::fuzz {
namespace {

fault::Profile profile(std::string_view text) {
  auto parsed = fault::parse_profile(text);
  EXPECT_TRUE(parsed) << (parsed ? "" : parsed.error().to_string());
  return parsed.value_or(fault::Profile::empty());
}

TEST(ScheduleCases, ExplainNamesWhatEachFaultCanDo) {
  using net::ErrorKind;
  EXPECT_EQ(explain(profile("stall after=4B")).errors, std::set{ErrorKind::timeout});
  EXPECT_EQ(explain(profile("stall after=4B close_after=1s")).errors, std::set{ErrorKind::closed});
  EXPECT_EQ(explain(profile("stall after=4B reset_after=1s")).errors, std::set{ErrorKind::reset});
  EXPECT_EQ(explain(profile("reset after=4B")).errors, std::set{ErrorKind::reset});
  EXPECT_EQ(explain(profile("limit_data after=4B; half_close after=1B")).errors,
            std::set{ErrorKind::closed});
  EXPECT_EQ(explain(profile("down mode=refuse")).errors, std::set{ErrorKind::refused});
  EXPECT_EQ(explain(profile("down mode=blackhole")).errors, std::set{ErrorKind::timeout});
  EXPECT_TRUE(explain(profile("corrupt rate=5%")).may_corrupt);
  const Explanation none =
      explain(profile("latency delay=5ms; slicer max=1B; slow_close delay=1ms"));
  EXPECT_TRUE(none.errors.empty());
  EXPECT_FALSE(none.may_corrupt);
}

TEST(ScheduleCases, AnEchoInputDecodesAsTheFuzzerReadsIt) {
  // Two clauses: slicer (kind 2, a=3: max 4B, b=1: min 2B, delay 1ms), dir=up;
  // reset (kind 4, a=10: after 40B) at p=50%. Seed 7, message "hi".
  const std::string bytes = std::string("\x02\x02\x03\x01\x01\x04\x0a\x00\x04", 9) +
                            std::string("\0\0\0\0\0\0\0\x07", 8) + "hi";
  auto echo = read_echo_case(bytes);
  ASSERT_TRUE(echo) << echo.error().to_string();
  EXPECT_EQ(echo->schedule.text, "slicer min=2B max=4B delay=1ms dir=up; reset after=40B p=50%");
  EXPECT_EQ(echo->seed, 7u);
  EXPECT_EQ(echo->message, "hi");
  // Any bytes decode: the empty input is no fault, seed 0, no message.
  auto empty = read_echo_case("");
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->schedule.profile.is_empty());
}

TEST(ScheduleCases, AnErrorNoFaultExplainsBreaksClarityAndAnExplainedOneDoesNot) {
  EchoOutcome timed_out;
  timed_out.reply = tl::unexpected(net::Error{net::ErrorKind::timeout, 0, "recv: timed out"});
  const auto stall = explain(profile("stall after=0B"));
  EXPECT_FALSE(check_echo("hi", stall, timed_out, kEchoDeadline));
  const auto violation =
      check_echo("hi", explain(profile("slicer max=1B")), timed_out, kEchoDeadline);
  ASSERT_TRUE(violation);
  EXPECT_EQ(violation->property, "no fault in the schedule explains the error's kind");
  EchoOutcome short_reply;
  short_reply.reply = std::string("h");
  ASSERT_TRUE(check_echo("hi", stall, short_reply, kEchoDeadline));
}

TEST(ScheduleCases, TheReferenceExchangeHoldsInTheSimulatorUnderAStall) {
  EchoCase echo;
  echo.seed = 3;
  echo.message = "hello";
  const CaseRun run = run_echo_case(echo, profile("stall after=2B close_after=1s"));
  EXPECT_FALSE(run.violation) << run.violation->property << ": " << run.outcome;
  EXPECT_NE(run.outcome.find("error closed"), std::string::npos) << run.outcome;
}

}  // namespace
}  // namespace faultline::fuzz
