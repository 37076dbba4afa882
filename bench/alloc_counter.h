// bench/alloc_counter.h: counts what the process allocates, for the
// benchmarks' bytes-per-message and bytes-per-connection counters.
//
// Linking bench/alloc_counter.cpp into a benchmark binary replaces the global
// operator new/delete with counting ones over malloc/free:
//
//   const bench::AllocCount before = bench::alloc_count();
//   for (auto _ : state) parse();
//   state.counters["alloc_bytes_per_msg"] = (bench::alloc_count() - before).bytes / messages;
//
// Counts are process-wide (every thread): a benchmark that runs a server in
// process counts the server's allocations too.
#pragma once

#include <cstdint>

namespace faultline::bench {

// AllocCount: calls to operator new and the bytes they asked for.
struct AllocCount {
  std::uint64_t calls = 0;
  std::uint64_t bytes = 0;
  AllocCount operator-(const AllocCount& other) const {
    return {calls - other.calls, bytes - other.bytes};
  }
};

// alloc_count gives the counts so far (relaxed: for deltas around a loop).
AllocCount alloc_count();

}  // namespace faultline::bench
