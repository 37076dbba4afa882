// Verdicts that hold under load (light version, in the normal suite): with
// every core saturated by CPU burners this test starts and stops itself, the
// scenarios whose outcome used to depend on scheduling (an orderly close
// racing the client's sends, resets, stalls, slow links) must all pass.
// under_load_long_test.cpp runs the whole built-in suite 20 times the same way.
#include <gtest/gtest.h>

#include <iostream>

#include "harness/suites/catalog.h"
#include "harness/suites/cpu_burner.h"
#include "harness/suites/suite.h"

namespace faultline::suites {
namespace {

using namespace std::chrono_literals;

TEST(UnderLoad, EchoTcpCatalogAndHttpEndingsPassWithEveryCoreBusy) {
  CpuBurner burner(CpuBurner::cores(), 10min);
  ASSERT_TRUE(burner.start());
  const auto started = net::MonotonicClock::now();
  std::vector<ScenarioResult> results;
  auto run = [&](Protocol protocol, const std::string& globs) {
    auto target = builtin_target(protocol);
    SuiteOptions options;
    options.scenarios = globs;
    options.seed = 1;
    auto part = run_suite(*target, protocol, options);
    results.insert(results.end(), part.begin(), part.end());
  };
  run(Protocol::echo_tcp, "");
  run(Protocol::http, "http/truncated-body,http/server-reset,http/stall,http/partial-io");
  const double wall = std::chrono::duration<double>(net::MonotonicClock::now() - started).count();
  const double burned = burner.cpu_seconds();
  const bool burning = burner.running();
  burner.stop();
  std::cout << "burners used " << burned << " CPU-s in " << wall << " s wall\n";
  // The burners really ran to the end. The machine may be shared with other
  // work, so their share of it is only loosely bounded.
  EXPECT_TRUE(burning);
  EXPECT_GT(burned, 0.05 * wall);
  for (const auto& r : results) {
    EXPECT_TRUE(r.passed) << r.scenario << ": " << invariant_name(r.broken) << ": " << r.detail
                          << "\n  replay: " << r.replay;
  }
}

}  // namespace
}  // namespace faultline::suites
