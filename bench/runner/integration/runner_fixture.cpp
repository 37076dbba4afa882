// bench/runner/integration/runner_fixture.cpp: a tiny benchmark for the
// runner's and the campaign's integration tests: sums an array, a fixed
// amount of work per iteration, so instruction counts are stable across runs.
//
// FAULTLINE_FIXTURE_SLOWDOWN=N makes BM_SumArray sum the array N times per
// iteration (a regression chosen from outside); BM_Nothing never changes.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdlib>
#include <numeric>
#include <vector>

namespace {

int passes_per_iteration() {
  const char* text = std::getenv("FAULTLINE_FIXTURE_SLOWDOWN");
  const int passes = text != nullptr ? std::atoi(text) : 1;
  return passes >= 1 && passes <= 1000 ? passes : 1;
}

void BM_SumArray(benchmark::State& state) {
  static const int passes = passes_per_iteration();
  std::vector<std::uint32_t> values(static_cast<std::size_t>(state.range(0)));
  std::iota(values.begin(), values.end(), 1U);
  for (auto _ : state) {
    std::uint64_t sum = 0;
    for (int pass = 0; pass < passes; ++pass) {
      for (std::uint32_t v : values) {
        benchmark::DoNotOptimize(v);
        sum += v;
      }
    }
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_SumArray)->Arg(256);

void BM_Nothing(benchmark::State& state) {
  for (auto _ : state)
    benchmark::ClobberMemory();
}
BENCHMARK(BM_Nothing);

}  // namespace

BENCHMARK_MAIN();
