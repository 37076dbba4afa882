// fuzz/echo_schedule_fuzzer.cpp: fault schedules through the simulated echo
// exchange (sim::run_echo_exchange), chosen by the fuzzer.
//
// Input: [schedule (fuzz/fault_schedule.h), up to 4 clauses][seed: 8 bytes]
//        [message: the rest, at most 1KiB]
// Properties (fuzz/schedule_cases.h, run_echo_case), on a virtual deadline of
// a day (parameters are bounded well inside it):
//  - integrity: the reply equals the message, or differs only in content
//    (same length) when a corrupt fault is in the schedule;
//  - clarity: an error is named (non-empty message) and its kind is one a
//    fault in the schedule explains: without reset, limit_data, stall,
//    half_close or down faults there is no error at all;
//  - liveness: the outcome comes inside the deadline;
//  - determinism: the same run twice gives the same outcome and trace hash.
// A failing input shrinks with `faultline shrink --fuzzer echo_schedule FILE`.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz/schedule_cases.h"

namespace fuzz = faultline::fuzz;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), data == nullptr ? 0 : size);
  auto echo = fuzz::read_echo_case(bytes);
  if (!echo) {
    fuzz::property_failed("echo_schedule_fuzzer", "the schedule table made a profile it rejects",
                          echo.error().message);
  }
  const fuzz::CaseRun run = fuzz::run_echo_case(*echo, echo->schedule.profile);
  if (run.violation) {
    fuzz::property_failed("echo_schedule_fuzzer", run.violation->property,
                          run.violation->detail + run.outcome + "\n" +
                              fuzz::echo_context(*echo, echo->schedule.profile));
  }
  return 0;
}
