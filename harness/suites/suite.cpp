#include "harness/suites/suite.h"

#include "harness/suites/catalog.h"
#include "harness/suites/mutants/echo_mutants.h"
#include "targets/echo/echo_server.h"
#include "targets/echo/udp_echo_server.h"
#include "targets/http/server/server.h"

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
  }
  return nullptr;
}

std::vector<ScenarioResult> run_suite(Target& target, Protocol protocol,
                                      const SuiteOptions& options, RunnerOptions runner_options,
                                      const ResultSink& sink) {
  auto scenarios = select(catalog(protocol), options.scenarios);
  Runner runner(target, protocol, std::move(runner_options));
  std::vector<ScenarioResult> results;
  for (int i = 0; i < std::max(options.repeat, 1); ++i) {
    for (const auto& scenario : scenarios) {
      auto result = runner.run(scenario, options.seed + static_cast<std::uint64_t>(i));
      if (sink) sink(result);
      results.push_back(std::move(result));
    }
  }
  target.stop();
  return results;
}

std::vector<KillRow> kill_table(const SuiteOptions& options, bool stop_at_first_kill,
                                const ResultSink& sink) {
  auto scenarios = select(catalog(Protocol::echo_tcp), options.scenarios);
  std::vector<KillRow> rows;
  auto run_rows = [&](KillRow& row, Target& target, RunnerOptions runner_options) {
    Runner runner(target, Protocol::echo_tcp, std::move(runner_options));
    for (const auto& scenario : scenarios) {
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
  for (const auto& name : server_mutant_names()) {
    KillRow row{name, "server", {}, {}};
    InProcessTarget target("mutant:" + name, [name] {
      return wrap(std::shared_ptr<echo::EchoServer>(make_server_mutant(name)));
    });
    RunnerOptions runner_options;
    runner_options.replay_extra = "";
    run_rows(row, target, runner_options);
    rows.push_back(std::move(row));
  }
  for (const auto& name : client_mutant_names()) {
    KillRow row{name, "client", {}, {}};
    auto target = builtin_target(Protocol::echo_tcp);
    RunnerOptions runner_options;
    runner_options.echo_client = *client_mutant(name);
    runner_options.replay_extra = " --client-mutant " + name;
    run_rows(row, *target, runner_options);
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace faultline::suites
