// bench/runner/build.h: the bench preset's build, made on demand, and the
// child-process plumbing `bench run` and `bench ab` share (on top of
// fuzz/campaign/child_process.h).
//
//   runner::BuildOptions b{.source_dir = src, .build_dir = src / "build" / "bench"};
//   if (auto ok = runner::ensure_bench_build(b, binaries, std::cerr); !ok) ...
#pragma once

#include <filesystem>
#include <iosfwd>
#include <string>
#include <vector>

#include "bench/runner/catalog.h"
#include "fuzz/campaign/child_process.h"
#include "targets/net/error.h"

namespace faultline::bench::runner {

// BuildOptions: where the tree is, where it builds, and whether to.
struct BuildOptions {
  std::filesystem::path source_dir{};
  std::filesystem::path build_dir{};  // empty: <source>/build/bench (the bench preset's)
  std::filesystem::path log_file{};   // empty: <build_dir>/faultline-bench-build.log
  bool build = true;                  // false: only check that the binaries exist
  int build_jobs = 2;
};

// default_build_dir: <source>/build/bench.
std::filesystem::path default_build_dir(const std::filesystem::path& source_dir);

// bench_configure_args: `cmake --preset bench` for the preset's own build
// dir, else the preset's settings spelled out for `build_dir` (bench ab's
// worktrees, --build-dir).
std::vector<std::string> bench_configure_args(const std::filesystem::path& source_dir,
                                              const std::filesystem::path& build_dir);

// ensure_bench_build configures `build_dir` when it has no CMakeCache.txt and
// builds the binaries' targets; output goes to `log` and the log file.
// Without options.build, a missing binary is ErrorKind::not_found.
net::Status ensure_bench_build(const BuildOptions& options,
                               const std::vector<BenchBinary>& binaries, std::ostream& log);

// run_streamed runs a command to completion, copying its output line by line
// to `log` and to `log_file`; an error names the command and its log.
net::Status run_streamed(const std::vector<std::string>& argv,
                         const std::filesystem::path& log_file, std::ostream& log);

// command_text: argv joined with spaces (for messages and manifests).
std::string command_text(const std::vector<std::string>& argv);

}  // namespace faultline::bench::runner
