// fuzz/fault_schedule.h: fuzzer bytes -> a fault profile for the simulated
// fuzzers (echo_schedule_fuzzer, http_client_fuzzer), built from a small
// table of stream faults with bounded parameters.
//
//   net::Result<fuzz::Schedule> schedule = fuzz::make_schedule(input, /*max_clauses=*/4);
//   schedule->text;      // "latency delay=12ms jitter=3ms dir=down; reset after=40B"
//   schedule->profile;   // the parsed fault::Profile
//
// What each fault may legitimately do to an exchange is worked out from the
// profile (fuzz/schedule_cases.h, explain).
//
// Input, per schedule: [clause count][4 bytes per clause: kind, a, b, flags].
// flags bits 0-1 the direction (0/3 both, 1 up, 2 down), bits 2-3 the
// toxicity (1 -> p=50%, 2 -> p=0%, else always). Parameters are bounded so
// that, with a deadline of a virtual day, only the faults whose job is to
// break a connection can make an exchange fail.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz/fuzz_support.h"
#include "harness/fault/profile.h"
#include "targets/net/error.h"

namespace faultline::fuzz {

// Schedule: the profile, and its text as the table wrote it.
struct Schedule {
  std::string text;
  fault::Profile profile;
};

inline constexpr int kFaultKinds = 11;

// clause_text: the clause for table entry `kind` with parameters a and b.
inline std::string clause_text(int kind, std::uint8_t a, std::uint8_t b) {
  const std::string after = std::to_string(a * 4) + "B";
  switch (kind) {
    case 0: {
      const int delay = 1 + a % 200;
      return "latency delay=" + std::to_string(delay) +
             "ms jitter=" + std::to_string(b % (delay + 1)) + "ms";
    }
    case 1:
      return "bandwidth rate=" + std::to_string(1 + a % 64) + "KiB/s";
    case 2: {
      const int max = 1 + a % 32;
      return "slicer min=" + std::to_string(1 + b % max) + "B max=" + std::to_string(max) +
             "B delay=" + std::to_string(b % 6) + "ms";
    }
    case 3: {
      const std::string seconds = std::to_string(1 + (b / 3) % 10) + "s";
      switch (b % 3) {
        case 1:
          return "stall after=" + after + " close_after=" + seconds;
        case 2:
          return "stall after=" + after + " reset_after=" + seconds;
        default:
          return "stall after=" + after;
      }
    }
    case 4:
      return "reset after=" + after;
    case 5:
      return "limit_data after=" + after;
    case 6:
      return "slow_close delay=" + std::to_string(1 + a) + "ms";
    case 7:
      return "half_close after=" + after;
    case 8:
      return "retransmit rate=" + std::to_string(a % 26) + "% rto=" + std::to_string(10 + b) +
             "ms max=1s";
    case 9:
      return "corrupt rate=" + std::to_string(a % 10) + "% per=" + (b % 2 ? "chunk" : "byte");
    default:
      if (b % 2 != 0) {
        return "down mode=blackhole";
      }
      return "down mode=refuse";
  }
}

// make_schedule: see the file comment. A clause the parser rejects is a bug
// in this table or in the parser: the error says which (the fuzzers report it
// as a broken property).
inline net::Result<Schedule> make_schedule(FuzzInput& input, int max_clauses) {
  Schedule schedule;
  const int clauses = input.byte() % (max_clauses + 1);
  bool has_down = false;
  for (int i = 0; i < clauses; ++i) {
    const int kind = input.byte() % kFaultKinds;
    const std::uint8_t a = input.byte();
    const std::uint8_t b = input.byte();
    const std::uint8_t flags = input.byte();
    const bool is_down = kind == kFaultKinds - 1;
    if (is_down && has_down) continue;  // at most one down clause per profile
    has_down = has_down || is_down;
    std::string clause = clause_text(kind, a, b);
    if (!is_down) {
      static constexpr const char* kDirections[] = {"", " dir=up", " dir=down", ""};
      clause += kDirections[flags & 0x03];
    }
    static constexpr const char* kToxicity[] = {"", " p=50%", " p=0%", ""};
    clause += kToxicity[(flags >> 2) & 0x03];
    if (!schedule.text.empty()) schedule.text += "; ";
    schedule.text += clause;
  }
  net::Result<fault::Profile> profile = fault::parse_profile(schedule.text);
  if (!profile) {
    return net::make_error(net::ErrorKind::bad_data,
                           "the schedule table made a profile the parser rejects: \"" +
                               schedule.text + "\": " + profile.error().to_string());
  }
  if (auto valid = profile->validate_for(fault::Transport::stream); !valid) {
    return net::make_error(net::ErrorKind::bad_data,
                           "the schedule table made a non-stream profile: \"" + schedule.text +
                               "\": " + valid.error().to_string());
  }
  schedule.profile = std::move(*profile);
  return schedule;
}

}  // namespace faultline::fuzz
