// cli/sim_command.cpp: `faultline sim echo`: one echo exchange on the
// deterministic simulated network. It is the replay command a failing
// simulated run prints: the same profile and seed give the same trace.
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <fmt/core.h>

#include "cli/commands.h"
#include "cli/flags.h"
#include "cli/profile_flags.h"
#include "harness/sim/echo_workload.h"
#include "targets/net/duration.h"

namespace faultline::cli {
namespace {

struct SimFlags {
  std::vector<std::string> faults;
  std::string profile_file;
  std::uint64_t seed = 1;
  std::string message = "안녕하세요!";
  std::string size;
  std::string deadline = "30s";
  bool trace = false;
};

int run_sim_echo(const SimFlags& flags) {
  auto profile = load_profile(flags.faults, flags.profile_file, fault::Transport::stream);
  if (!profile) return usage_error(profile.error());
  auto deadline = net::parse_duration(flags.deadline);
  if (!deadline) return usage_error("--deadline: " + deadline.error().message);
  std::string message = flags.message;
  if (!flags.size.empty()) {
    auto size = net::parse_size(flags.size);
    if (!size) return usage_error("--size: " + size.error().message);
    if (*size > (64u << 20)) return usage_error("--size: at most 64MiB");
    std::string filled;
    while (filled.size() < *size)
      filled += message.empty() ? "x" : message;
    filled.resize(*size);
    message = std::move(filled);
  }
  auto run = sim::run_echo_exchange(*profile, flags.seed, message, *deadline, flags.trace);
  if (flags.trace) {
    for (const auto& line : run.trace)
      std::cout << line << '\n';
  }
  auto virtual_ms = std::chrono::duration<double, std::milli>(run.elapsed).count();
  if (!run.reply) {
    fmt::print(
        "sim echo: seed {} profile \"{}\": {} after {:.3f} ms virtual ({} events, trace {:016x})\n",
        flags.seed, profile->to_string(), run.reply.error().to_string(), virtual_ms, run.events,
        run.trace_hash);
    return 1;
  }
  bool same = *run.reply == message;
  fmt::print(
      "sim echo: seed {} profile \"{}\": {} {} bytes in {:.3f} ms virtual ({} events, trace "
      "{:016x})\n",
      flags.seed, profile->to_string(), same ? "echoed" : "CORRUPTED", run.reply->size(),
      virtual_ms, run.events, run.trace_hash);
  return same ? 0 : 1;
}

}  // namespace

void register_sim_command(CLI::App& app, int& exit_code) {
  auto* sim = app.add_subcommand(
      "sim", "The deterministic simulated network: replay a run from its profile and seed");
  sim->require_subcommand(1);
  auto flags = std::make_shared<SimFlags>();
  auto* echo = sim->add_subcommand(
      "echo",
      "One echo exchange through the fault profile in virtual time; prints the outcome\n"
      "and the trace hash (identical for identical profile, seed and message)");
  echo->add_option("--fault", flags->faults, "a fault clause (repeatable)");
  echo->add_option("--profile", flags->profile_file, "a profile file");
  echo->add_option("--seed", flags->seed, "the run's seed")->capture_default_str();
  echo->add_option("--message", flags->message, "the message")->capture_default_str();
  echo->add_option("--size", flags->size, "repeat the message to this many bytes");
  echo->add_option("--deadline", flags->deadline, "virtual deadline for the exchange")
      ->capture_default_str();
  echo->add_flag("--trace", flags->trace, "print every simulated event");
  echo->callback([flags, &exit_code] { exit_code = run_sim_echo(*flags); });
}

}  // namespace faultline::cli
