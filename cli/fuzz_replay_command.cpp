// cli/fuzz_replay_command.cpp: `faultline fuzz replay`: one reproducer of a
// schedule fuzzer (echo_schedule, http_client) run again, in the simulator
// or on real sockets through the real fault proxy, under its own schedule or
// the profile of --fault/--profile, with the fuzzer's properties checked.
// It is the replay command `faultline shrink --fuzzer` prints.
//
//   faultline fuzz replay echo_schedule crash-1f2e --fault 'reset after=0B' --network real
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <fmt/core.h>

#include "cli/commands.h"
#include "cli/flags.h"
#include "cli/schedule_case.h"
#include "targets/net/duration.h"

namespace faultline::cli {
namespace {

struct ReplayFlags {
  std::string fuzzer;
  std::string file;
  std::vector<std::string> faults;
  std::string profile_file;
  std::string network = "sim";
  std::string deadline = "30s";
  std::string client_mutant;
  CLI::Option* fault_option = nullptr;
};

int run_replay(const ReplayFlags& flags) {
  if (flags.network != "sim" && flags.network != "real") {
    return usage_error("--network '" + flags.network + "': expected sim or real");
  }
  auto deadline = positive_duration_flag("--deadline", flags.deadline);
  if (!deadline) return usage_error(deadline.error());
  auto loaded = load_schedule_case(flags.fuzzer, flags.file);
  if (!loaded) return usage_error(loaded.error());
  const CaseNetwork network = flags.network == "real" ? CaseNetwork::real : CaseNetwork::sim;
  if (auto mutant = set_client_mutant(*loaded, flags.client_mutant, network); !mutant) {
    return usage_error(mutant.error());
  }
  const bool overridden = flags.fault_option->count() > 0 || !flags.profile_file.empty();
  auto chosen = case_profile(*loaded, flags.faults, flags.profile_file, overridden);
  if (!chosen) return usage_error(chosen.error());
  const fault::Profile& profile = *chosen;
  fmt::print("fuzz replay: {} {} ({})\nprofile: \"{}\" ({})\nnetwork: {}{}\n", loaded->fuzzer,
             loaded->path, loaded->summary(), profile.to_string(),
             overridden ? "given" : "the input's schedule",
             network == CaseNetwork::sim ? "simulated (virtual time, deterministic)"
                                         : "real sockets on 127.0.0.1 through the TCP proxy",
             loaded->client_mutant.empty() ? "" : ", client mutant " + loaded->client_mutant);
  std::fflush(stdout);
  const fuzz::CaseRun run = run_schedule_case(*loaded, profile, network, *deadline);
  fmt::print("outcome: {}\n", run.outcome);
  if (!run.violation) {
    fmt::print("every property holds\n");
    return 0;
  }
  fmt::print("property broken: {}\n", run.violation->property);
  if (!run.violation->detail.empty()) fmt::print("  {}", run.violation->detail);
  if (!run.violation->detail.ends_with('\n') && !run.violation->detail.empty()) fmt::print("\n");
  if (loaded->client_mutant.empty()) {
    fmt::print("replay in the simulator:\n  {}\n",
               replay_schedule_command(*loaded, profile, CaseNetwork::sim));
  }
  fmt::print("replay on real sockets:\n  {}\n",
             replay_schedule_command(*loaded, profile, CaseNetwork::real));
  return 1;
}

}  // namespace

void add_fuzz_replay_command(CLI::App& fuzz, int& exit_code) {
  auto flags = std::make_shared<ReplayFlags>();
  auto* replay = fuzz.add_subcommand(
      "replay", "Run an input of a schedule fuzzer (" + schedule_fuzzer_names() +
                    ") again, in the simulator or on real sockets, and check its properties");
  replay->footer(
      "On real sockets (--network real) the client goes through the TCP fault proxy, with the\n"
      "same profile and seed. --fault/--profile replace the input's schedule. Exit 1 when a\n"
      "property breaks; `faultline shrink --fuzzer NAME FILE` shrinks its schedule.");
  replay->add_option("fuzzer", flags->fuzzer, "echo_schedule or http_client")->required();
  replay->add_option("file", flags->file, "the reproducer (a crash or corpus file)")->required();
  flags->fault_option = replay->add_option(
      "--fault", flags->faults,
      "a fault clause in place of the input's schedule (repeatable; --fault '' for none)");
  replay->add_option("--profile", flags->profile_file, "a profile file in place of the schedule");
  replay->add_option("--network", flags->network, "sim or real")->capture_default_str();
  replay->add_option("--client-mutant", flags->client_mutant,
                     "echo_schedule on --network real: an echo client mutant in place of the "
                     "reference client");
  replay
      ->add_option("--deadline", flags->deadline,
                   "real sockets: the echo exchange's deadline (the simulator's is a virtual "
                   "day; the HTTP client has its own timeouts)")
      ->capture_default_str();
  replay->callback([flags, &exit_code] { exit_code = run_replay(*flags); });
}

}  // namespace faultline::cli
