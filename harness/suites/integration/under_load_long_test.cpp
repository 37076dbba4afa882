// Verdicts that hold under load (heavy version, ctest label `long`): with
// every core saturated by CPU burners this test starts and stops itself, the
// whole built-in suite (echo-tcp, echo-udp, http) runs 20 times (seeds 1..20;
// FAULTLINE_UNDER_LOAD_REPEAT overrides) and every run must pass.
//
//   ctest --preset long      # or: ctest --test-dir build/dev -L long
#include <gtest/gtest.h>

#include <cstdlib>
#include <iostream>

#include "harness/suites/cpu_burner.h"
#include "harness/suites/report.h"
#include "harness/suites/suite.h"

namespace faultline::suites {
namespace {

using namespace std::chrono_literals;

TEST(UnderLoadLong, BuiltinSuiteRepeatedPassesEveryRun) {
  int repeat = 20;
  if (const char* text = std::getenv("FAULTLINE_UNDER_LOAD_REPEAT")) {
    repeat = std::max(1, std::min(200, std::atoi(text)));
  }
  CpuBurner burner(CpuBurner::cores(), 90min);
  ASSERT_TRUE(burner.start());
  const auto started = net::MonotonicClock::now();
  std::vector<ScenarioResult> results;
  for (auto protocol : {Protocol::echo_tcp, Protocol::echo_udp, Protocol::http}) {
    auto target = builtin_target(protocol);
    SuiteOptions options;
    options.seed = 1;
    options.repeat = repeat;
    auto part = run_suite(*target, protocol, options, {}, [](const ScenarioResult& r) {
      if (!r.passed) std::cout << format_row(r) << std::endl;
    });
    results.insert(results.end(), part.begin(), part.end());
  }
  const double wall = std::chrono::duration<double>(net::MonotonicClock::now() - started).count();
  const double burned = burner.cpu_seconds();
  const bool burning = burner.running();
  burner.stop();
  auto counts = count(results);
  std::cout << "under load (" << CpuBurner::cores() << " burners, " << burned << " CPU-s in "
            << wall << " s): " << counts.passed << " passed, " << counts.failed << " failed of "
            << results.size() << " runs (" << repeat << " repeats)\n";
  EXPECT_TRUE(burning);
  EXPECT_GT(burned, 0.05 * wall);
  for (const auto& r : results) {
    EXPECT_TRUE(r.passed) << r.scenario << " seed " << r.seed << ": " << invariant_name(r.broken)
                          << ": " << r.detail << "\n  replay: " << r.replay;
  }
}

}  // namespace
}  // namespace faultline::suites
