// The built-in suites against the reference targets (every scenario must
// pass), and the kill table (every in-tree mutant must be caught). Each
// (target, scenario) pair and each mutant is its own test, so ctest spreads them.
#include <gtest/gtest.h>

#include "harness/suites/catalog.h"
#include "harness/suites/mutants/echo_mutants.h"
#include "harness/suites/suite.h"

namespace faultline::suites {
namespace {

struct Case {
  Protocol protocol;
  std::string model;  // echo-tcp server model
  Scenario scenario;
};

std::vector<Case> reference_cases() {
  std::vector<Case> cases;
  for (const char* model : {"epoll", "threads"}) {
    for (auto& s : catalog(Protocol::echo_tcp))
      cases.push_back({Protocol::echo_tcp, model, s});
  }
  for (auto& s : catalog(Protocol::echo_udp))
    cases.push_back({Protocol::echo_udp, "", s});
  for (auto& s : catalog(Protocol::http))
    cases.push_back({Protocol::http, "", s});
  return cases;
}

class ReferenceTargetTest : public ::testing::TestWithParam<Case> {};

TEST_P(ReferenceTargetTest, PassesTheScenario) {
  const auto& c = GetParam();
  auto target = builtin_target(c.protocol, c.model.empty() ? "epoll" : c.model);
  Runner runner(*target, c.protocol);
  auto result = runner.run(c.scenario, 1);
  target->stop();
  EXPECT_TRUE(result.passed) << invariant_name(result.broken) << ": " << result.detail
                             << "\n  replay: " << result.replay;
}

std::string case_name(const ::testing::TestParamInfo<Case>& info) {
  std::string name =
      info.param.scenario.name + (info.param.model.empty() ? "" : "_" + info.param.model);
  for (auto& ch : name) {
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(Catalog, ReferenceTargetTest, ::testing::ValuesIn(reference_cases()),
                         case_name);

class MutantTest : public ::testing::TestWithParam<std::string> {};

TEST_P(MutantTest, IsKilledByAtLeastOneScenario) {
  // Run the kill table for this mutant alone, stopping at the first kill.
  const auto& name = GetParam();
  KillRow row{name, "", {}, {}};
  auto scenarios = catalog(Protocol::echo_tcp);
  std::unique_ptr<Target> target;
  RunnerOptions options;
  if (auto client = client_mutant(name)) {
    target = builtin_target(Protocol::echo_tcp);
    options.echo_client = *client;
  } else {
    target = std::make_unique<InProcessTarget>("mutant:" + name, [name] {
      std::shared_ptr<echo::EchoServer> server(make_server_mutant(name));
      return InProcessTarget::Server{[server] { return server->start(); },
                                     [server] { return server->address(); },
                                     [server] { server->stop(); }};
    });
  }
  Runner runner(*target, Protocol::echo_tcp, options);
  for (const auto& scenario : scenarios) {
    auto result = runner.run(scenario, 1);
    if (!result.passed) {
      row.killed_by.push_back(scenario.name);
      std::cout << name << " killed by " << scenario.name << " (" << invariant_name(result.broken)
                << ": " << result.detail << ")\n";
      break;
    }
  }
  target->stop();
  EXPECT_FALSE(row.killed_by.empty()) << name << " survived every echo-tcp scenario";
}

std::vector<std::string> all_mutants() {
  auto names = server_mutant_names();
  for (auto& n : client_mutant_names())
    names.push_back(n);
  return names;
}

INSTANTIATE_TEST_SUITE_P(Mutants, MutantTest, ::testing::ValuesIn(all_mutants()),
                         [](const auto& info) {
                           std::string name = info.param;
                           for (auto& ch : name) {
                             if (ch == '-') ch = '_';
                           }
                           return name;
                         });

}  // namespace
}  // namespace faultline::suites
