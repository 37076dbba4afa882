// cli/shrink_command.cpp: `faultline shrink`: a failing suite run, given as
// the replay command it printed (after `faultline shrink`), delta-debugged to
// the smallest fault profile that still fails the same way.
//
//   faultline shrink --builtin mutant:send-no-loop --protocol echo-tcp
//       --scenarios echo-tcp/slow-reader --seed 1
//       --fault "latency delay=5ms; slicer max=512B; bandwidth rate=4MiB/s dir=down"
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <fmt/core.h>

#include "cli/commands.h"
#include "cli/flags.h"
#include "cli/schedule_case.h"
#include "cli/suite_plans.h"
#include "harness/shrink/shrink.h"
#include "harness/suites/catalog.h"
#include "harness/suites/sim_suite.h"
#include "targets/net/duration.h"

namespace faultline::cli {
namespace {

struct ShrinkFlags {
  SuiteFlags run;
  std::string time = "3m";
  int max_attempts = 200;
  // --fuzzer NAME FILE: a schedule fuzzer's reproducer instead of a suite run.
  std::string fuzzer;
  std::string reproducer;
  std::string deadline = "30s";
  int confirm = 0;  // 0: 1 in the simulator, 3 on real sockets
  CLI::Option* network_option = nullptr;
};

// Failure: how a run failed, which a candidate must match to count.
struct Failure {
  suites::Invariant broken = suites::Invariant::integrity;
  std::string detail;
};

std::string failure_text(const suites::ScenarioResult& result) {
  return result.passed ? "passed (" + result.detail + ")"
                       : std::string(suites::invariant_name(result.broken)) + ": " + result.detail;
}

// run_shrink_fuzzer: `faultline shrink --fuzzer NAME FILE`: the reproducer's
// schedule (or --fault/--profile) shrunk while the same property breaks.
int run_shrink_fuzzer(const ShrinkFlags& flags, net::Duration budget) {
  const auto& run = flags.run;
  if (flags.reproducer.empty()) {
    return usage_error("--fuzzer " + flags.fuzzer +
                       " takes the reproducer's file: faultline shrink --fuzzer " + flags.fuzzer +
                       " FILE");
  }
  if (!run.scenarios.empty() || !run.builtin.empty() || !run.target.empty() ||
      !run.target_cmd.empty() || !run.client_cmd.empty() || !run.protocol.empty()) {
    return usage_error(
        "--fuzzer shrinks a fuzzer's reproducer: leave out the suite run's flags "
        "(--scenarios, --builtin, --target, --target-cmd, --client-cmd, --protocol)");
  }
  const std::string network_name = flags.network_option->count() > 0 ? run.network : "sim";
  if (network_name != "real" && network_name != "sim") {
    return usage_error("--network '" + network_name + "': expected real or sim");
  }
  const CaseNetwork network = network_name == "real" ? CaseNetwork::real : CaseNetwork::sim;
  auto deadline = positive_duration_flag("--deadline", flags.deadline);
  if (!deadline) return usage_error(deadline.error());
  auto loaded = load_schedule_case(flags.fuzzer, flags.reproducer);
  if (!loaded) return usage_error(loaded.error());
  if (auto mutant = set_client_mutant(*loaded, run.client_mutant, network); !mutant) {
    return usage_error(mutant.error());
  }
  auto chosen = case_profile(*loaded, run.faults, run.profile_file,
                             !run.faults.empty() || !run.profile_file.empty());
  if (!chosen) return usage_error(chosen.error());
  const fault::Profile& profile = *chosen;
  const std::string where = network == CaseNetwork::sim ? "in the simulator" : "on real sockets";
  fmt::print("shrink: {} reproducer {} ({}) {}, profile \"{}\"\n", loaded->fuzzer, loaded->path,
             loaded->summary(), where, profile.to_string());
  std::fflush(stdout);
  const fuzz::CaseRun original = run_schedule_case(*loaded, profile, network, *deadline);
  if (!original.violation) {
    std::cerr << fmt::format("faultline: {} {} holds every property {} ({}): nothing to shrink\n",
                             loaded->fuzzer, loaded->path, where, original.outcome);
    return 1;
  }
  const std::string property = original.violation->property;
  fmt::print(
      "fails: {} ({}); shrinking while the same property breaks (--time {}, "
      "--max-attempts {})\n",
      property, original.outcome, flags.time, flags.max_attempts);
  std::fflush(stdout);

  shrink::Options options;
  options.max_attempts = flags.max_attempts;
  options.time_budget = budget;
  options.transport = fault::Transport::stream;
  if (network == CaseNetwork::real) options.precision = 0.25;
  // On real sockets the scheduler decides how bytes group into reads, so a
  // candidate counts as failing only when every one of `runs` runs fails.
  const int runs = flags.confirm > 0 ? flags.confirm : network == CaseNetwork::sim ? 1 : 3;
  auto predicate = [&](const fault::Profile& candidate) {
    for (int i = 0; i < runs; ++i) {
      auto result = run_schedule_case(*loaded, candidate, network, *deadline);
      const bool same = result.violation && result.violation->property == property;
      if (!same || i + 1 == runs) {
        std::string detail = result.violation
                                 ? result.violation->property + " (" + result.outcome + ")"
                                 : "holds (" + result.outcome + ")";
        if (runs > 1)
          detail += same ? ", in each of " + std::to_string(runs) + " runs"
                         : ", in run " + std::to_string(i + 1) + " of " + std::to_string(runs);
        return shrink::Verdict{same, detail};
      }
    }
    return shrink::Verdict{};
  };
  auto result = shrink::shrink_profile(profile, predicate, options, [](const shrink::Step& step) {
    std::cout << shrink::format_step(step) << "\n    " << step.profile << std::endl;
  });
  const auto& smallest = result.smallest;
  fmt::print("\nsmallest profile ({} of {} clauses, {} attempts{}):\n  {}\n",
             smallest.clauses().size(), profile.clauses().size(), result.attempts,
             result.out_of_budget ? ", stopped by the " + result.stopped_by + " bound" : "",
             smallest.is_empty() ? "(no fault: the run fails without any)" : smallest.to_string());
  fmt::print("before:\n  {}\n", profile.to_string());
  // The other back end, once: does the smallest profile break it there too?
  if (loaded->client_mutant.empty()) {
    const CaseNetwork other = network == CaseNetwork::sim ? CaseNetwork::real : CaseNetwork::sim;
    const fuzz::CaseRun there = run_schedule_case(*loaded, smallest, other, *deadline);
    fmt::print("{}: {} ({})\n", other == CaseNetwork::sim ? "in the simulator" : "on real sockets",
               there.violation ? there.violation->property == property
                                     ? "fails the same way"
                                     : "breaks another property: " + there.violation->property
                               : std::string("every property holds"),
               there.outcome);
    fmt::print("replay in the simulator:\n  {}\n",
               replay_schedule_command(*loaded, smallest, CaseNetwork::sim));
  } else {
    fmt::print("(the simulator cannot host the client mutant {}: it speaks real sockets)\n",
               loaded->client_mutant);
  }
  fmt::print("replay on real sockets:\n  {}\n",
             replay_schedule_command(*loaded, smallest, CaseNetwork::real));
  return 0;
}

int run_shrink_command(const ShrinkFlags& flags) {
  auto budget = positive_duration_flag("--time", flags.time);
  if (!budget) return usage_error(budget.error());
  if (flags.max_attempts < 1 || flags.max_attempts > 10'000) {
    return usage_error("--max-attempts must be within 1..10000");
  }
  if (flags.confirm < 0 || flags.confirm > 100)
    return usage_error("--confirm must be within 1..100");
  if (!flags.fuzzer.empty()) return run_shrink_fuzzer(flags, *budget);
  if (!flags.reproducer.empty()) {
    return usage_error("'" + flags.reproducer + "': a reproducer file goes with --fuzzer NAME (" +
                       schedule_fuzzer_names() + ")");
  }
  const auto& run = flags.run;
  if (run.network != "real" && run.network != "sim") {
    return usage_error("--network '" + run.network + "': expected real or sim");
  }
  if (run.scenarios.empty()) {
    return usage_error(
        "give the failing run as its replay command prints it: --scenarios NAME --seed N and "
        "the target (e.g. --builtin mutant:send-no-loop --protocol echo-tcp)");
  }
  // The run, on real sockets or in the simulator.
  std::vector<Plan> plans;
  std::optional<suites::SimTarget> simulated;
  suites::Protocol protocol = suites::Protocol::echo_tcp;
  if (run.network == "sim") {
    if (!run.protocol.empty() && run.protocol != "echo-tcp") {
      return usage_error("--network sim: protocol '" + run.protocol +
                         "' is not supported in the simulator (echo-tcp only)");
    }
    simulated = suites::sim_target(run.builtin.empty() ? "echo-tcp" : run.builtin);
    if (!simulated) {
      std::string names;
      for (const auto& name : suites::sim_target_names())
        names += (names.empty() ? "" : ", ") + name;
      return usage_error("--network sim: --builtin '" + run.builtin +
                         "' cannot run in the simulator; it hosts " + names);
    }
  } else {
    auto made = make_plans(run);
    if (!made) return usage_error(made.error());
    plans = std::move(*made);
    if (plans.size() != 1) {
      return usage_error(
          "shrink takes one failing run: name its target (--builtin, --target, --target-cmd or "
          "--client-cmd) or its --protocol");
    }
    protocol = plans.front().protocol;
  }
  auto selected = suites::select(suites::catalog(protocol), run.scenarios);
  if (selected.size() != 1) {
    std::string names;
    for (const auto& s : selected)
      names += (names.empty() ? "" : ", ") + s.name;
    return usage_error(fmt::format("--scenarios '{}' must name one {} scenario; it matches {}{}",
                                   run.scenarios, suites::protocol_name(protocol), selected.size(),
                                   names.empty() ? "" : ": " + names));
  }
  auto scenario = selected.front();
  const auto refusal = suites::sim_refusal(scenario);
  if (simulated && !refusal.empty()) return usage_error("--network sim: " + refusal);
  auto override = profile_override(run, protocol);
  if (!override) return usage_error(override.error());
  auto profile = fault::parse_profile(scenario.profile);
  if (!profile) return runtime_error(profile.error());
  if (*override) profile = **override;

  std::optional<suites::Runner> runner;
  if (!simulated) runner.emplace(*plans.front().target, protocol, plans.front().runner);
  auto run_with = [&](const fault::Profile& candidate) {
    auto copy = scenario;
    copy.profile = candidate.to_string();
    if (simulated) return suites::run_in_sim(*simulated, copy, run.seed);
    auto result = runner->run(copy, run.seed);
    plans.front().target->stop();
    return result;
  };
  const std::string target_name =
      simulated ? simulated->name + " (sim)" : plans.front().target->describe();

  fmt::print("shrink: {} against {} with seed {}, profile \"{}\"\n", scenario.name, target_name,
             run.seed, profile->to_string());
  std::fflush(stdout);
  auto original = run_with(*profile);
  if (original.target_down) {
    return runtime_error(net::Error{net::ErrorKind::io, 0, original.detail});
  }
  if (original.passed) {
    std::cerr << fmt::format(
        "faultline: {} against {} with seed {} does not fail ({}): nothing to shrink\n",
        scenario.name, original.target, run.seed, failure_text(original));
    return 1;
  }
  const Failure failure{original.broken, original.detail};
  fmt::print(
      "fails: {} [{:.2f}s]; shrinking while it fails with {} (--time {}, --max-attempts "
      "{})\n",
      failure_text(original), std::chrono::duration<double>(original.elapsed).count(),
      suites::invariant_name(failure.broken), flags.time, flags.max_attempts);
  std::fflush(stdout);

  shrink::Options options;
  options.max_attempts = flags.max_attempts;
  options.time_budget = *budget;
  options.transport = protocol == suites::Protocol::echo_udp ? fault::Transport::datagram
                                                             : fault::Transport::stream;
  auto predicate = [&](const fault::Profile& candidate) {
    auto result = run_with(candidate);
    return shrink::Verdict{!result.passed && !result.target_down && result.broken == failure.broken,
                           failure_text(result)};
  };
  auto result = shrink::shrink_profile(*profile, predicate, options, [](const shrink::Step& step) {
    std::cout << shrink::format_step(step) << "\n    " << step.profile << std::endl;
  });

  const auto& smallest = result.smallest;
  fmt::print("\nsmallest profile ({} of {} clauses, {} attempts{}):\n  {}\n",
             smallest.clauses().size(), profile->clauses().size(), result.attempts,
             result.out_of_budget ? ", stopped by the " + result.stopped_by + " bound" : "",
             smallest.is_empty() ? "(no fault: the run fails without any)" : smallest.to_string());
  fmt::print("before:\n  {}\n", profile->to_string());
  // The replay commands: the original run's, with the smallest profile.
  auto with_profile = [&](const std::string& replay) {
    return replay.substr(0, replay.find(" --fault ")) + replay_profile_flags(smallest);
  };
  const std::string head = "faultline suite ";
  const std::string real = with_profile(simulated ? original.other_replay : original.replay);
  fmt::print("replay on real sockets:\n  {}\n", real);
  if (simulated) {
    fmt::print("replay in the simulator:\n  {}\n", with_profile(original.replay));
  } else if (plan_sim_hosts(plans.front()) && refusal.empty()) {
    fmt::print("replay in the simulator:\n  {}\n",
               head + "--network sim " + real.substr(head.size()));
  } else {
    fmt::print("(the simulator cannot host this run: {})\n",
               refusal.empty() ? "it hosts the built-in echo-tcp targets " +
                                     std::string("and mutant:utf8-per-read with the reference "
                                                 "client only")
                               : refusal);
  }
  return 0;
}

}  // namespace

void register_shrink_command(CLI::App& app, int& exit_code) {
  auto flags = std::make_shared<ShrinkFlags>();
  auto* shrink = app.add_subcommand(
      "shrink",
      "Delta-debug a failing suite run to the smallest fault profile that still fails the same\n"
      "way (the same broken invariant): paste the replay command a failing scenario printed\n"
      "after `faultline shrink`. It removes clauses, then narrows byte offsets, times and\n"
      "probabilities, rerunning the scenario each time, and prints each step, the smallest\n"
      "profile and the commands that replay it.\n"
      "Or a schedule fuzzer's reproducer: faultline shrink --fuzzer echo_schedule|http_client "
      "FILE\n"
      "(in the simulator, or --network real; the same property must keep breaking).");
  add_run_flags(*shrink, flags->run);
  shrink
      ->add_option("--time", flags->time,
                   "bound on the whole shrink (each attempt is bounded "
                   "by its scenario's deadline)")
      ->capture_default_str();
  shrink->add_option("--max-attempts", flags->max_attempts, "bound on the reruns")
      ->capture_default_str();
  shrink->add_option("--fuzzer", flags->fuzzer,
                     "shrink a schedule fuzzer's reproducer (" + schedule_fuzzer_names() + ")");
  shrink->add_option("reproducer", flags->reproducer, "with --fuzzer: the reproducer file");
  shrink
      ->add_option("--deadline", flags->deadline,
                   "with --fuzzer on real sockets: the echo exchange's deadline")
      ->capture_default_str();
  shrink->add_option("--confirm", flags->confirm,
                     "with --fuzzer: runs a candidate must fail in each to count as failing "
                     "(default 1 in the simulator, 3 on real sockets)");
  flags->network_option = shrink->get_option("--network");
  shrink->callback([flags, &exit_code] { exit_code = run_shrink_command(*flags); });
}

}  // namespace faultline::cli
