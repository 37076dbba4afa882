// fuzz/echo_schedule_fuzzer.cpp: fault schedules through the simulated echo
// exchange (sim::run_echo_exchange), chosen by the fuzzer.
//
// Input: [schedule (fuzz/fault_schedule.h), up to 4 clauses][seed: 8 bytes]
//        [message: the rest, at most 1KiB]
// Properties, on a virtual deadline of a day (parameters are bounded well
// inside it):
//  - integrity: the reply equals the message, or differs only in content
//    (same length) when a corrupt fault is in the schedule;
//  - clarity: an error is named (non-empty message) and its kind is one a
//    fault in the schedule explains: without reset, limit_data, stall,
//    half_close or down faults there is no error at all;
//  - liveness: the outcome comes inside the deadline;
//  - determinism: the same run twice gives the same outcome and trace hash.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz/fault_schedule.h"
#include "harness/sim/echo_workload.h"

namespace {

namespace fuzz = faultline::fuzz;
namespace sim = faultline::sim;
namespace net = faultline::net;

constexpr std::size_t kMaxMessage = 1024;
constexpr net::TimePoint kDeadline = std::chrono::hours(24);

std::string outcome_text(const sim::EchoRun& run) {
  std::string out = run.reply ? "reply \"" + fuzz::escape(*run.reply) + "\""
                              : "error " + run.reply.error().to_string();
  return out + " after " + std::to_string(run.elapsed.count()) + "ns virtual, " +
         std::to_string(run.events) + " events, trace " + std::to_string(run.trace_hash);
}

bool is_printable(const std::string& text) {
  for (char c : text) {
    if (c < 0x20 || c > 0x7e || c == '\'') return false;
  }
  return !text.empty();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::FuzzInput input(data, size);
  const fuzz::Schedule schedule = fuzz::read_schedule(input, 4, "echo_schedule_fuzzer");
  const std::uint64_t seed = input.u64();
  const std::string message(input.bytes(kMaxMessage));

  const sim::EchoRun run = sim::run_echo_exchange(schedule.profile, seed, message, kDeadline,
                                                  /*keep_trace=*/false);
  const std::string context =
      "profile \"" + schedule.text + "\" seed " + std::to_string(seed) + " message \"" +
      fuzz::escape(message) + "\"\n" + outcome_text(run) + "\nreplay: faultline sim echo --seed " +
      std::to_string(seed) + " --fault '" + schedule.text + "'" +
      (is_printable(message) ? " --message '" + message + "'" : "") + " --trace";
  auto fail = [&](std::string_view property, const std::string& detail = {}) {
    fuzz::property_failed("echo_schedule_fuzzer", property, detail + context);
  };

  if (run.reply) {
    if (*run.reply != message && !(schedule.may_corrupt && run.reply->size() == message.size())) {
      fail("the reply differs from the message");
    }
  } else {
    const net::Error& error = run.reply.error();
    if (error.message.empty()) fail("an error without a message");
    if (!schedule.allows(error.kind)) {
      fail("no fault in the schedule explains the error's kind",
           "kind: " + std::string(net::kind_name(error.kind)) + "\n");
    }
  }
  if (run.elapsed > kDeadline) fail("the outcome came after the deadline");

  const sim::EchoRun again = sim::run_echo_exchange(schedule.profile, seed, message, kDeadline,
                                                    /*keep_trace=*/false);
  const bool same_outcome =
      run.reply.has_value() == again.reply.has_value() &&
      (run.reply ? *run.reply == *again.reply
                 : run.reply.error().kind == again.reply.error().kind &&
                       run.reply.error().message == again.reply.error().message);
  if (!same_outcome || run.trace_hash != again.trace_hash || run.elapsed != again.elapsed ||
      run.events != again.events) {
    fail("not deterministic", "the second run gave " + outcome_text(again) + "\n");
  }
  return 0;
}
