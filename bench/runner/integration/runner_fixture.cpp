// bench/runner/integration/runner_fixture.cpp: a tiny benchmark for the
// runner's integration test: sums an array, a fixed amount of work per
// iteration, so instruction counts are stable across runs.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <numeric>
#include <vector>

namespace {

void BM_SumArray(benchmark::State& state) {
  std::vector<std::uint32_t> values(static_cast<std::size_t>(state.range(0)));
  std::iota(values.begin(), values.end(), 1U);
  for (auto _ : state) {
    std::uint64_t sum = 0;
    for (std::uint32_t v : values) {
      benchmark::DoNotOptimize(v);
      sum += v;
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
