#include "harness/suites/sim_suite.h"

#include <algorithm>

#include <fmt/core.h>

#include "harness/sim/echo_peer.h"
#include "harness/suites/catalog.h"
#include "harness/suites/mutants/echo_mutants.h"
#include "harness/suites/runner.h"
#include "harness/suites/workload.h"
#include "targets/echo/echo_client.h"

namespace faultline::suites {
namespace {

using namespace std::chrono_literals;

constexpr const char* kHost = "echo";
constexpr std::uint16_t kPort = 7;

// Utf8PerReadPeer: the utf8-per-read mutant's bug in the protocol core:
// each delivery decoded as UTF-8 on its own (mutants/echo_mutants.h).
class Utf8PerReadPeer final : public sim::Peer {
 public:
  void on_data(sim::Endpoint& endpoint, std::string_view bytes) override {
    endpoint.send(decode_utf8_replacing(bytes));
  }
  void on_end(sim::Endpoint& endpoint, fault::EndKind kind) override {
    if (kind != fault::EndKind::reset) endpoint.close();
  }
};

// exchange_all: `messages` over one simulated connection, each echoed back
// whole within the operation timeout; the first error or mismatch ends it.
net::Result<std::vector<std::string>> exchange_all(sim::Network& network,
                                                   const std::vector<std::string>& messages,
                                                   net::Duration operation, net::TimePoint until) {
  auto stream = network.dialer().dial(kHost, kPort, std::min(network.now() + 2s, until));
  if (!stream) return tl::unexpected(stream.error());
  std::vector<std::string> replies;
  for (const auto& message : messages) {
    auto reply =
        echo::exchange_over_stream(**stream, message, std::min(network.now() + operation, until));
    if (!reply) {
      (*stream)->close();
      return tl::unexpected(reply.error());
    }
    replies.push_back(std::move(*reply));
  }
  (*stream)->close();
  return replies;
}

// run_workload: the exchange (4 clients x 5 messages, one after another) or
// large workload of the real suite, with the same seeded payloads.
Outcome run_workload(sim::Network& network, const Scenario& scenario, std::uint64_t seed) {
  const auto until = network.now() + scenario.deadline;
  const auto operation = std::min<net::Duration>(2s, scenario.deadline / 3);
  std::vector<std::vector<std::string>> clients;
  if (scenario.workload == Workload::large) {
    fault::Rng rng(seed);
    clients.push_back({utf8_text(rng, scenario.max_message_bytes)});
  } else {
    for (int c = 0; c < 4; ++c) {
      clients.push_back(
          payloads(seed * 1000 + static_cast<std::uint64_t>(c), 5, scenario.max_message_bytes));
    }
  }
  std::size_t bytes = 0;
  for (std::size_t c = 0; c < clients.size(); ++c) {
    const auto& sent = clients[c];
    auto got = exchange_all(network, sent, scenario.workload == Workload::large ? scenario.deadline
                                                                                  : operation,
                            until);
    const auto who = clients.size() > 1 ? fmt::format("client {}: ", c) : std::string();
    if (!got) {
      auto out = failed_with(got.error());
      out.detail = who + out.detail;
      return out;
    }
    if (auto diff = reply_mismatch(sent, *got)) return broken(Invariant::integrity, who + *diff);
    for (const auto& m : sent)
      bytes += m.size();
  }
  Outcome out;
  out.detail = clients.size() > 1
                   ? fmt::format("{} clients x {} messages echoed whole", clients.size(),
                                 clients.front().size())
                   : fmt::format("{} bytes echoed whole", bytes);
  return out;
}

}  // namespace

std::optional<SimTarget> sim_target(std::string_view builtin) {
  if (builtin == "echo-tcp" || builtin == "echo-tcp:epoll" || builtin == "echo-tcp:threads") {
    return SimTarget{std::string(builtin), [] { return std::make_unique<sim::EchoPeer>(); }};
  }
  if (builtin == "mutant:utf8-per-read") {
    return SimTarget{std::string(builtin), [] { return std::make_unique<Utf8PerReadPeer>(); }};
  }
  return std::nullopt;
}

std::vector<std::string> sim_target_names() {
  return {"echo-tcp", "echo-tcp:epoll", "echo-tcp:threads", "mutant:utf8-per-read"};
}

std::string sim_refusal(const Scenario& scenario) {
  if (scenario.protocol != Protocol::echo_tcp) {
    return fmt::format("the simulator hosts echo-tcp scenarios only, not {}",
                       protocol_name(scenario.protocol));
  }
  if (scenario.workload != Workload::exchange && scenario.workload != Workload::large) {
    return fmt::format("the {} workload needs real sockets (the simulator runs exchange and large)",
                       workload_name(scenario.workload));
  }
  return "";
}

ScenarioResult run_in_sim(const SimTarget& target, const Scenario& scenario, std::uint64_t seed,
                          const std::string& replay_extra) {
  ScenarioResult result;
  result.scenario = scenario.name;
  result.target = target.name + " (sim)";
  result.seed = seed;
  const auto flags = fmt::format("--builtin {} --protocol {} --scenarios '{}' --seed {}{}",
                                 target.name, protocol_name(scenario.protocol), scenario.name,
                                 seed, replay_extra);
  result.replay = "faultline suite --network sim " + flags;
  result.other_replay = "faultline suite " + flags;
  const auto started = net::MonotonicClock::now();
  auto profile = fault::parse_profile(scenario.profile);
  if (!profile || !profile->validate_for(fault::Transport::stream)) {
    result.broken = Invariant::clarity;
    result.detail = "scenario profile is invalid: " +
                    (profile ? profile->validate_for(fault::Transport::stream).error().to_string()
                             : profile.error().to_string());
    return result;
  }
  sim::NetworkLimits limits;
  limits.max_trace_lines = 0;  // the hash covers every event; the lines are not kept
  sim::Network network(seed, *profile, limits);
  network.listen(kHost, kPort, target.peer);
  judge(scenario, run_workload(network, scenario, seed), result);
  result.trace_hash = network.trace_hash();
  result.elapsed = net::MonotonicClock::now() - started;
  return result;
}

std::vector<ScenarioResult> run_sim_suite(const SimTarget& target, const SuiteOptions& options,
                                          const std::string& replay_extra,
                                          const ResultSink& sink) {
  auto scenarios = select(catalog(Protocol::echo_tcp), options.scenarios);
  std::erase_if(scenarios, [](const Scenario& s) { return !sim_refusal(s).empty(); });
  if (options.profile) {
    for (auto& scenario : scenarios)
      scenario.profile = *options.profile;
  }
  std::vector<ScenarioResult> results;
  for (int i = 0; i < std::max(options.repeat, 1); ++i) {
    for (const auto& scenario : scenarios) {
      auto result =
          run_in_sim(target, scenario, options.seed + static_cast<std::uint64_t>(i), replay_extra);
      if (sink) sink(result);
      results.push_back(std::move(result));
    }
  }
  return results;
}

}  // namespace faultline::suites
