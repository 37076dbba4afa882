// The ws-echo catalog against the built-in WebSocket echo server (every
// scenario must pass), and the WebSocket mutants: each must fail the
// scenario written to catch its bug. One test per scenario and per mutant,
// so ctest spreads them.
#include <gtest/gtest.h>

#include "harness/suites/catalog.h"
#include "harness/suites/mutants/ws_mutants.h"
#include "harness/suites/suite.h"

namespace faultline::suites {
namespace {

std::string test_name(std::string name) {
  for (auto& ch : name) {
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  }
  return name;
}

class WsReferenceTargetTest : public ::testing::TestWithParam<Scenario> {};

TEST_P(WsReferenceTargetTest, PassesTheScenario) {
  const Scenario& scenario = GetParam();
  auto target = builtin_target(Protocol::ws_echo);
  Runner runner(*target, Protocol::ws_echo);
  auto result = runner.run(scenario, 1);
  target->stop();
  EXPECT_TRUE(result.passed) << invariant_name(result.broken) << ": " << result.detail
                             << "\n  replay: " << result.replay;
  EXPECT_FALSE(result.vacuous) << "no fault clause fired: the scenario proved nothing";
}

INSTANTIATE_TEST_SUITE_P(Catalog, WsReferenceTargetTest,
                         ::testing::ValuesIn(catalog(Protocol::ws_echo)),
                         [](const auto& info) { return test_name(info.param.name); });

// Each mutant and the scenario written to kill it.
struct Kill {
  std::string mutant;
  std::string scenario;
  Invariant broken;
};

class WsMutantTest : public ::testing::TestWithParam<Kill> {};

TEST_P(WsMutantTest, IsKilledByItsScenario) {
  const Kill& kill = GetParam();
  InProcessTarget target("mutant:" + kill.mutant, [name = kill.mutant] {
    std::shared_ptr<echo::EchoServer> server(make_ws_server_mutant(name));
    return InProcessTarget::Server{[server] { return server->start(); },
                                   [server] { return server->address(); },
                                   [server] { server->stop(); }};
  });
  auto scenarios = select(catalog(Protocol::ws_echo), kill.scenario);
  ASSERT_EQ(scenarios.size(), 1u) << kill.scenario;
  Runner runner(target, Protocol::ws_echo);
  auto result = runner.run(scenarios.front(), 1);
  target.stop();
  EXPECT_FALSE(result.passed) << kill.mutant << " survived " << kill.scenario << ": "
                              << result.detail;
  EXPECT_EQ(result.broken, kill.broken) << result.detail;
  std::cout << kill.mutant << " killed by " << kill.scenario << " ("
            << invariant_name(result.broken) << ": " << result.detail << ")\n";
}

INSTANTIATE_TEST_SUITE_P(
    Mutants, WsMutantTest,
    ::testing::Values(Kill{"ws-utf8-per-frame", "ws-echo/baseline", Invariant::integrity},
                      Kill{"ws-utf8-per-read", "ws-echo/slicer-1-byte", Invariant::integrity},
                      Kill{"ws-accepts-unmasked", "ws-echo/unmasked-frame", Invariant::integrity},
                      Kill{"ws-accepts-fragmented-control", "ws-echo/fragmented-ping",
                           Invariant::integrity},
                      Kill{"ws-no-close-handshake", "ws-echo/baseline", Invariant::integrity},
                      Kill{"ws-one-read-is-a-frame", "ws-echo/slicer-1-byte",
                           Invariant::integrity}),
    [](const auto& info) { return test_name(info.param.mutant); });

TEST(WsMutants, EveryMutantHasAKillRow) {
  EXPECT_EQ(ws_server_mutant_names().size(), 6u);
  for (const auto& name : ws_server_mutant_names())
    EXPECT_NE(make_ws_server_mutant(name), nullptr) << name;
  EXPECT_EQ(make_ws_server_mutant("ws-unknown"), nullptr);
}

}  // namespace
}  // namespace faultline::suites
