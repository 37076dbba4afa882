#include "fuzz/campaign/crash_signature.h"

#include <gtest/gtest.h>

namespace faultline::fuzz {
namespace {

constexpr const char* kHeapOverflow = R"(INFO: Seed: 1
==7==ERROR: AddressSanitizer: heap-buffer-overflow on address 0x602 at pc 0x55 bp 0x7f sp 0x7f
READ of size 1 at 0x602 thread T0
    #0 0x55a in faultline::http::Parser::Impl::run() /src/targets/http/parser.cpp:312:9
    #1 0x55b in faultline::http::Parser::feed(std::basic_string_view<char>) /src/targets/http/parser.cpp:700:3
    #2 0x55c in (anonymous namespace)::check(int) /src/fuzz/x_fuzzer.cpp:20:3
    #3 0x55d in LLVMFuzzerTestOneInput /src/fuzz/x_fuzzer.cpp:30:3
    #4 0x55e in fuzzer::Fuzzer::ExecuteCallback(unsigned char const*, unsigned long) (/b/x+0x1)

0x602 is located 0 bytes to the right of 4-byte region
allocated by thread T0 here:
    #0 0x77 in malloc (/b/x+0x2)
    #1 0x78 in other::allocation() /src/other.cpp:1:1
SUMMARY: AddressSanitizer: heap-buffer-overflow /src/targets/http/parser.cpp:312:9
)";

TEST(CrashSignature, KeepsTheErrorTypeAndTopFramesBelowTheHarness) {
  const CrashSignature s = crash_signature(kHeapOverflow);
  EXPECT_EQ(s.kind, "AddressSanitizer: heap-buffer-overflow");
  ASSERT_EQ(s.frames.size(), 3u);
  EXPECT_EQ(s.frames[0], "faultline::http::Parser::Impl::run (parser.cpp:312)");
  EXPECT_EQ(s.frames[1], "faultline::http::Parser::feed");
  EXPECT_EQ(s.frames[2], "(anonymous namespace)::check");
  EXPECT_EQ(s.id.size(), 16u);
  EXPECT_NE(s.summary.find(" in faultline::http::Parser::Impl::run"), std::string::npos);
}

TEST(CrashSignature, IgnoresAddressesAndLaterStacks) {
  std::string other = kHeapOverflow;
  other.replace(other.find("0x55a"), 5, "0x99f");
  other.replace(other.find("other::allocation"), 17, "else::allocation");
  EXPECT_EQ(crash_signature(other).id, crash_signature(kHeapOverflow).id);
}

TEST(CrashSignature, SkipsRuntimeFramesOfAPropertyViolation) {
  const CrashSignature s = crash_signature(R"(
==== http_split_fuzzer: property violated ====
property: parsing in pieces (kept) differs from parsing in one piece
mode lenient={} limits=roomy
==21110== ERROR: libFuzzer: deadly signal
    #0 0x1 in __sanitizer_print_stack_trace (/b/x+0xfd)
    #1 0x2 in fuzzer::PrintStackTrace() (/b/x+0x70)
    #3 0x4  (/lib/x86_64-linux-gnu/libc.so.6+0x3c04f)
    #4 0x5 in faultline::fuzz::property_failed(std::basic_string_view<char>, std::string const&) /s/fuzz/fuzz_support.h:106:3
    #5 0x6 in LLVMFuzzerTestOneInput /s/fuzz/http_split_fuzzer.cpp:110:5
    #6 0x7 in fuzzer::Fuzzer::ExecuteCallback(unsigned char const*, unsigned long) (/b/x+0x57)
    #7 0x8 in main (/b/x+0x58)
    #8 0x9 in _start (/b/x+0x59)
)");
  EXPECT_EQ(s.kind,
            "property violated in http_split_fuzzer: parsing in pieces (kept) differs from "
            "parsing in one piece");
  ASSERT_EQ(s.frames.size(), 1u);
  EXPECT_EQ(s.frames[0], "LLVMFuzzerTestOneInput (http_split_fuzzer.cpp:110)");
}

TEST(CrashSignature, UndefinedBehaviourWithoutItsValues) {
  const auto a = crash_signature(
      "/s/a.cpp:3:5: runtime error: signed integer overflow: 2147483647 + 1 cannot be represented\n"
      "    #0 0x1 in f() /s/a.cpp:3:5\n");
  const auto b = crash_signature(
      "/s/a.cpp:3:5: runtime error: signed integer overflow: 5 + 2147483646 cannot be represented\n"
      "    #0 0x9 in f() /s/a.cpp:3:5\n");
  EXPECT_EQ(a.kind, "UndefinedBehaviorSanitizer: signed integer overflow");
  EXPECT_EQ(a.id, b.id);
}

TEST(CrashSignature, TimeoutsAndUnknowns) {
  EXPECT_EQ(crash_signature("==1== ERROR: libFuzzer: timeout after 10 seconds\n").kind,
            "libFuzzer: timeout");
  EXPECT_EQ(crash_signature("nothing here\n").kind, "unknown crash");
}

}  // namespace
}  // namespace faultline::fuzz
