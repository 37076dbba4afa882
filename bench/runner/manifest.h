// bench/runner/manifest.h: DIR/manifest.json, what `bench run` ran and on
// what: the commit, the machine's state, and which JSON file is which
// binary and round. bench/report/gbench_json.cpp reads it back (rounds for
// paired comparisons, the context for warnings).
//
//   runner::Manifest m;
//   m.context = runner::collect_context(source_dir, build_dir);
//   m.files.push_back({"echo_bench.round0.json", 0, "echo_bench"});
//   if (auto ok = runner::write_manifest(out_dir, m); !ok) ...
//
//   {"faultline_manifest": 1, "commit": "...", "dirty": false, "build_type": "Release",
//    "host": "...", "files": [{"file": "echo_bench.round0.json", "round": 0,
//    "binary": "echo_bench"}], "load_avg": [...], "cpu_governor": "...", ...}
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "targets/net/error.h"

namespace faultline::bench::runner {

// MachineContext: the state a run was taken in.
struct MachineContext {
  std::string commit;  // "" outside a git checkout
  bool dirty = false;
  std::string build_type;  // the build's CMAKE_BUILD_TYPE
  std::string host;
  int cpu_count = 0;
  std::vector<double> load_avg;  // 1, 5, 15 minutes
  std::string cpu_governor;      // "performance", "powersave", "" when unknown
  std::string started;           // ISO 8601 UTC
};

// ManifestFile: one JSON file of the run.
struct ManifestFile {
  std::string file;  // relative to the manifest's directory
  int round = 0;
  std::string binary;
};

// Manifest: see the file comment.
struct Manifest {
  static constexpr int kVersion = 1;
  MachineContext context;
  std::string command;
  std::string metric = "time";  // "time" or "instructions"
  std::string half;             // "a" / "b" in an A/A or A/B run, else ""
  std::string revision;         // bench ab: the REV as given
  std::vector<ManifestFile> files;
};

nlohmann::json manifest_json(const Manifest& manifest);

// write_manifest writes DIR/manifest.json.
net::Status write_manifest(const std::filesystem::path& dir, const Manifest& manifest);

// collect_context: the commit and dirtiness of `source_dir` (git, read-only),
// the build type from `build_dir`'s CMakeCache.txt, and this machine's host
// name, CPU count, load average and CPU scaling governor.
MachineContext collect_context(const std::filesystem::path& source_dir,
                               const std::filesystem::path& build_dir);

// read_build_type: CMAKE_BUILD_TYPE from a CMakeCache.txt's text.
std::string read_build_type(const std::string& cmake_cache_text);

// iso_time_now: "2024-05-01T12:00:00Z".
std::string iso_time_now();

}  // namespace faultline::bench::runner
