// cli/suite_plans.h: the flags that name a suite run, and the targets they
// make, shared by `faultline suite` and `faultline shrink` (which takes the
// replay command a failing scenario prints, after `faultline shrink`).
//
//   SuiteFlags flags;  add_run_flags(command, flags);   // --builtin, --scenarios, --seed ...
//   auto plans = make_plans(flags);                      // one target per protocol
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "harness/fault/profile.h"
#include "harness/suites/runner.h"
#include "harness/suites/target.h"
#include "targets/net/error.h"

namespace faultline::cli {

// SuiteFlags: every flag of `faultline suite`.
struct SuiteFlags {
  std::string target;
  std::string target_cmd;
  std::string builtin;
  std::string protocol;
  std::string scenarios;
  std::uint64_t seed = 1;
  int repeat = 1;
  int rerun_failures = 0;
  std::string junit;
  std::string json;
  bool list = false;
  bool mutants = false;
  std::string client_mutant;
  std::string client_cmd;
  std::vector<std::string> requests;
  std::string requests_file;
  std::vector<std::string> volatile_headers;
  std::string cacert;
  bool insecure = false;
  // faults / profile_file: a profile in place of each selected scenario's own.
  std::vector<std::string> faults;
  std::string profile_file;
  std::string network = "real";  // "real" sockets or the simulated network ("sim")
};

// Plan: one target and its protocol.
struct Plan {
  std::unique_ptr<suites::Target> target;
  suites::Protocol protocol;
  suites::RunnerOptions runner;
};

// make_plans: the targets the flags name, with the runner options they need.
net::Result<std::vector<Plan>> make_plans(const SuiteFlags& flags);

// add_run_flags registers the flags a replay command prints (the target, the
// protocol, --scenarios, --seed, the client, --fault/--profile, --network).
void add_run_flags(CLI::App& command, SuiteFlags& flags);

// profile_override: the profile of --fault/--profile for `protocol`'s
// transport, or nullopt when neither was given (each scenario keeps its own).
net::Result<std::optional<fault::Profile>> profile_override(const SuiteFlags& flags,
                                                            suites::Protocol protocol);

// plan_sim_hosts: whether the simulator can host the plan's target (a
// built-in echo-tcp target with the reference client; sim_suite.h).
bool plan_sim_hosts(const Plan& plan);

// replay_profile_flags: " --fault '...'" naming `profile` in a replay command.
std::string replay_profile_flags(const fault::Profile& profile);

}  // namespace faultline::cli
