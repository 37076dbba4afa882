// The echo-tls and https catalogs against the built-in TLS targets (every
// scenario must pass), and the TLS mutants (each must be killed by some
// echo-tls scenario). One test per scenario and per mutant, so ctest spreads them.
#include <gtest/gtest.h>

#include "harness/suites/catalog.h"
#include "harness/suites/mutants/tls_mutants.h"
#include "harness/suites/suite.h"

namespace faultline::suites {
namespace {

std::vector<Scenario> tls_scenarios() {
  auto all = catalog(Protocol::echo_tls);
  for (auto& s : catalog(Protocol::https))
    all.push_back(s);
  return all;
}

std::string test_name(std::string name) {
  for (auto& ch : name) {
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  }
  return name;
}

class TlsReferenceTargetTest : public ::testing::TestWithParam<Scenario> {};

TEST_P(TlsReferenceTargetTest, PassesTheScenario) {
  const Scenario& scenario = GetParam();
  auto target = builtin_target(scenario.protocol);
  Runner runner(*target, scenario.protocol);
  auto result = runner.run(scenario, 1);
  target->stop();
  EXPECT_TRUE(result.passed) << invariant_name(result.broken) << ": " << result.detail
                             << "\n  replay: " << result.replay;
}

INSTANTIATE_TEST_SUITE_P(Catalog, TlsReferenceTargetTest, ::testing::ValuesIn(tls_scenarios()),
                         [](const auto& info) { return test_name(info.param.name); });

class TlsMutantTest : public ::testing::TestWithParam<std::string> {};

TEST_P(TlsMutantTest, IsKilledByAtLeastOneScenario) {
  const auto& name = GetParam();
  std::unique_ptr<Target> target;
  RunnerOptions options;
  if (auto client = tls_client_mutant(name)) {
    target = builtin_target(Protocol::echo_tls);
    options.echo_client = *client;
  } else {
    target = std::make_unique<InProcessTarget>("mutant:" + name, [name] {
      std::shared_ptr<echo::EchoServer> server(make_tls_server_mutant(name));
      return InProcessTarget::Server{[server] { return server->start(); },
                                     [server] { return server->address(); },
                                     [server] { server->stop(); }};
    });
  }
  Runner runner(*target, Protocol::echo_tls, options);
  std::vector<std::string> killed_by;
  for (const auto& scenario : catalog(Protocol::echo_tls)) {
    auto result = runner.run(scenario, 1);
    if (!result.passed) {
      killed_by.push_back(scenario.name);
      std::cout << name << " killed by " << scenario.name << " (" << invariant_name(result.broken)
                << ": " << result.detail << ")\n";
      break;
    }
  }
  target->stop();
  EXPECT_FALSE(killed_by.empty()) << name << " survived every echo-tls scenario";
}

std::vector<std::string> all_tls_mutants() {
  auto names = tls_server_mutant_names();
  for (auto& n : tls_client_mutant_names())
    names.push_back(n);
  return names;
}

INSTANTIATE_TEST_SUITE_P(Mutants, TlsMutantTest, ::testing::ValuesIn(all_tls_mutants()),
                         [](const auto& info) { return test_name(info.param); });

}  // namespace
}  // namespace faultline::suites
