#include "harness/suites/suite.h"

#include <fmt/core.h>

#include "harness/fault/rng.h"
#include "harness/suites/catalog.h"
#include "harness/suites/mutants/echo_mutants.h"
#include "harness/suites/mutants/http_mutants.h"
#include "harness/suites/mutants/tls_mutants.h"
#include "harness/suites/mutants/ws_mutants.h"
#include "harness/suites/suite_pki.h"
#include "harness/suites/workload.h"
#include "targets/echo/echo_server.h"
#include "targets/echo/tls_echo_server.h"
#include "targets/echo/udp_echo_server.h"
#include "targets/http/server/server.h"
#include "targets/net/socket.h"
#include "targets/ws/echo_server.h"

namespace faultline::suites {
namespace {

// wrap: an object with start/address/stop as an InProcessTarget server.
template <typename T>
InProcessTarget::Server wrap(std::shared_ptr<T> server) {
  return InProcessTarget::Server{[server] { return server->start(); },
                                 [server] { return server->address(); },
                                 [server] { server->stop(); }};
}

}  // namespace

std::unique_ptr<Target> builtin_target(Protocol protocol, std::string_view model) {
  switch (protocol) {
    case Protocol::echo_tcp: {
      auto parsed = echo::parse_server_model(model).value_or(echo::ServerModel::epoll);
      return std::make_unique<InProcessTarget>(
          "echo-tcp:" + std::string(echo::model_name(parsed)), [parsed] {
            echo::EchoServerOptions options;
            options.listen = net::Address::loopback(0);
            return wrap(std::shared_ptr<echo::EchoServer>(echo::make_echo_server(parsed, options)));
          });
    }
    case Protocol::echo_udp:
      return std::make_unique<InProcessTarget>("echo-udp", [] {
        return wrap(std::make_shared<echo::UdpEchoServer>(net::Address::loopback(0)));
      });
    case Protocol::http:
      return std::make_unique<InProcessTarget>("http", [] {
        http::HttpServerOptions options;
        options.listen = net::Address::loopback(0);
        return wrap(std::make_shared<http::HttpServer>(options));
      });
    case Protocol::echo_tls:
      return std::make_unique<InProcessTarget>("echo-tls", [] {
        echo::EchoServerOptions options;
        options.listen = net::Address::loopback(0);
        return wrap(std::make_shared<echo::TlsEchoServer>(
            options, suite_server_context(suite_pki().server), std::chrono::seconds(5)));
      });
    case Protocol::https:
      return std::make_unique<InProcessTarget>("https", [] {
        http::HttpServerOptions options;
        options.listen = net::Address::loopback(0);
        options.tls = suite_server_context(suite_pki().server);
        return wrap(std::make_shared<http::HttpServer>(options));
      });
    case Protocol::ws_echo:
      return std::make_unique<InProcessTarget>("ws-echo", [] {
        // Short keepalive and close deadlines, so ws-echo/pong-missing and
        // ws-echo/close-unanswered end in seconds.
        ws::WsServerOptions options;
        options.listen = net::Address::loopback(0);
        options.ping_interval = std::chrono::seconds(2);
        options.pong_timeout = std::chrono::seconds(3);
        options.close_timeout = std::chrono::seconds(2);
        return wrap(std::make_shared<ws::WsEchoServer>(options));
      });
  }
  return nullptr;
}

std::uint64_t fresh_seed(std::uint64_t seed, int k) {
  // Small enough to type in a replay command, far from seed + i of --repeat.
  return 1000 + fault::mix64(seed * 1000003 + static_cast<std::uint64_t>(k)) % 1000000;
}

void rerun(Runner& runner, const Scenario& scenario, int times, ScenarioResult& result) {
  for (int pass = 0; pass < 2; ++pass) {
    for (int k = 0; k < times; ++k) {
      const bool same_seed = pass == 0;
      const auto seed = same_seed ? result.seed : fresh_seed(result.seed, k);
      auto again = runner.run(scenario, seed);
      result.reruns.push_back(RerunResult{seed, same_seed, again.passed, again.broken,
                                          std::move(again.detail), again.elapsed});
    }
  }
  result.stability = classify(result.reruns);
}

std::optional<ScenarioResult> check_target(Target& target, Protocol protocol) {
  using namespace std::chrono_literals;
  ScenarioResult result;
  result.scenario = "(target check)";
  result.broken = Invariant::liveness;
  result.target_down = true;
  result.replay = fmt::format("faultline suite {} --protocol {}", target.replay_flags(),
                              protocol_name(protocol));
  const auto started = net::MonotonicClock::now();
  auto up = target.start();
  result.target = target.describe();
  result.elapsed = net::MonotonicClock::now() - started;
  if (!up) {
    result.detail = "target did not start: " + up.error().to_string();
    return result;
  }
  // UDP has no handshake: only the protocol can tell, and the first scenario will.
  if (protocol == Protocol::echo_udp) return std::nullopt;
  auto probe = net::connect_tcp(target.address(), net::Deadline::after(3s));
  result.elapsed = net::MonotonicClock::now() - started;
  if (!probe) {
    result.detail = (probe.error().kind == net::ErrorKind::refused ? "target refused: "
                                                                   : "target unreachable: ") +
                    probe.error().to_string();
    return result;
  }
  return std::nullopt;
}

std::vector<ScenarioResult> run_suite(Target& target, Protocol protocol,
                                      const SuiteOptions& options, RunnerOptions runner_options,
                                      const ResultSink& sink) {
  auto scenarios = select(catalog(protocol), options.scenarios);
  if (options.profile) {
    for (auto& scenario : scenarios)
      scenario.profile = *options.profile;
  }
  if (!runner_options.client_command.empty()) {
    std::erase_if(scenarios, [](const Scenario& s) { return !applies_to_client_command(s); });
  }
  if (runner_options.http_requests) {
    std::erase_if(scenarios, [](const Scenario& s) { return !applies_to_http_requests(s); });
  }
  std::vector<ScenarioResult> results;
  if (scenarios.empty()) return results;
  if (auto down = check_target(target, protocol)) {
    // Replayed with the same client or requests as the run it stopped.
    if (!runner_options.client_command.empty()) {
      down->replay =
          fmt::format("faultline suite --client-cmd {} --protocol {}",
                      shell_quote(runner_options.client_command), protocol_name(protocol));
    }
    down->replay += runner_options.replay_extra;
    down->seed = options.seed;
    if (sink) sink(*down);
    results.push_back(std::move(*down));
    target.stop();
    return results;
  }
  Runner runner(target, protocol, std::move(runner_options));
  for (int i = 0; i < std::max(options.repeat, 1); ++i) {
    if (!results.empty() && results.back().target_down) break;
    for (const auto& scenario : scenarios) {
      auto result = runner.run(scenario, options.seed + static_cast<std::uint64_t>(i));
      if (!result.passed && options.rerun_failures > 0) {
        rerun(runner, scenario, options.rerun_failures, result);
      }
      if (sink) sink(result);
      const bool down = result.target_down;
      results.push_back(std::move(result));
      if (down) break;
    }
  }
  target.stop();
  return results;
}

std::string client_program_command(const std::string& client_program, const std::string& mutant) {
  return shell_quote(client_program) + (mutant == "reference" ? "" : " --mutant " + mutant) +
         " {host} {port}";
}

std::vector<KillRow> kill_table(const SuiteOptions& options, bool stop_at_first_kill,
                                const ResultSink& sink, const std::string& client_program) {
  auto scenarios = select(catalog(Protocol::echo_tcp), options.scenarios);
  auto http_scenarios = select(catalog(Protocol::http), options.scenarios);
  std::vector<KillRow> rows;
  auto tls_scenarios = select(catalog(Protocol::echo_tls), options.scenarios);
  auto ws_scenarios = select(catalog(Protocol::ws_echo), options.scenarios);
  // run_rows runs `row`'s mutant through `protocol`'s selected scenarios.
  auto run_rows = [&](KillRow& row, Target& target, RunnerOptions runner_options,
                      Protocol protocol = Protocol::echo_tcp) {
    const bool program = !runner_options.client_command.empty();
    Runner runner(target, protocol, std::move(runner_options));
    const auto& selected = protocol == Protocol::echo_tls  ? tls_scenarios
                           : protocol == Protocol::http    ? http_scenarios
                           : protocol == Protocol::ws_echo ? ws_scenarios
                                                           : scenarios;
    for (const auto& scenario : selected) {
      if (program && !applies_to_client_command(scenario)) continue;
      auto result = runner.run(scenario, options.seed);
      if (sink) sink(result);
      if (!result.passed) {
        row.killed_by.push_back(scenario.name);
        row.details.push_back(std::string(invariant_name(result.broken)) + ": " + result.detail);
        if (stop_at_first_kill) break;
      }
    }
    target.stop();
  };
  // Each protocol's server mutants, then its client mutants, where its
  // catalog has selected scenarios.
  struct MutantSet {
    Protocol protocol;
    bool selected;
    std::vector<std::string> servers;
    std::vector<std::string> clients;
    std::function<std::unique_ptr<echo::EchoServer>(std::string_view)> make_server;
    std::function<std::optional<EchoClientUnderTest>(std::string_view)> make_client;
  };
  const MutantSet sets[] = {
      {Protocol::echo_tcp, !scenarios.empty(), server_mutant_names(), client_mutant_names(),
       make_server_mutant, client_mutant},
      {Protocol::echo_tls, !tls_scenarios.empty(), tls_server_mutant_names(),
       tls_client_mutant_names(), make_tls_server_mutant, tls_client_mutant},
      {Protocol::ws_echo, !ws_scenarios.empty(), ws_server_mutant_names(), {},
       make_ws_server_mutant, nullptr},
  };
  for (const MutantSet& set : sets) {
    if (!set.selected) continue;
    for (const auto& name : set.servers) {
      KillRow row{name, "server", {}, {}};
      InProcessTarget target("mutant:" + name, [name, make = set.make_server] {
        return wrap(std::shared_ptr<echo::EchoServer>(make(name)));
      });
      run_rows(row, target, {}, set.protocol);
      rows.push_back(std::move(row));
    }
    for (const auto& name : set.clients) {
      KillRow row{name, "client", {}, {}};
      auto target = builtin_target(set.protocol);
      RunnerOptions runner_options;
      runner_options.echo_client = *set.make_client(name);
      runner_options.replay_extra = " --client-mutant " + name;
      run_rows(row, *target, runner_options, set.protocol);
      rows.push_back(std::move(row));
    }
  }
  // The HTTP client mutants against the http catalog: only its HTTP-aware
  // scenarios can answer 503, so only they can kill these.
  for (const auto& name :
       http_scenarios.empty() ? std::vector<std::string>{} : http_client_mutant_names()) {
    KillRow row{name, "http-client", {}, {}};
    auto target = builtin_target(Protocol::http);
    RunnerOptions runner_options;
    runner_options.http_client = name;
    runner_options.replay_extra = " --client-mutant " + name;
    run_rows(row, *target, runner_options, Protocol::http);
    rows.push_back(std::move(row));
  }
  if (client_program.empty() || scenarios.empty()) return rows;
  auto names = client_mutant_names();
  names.insert(names.begin(), "reference");  // the control: must survive
  for (const auto& name : names) {
    KillRow row{name, "program", {}, {}};
    auto target = builtin_target(Protocol::echo_tcp);
    RunnerOptions runner_options;
    runner_options.client_command = client_program_command(client_program, name);
    runner_options.client_name = "program " + name;
    run_rows(row, *target, runner_options);
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace faultline::suites
