// bench/runner/catalog.h: the benchmark binaries a source tree has, found the
// way a reader finds them: bench/<name>_bench.cpp, described by the banner
// comment at the top of the file ("bench/echo_bench.cpp: echo round trips
// per second on loopback.").
//
//   for (const runner::BenchBinary& b : runner::list_binaries(source_dir)) ...
//   auto chosen = runner::resolve_binaries(all, {"http_parser", "echo_bench"});
//   fs::path exe = runner::binary_path(build_dir, chosen->front());   // <build>/bench/<name>
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "targets/net/error.h"

namespace faultline::bench::runner {

// BenchBinary: one Google Benchmark binary of the tree.
struct BenchBinary {
  std::string name;        // "echo_bench": the binary and the CMake target
  std::string short_name;  // "echo"
  std::string summary;     // the banner's first sentence
  std::filesystem::path source;
};

// banner_summary: the first sentence of a file's leading `//` comment, after
// its "path: " prefix; empty when the file has no banner.
std::string banner_summary(std::string_view source_text);

// list_binaries: every bench/*_bench.cpp of the tree, sorted by name.
std::vector<BenchBinary> list_binaries(const std::filesystem::path& source_dir);

// resolve_binaries finds each name (with or without "_bench"); an unknown
// one is ErrorKind::invalid_argument listing the valid names. Duplicates are
// kept once, in the order given.
net::Result<std::vector<BenchBinary>> resolve_binaries(const std::vector<BenchBinary>& known,
                                                       const std::vector<std::string>& names);

// binary_path: where a build puts the binary (faultline_benchmark's
// RUNTIME_OUTPUT_DIRECTORY).
std::filesystem::path binary_path(const std::filesystem::path& build_dir,
                                  const BenchBinary& binary);

}  // namespace faultline::bench::runner
