// cli/schedule_case.h: a reproducer of a schedule fuzzer (echo_schedule,
// http_client) loaded from its file, run under a profile on the simulated
// network or on real sockets, and the command lines that replay it. Used by
// `faultline fuzz replay` and `faultline shrink --fuzzer`.
//
//   auto loaded = load_schedule_case("echo_schedule", "crash-1f2e...").value();
//   fuzz::CaseRun run = run_schedule_case(loaded, loaded.profile(), Network::sim, 30s);
//   replay_schedule_command(loaded, smallest, Network::real);
//     // "faultline fuzz replay echo_schedule crash-1f2e... --fault 'reset after=0B' --network
//     real"
#pragma once

#include <string>
#include <variant>
#include <vector>

#include "fuzz/schedule_cases.h"
#include "targets/net/error.h"

namespace faultline::cli {

enum class CaseNetwork { sim, real };

// ScheduleCase: the fuzzer's name, the reproducer's path and what it decodes to.
struct ScheduleCase {
  std::string fuzzer;  // "echo_schedule" or "http_client"
  std::string path;
  std::variant<fuzz::EchoCase, fuzz::HttpClientCase> data;
  // client_mutant: an echo client mutant (harness/suites/mutants) in place
  // of the reference client; real sockets only.
  std::string client_mutant;

  // profile: the schedule the input carries.
  const fault::Profile& profile() const;
  // summary: "seed 7, message \"hi\"" or "GET, response \"HTTP/1.1 200 ...\"".
  std::string summary() const;
};

// schedule_fuzzer_names: "echo_schedule, http_client".
std::string schedule_fuzzer_names();

// load_schedule_case: `fuzzer` is echo_schedule or http_client (a trailing
// "_fuzzer" is allowed); the file must exist and hold at most 1MiB. The
// errors name the flag, the file and what is wrong.
net::Result<ScheduleCase> load_schedule_case(std::string fuzzer, const std::string& path);

// case_profile: the input's schedule, or, when `given`, the profile of
// --fault/--profile (a stream profile without HTTP faults: the proxy in
// front of these cases reads bytes).
net::Result<fault::Profile> case_profile(const ScheduleCase& loaded,
                                         const std::vector<std::string>& faults,
                                         const std::string& profile_file, bool given);

// set_client_mutant: checks that `name` is an echo client mutant, that the
// case is an echo_schedule one and that it runs on real sockets.
net::Status set_client_mutant(ScheduleCase& loaded, const std::string& name, CaseNetwork network);

// run_schedule_case: the case under `profile`, with the fuzzer's properties;
// `deadline` bounds a real echo exchange (the simulator's is a virtual day).
fuzz::CaseRun run_schedule_case(const ScheduleCase& loaded, const fault::Profile& profile,
                                CaseNetwork network, net::Duration deadline);

// replay_schedule_command: `faultline fuzz replay` for the case under `profile`.
std::string replay_schedule_command(const ScheduleCase& loaded, const fault::Profile& profile,
                                    CaseNetwork network);

}  // namespace faultline::cli
