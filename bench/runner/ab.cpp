#include "bench/runner/ab.h"

#include <algorithm>
#include <ostream>

#include "bench/runner/build.h"
#include "fuzz/campaign/child_process.h"

namespace faultline::bench::runner {

namespace fs = std::filesystem;

net::Result<std::string> resolve_revision(const fs::path& source_dir, const std::string& revision) {
  if (revision.empty() || revision.starts_with('-')) {
    return net::make_error(net::ErrorKind::invalid_argument,
                           "revision '" + revision + "' is not a git revision");
  }
  auto run = fuzz::run_and_capture({"git", "-C", source_dir.string(), "rev-parse", "--verify",
                                    "--quiet", revision + "^{commit}"},
                                   {}, std::chrono::seconds(30));
  if (!run) return tl::unexpected(run.error());
  std::string sha = run->output;
  while (!sha.empty() && (sha.back() == '\n' || sha.back() == '\r'))
    sha.pop_back();
  if (run->status != 0 || sha.size() < 40) {
    return net::make_error(
        net::ErrorKind::invalid_argument,
        "revision '" + revision + "' does not resolve to a commit in " + source_dir.string());
  }
  return sha;
}

fs::path ab_root(const fs::path& source_dir) {
  return source_dir / "build" / "bench-ab";
}

Revision revision_layout(const fs::path& root, const std::string& given, const std::string& sha) {
  return Revision{given, sha, root / sha / "src", root / sha / "build"};
}

net::Status ensure_worktree(const fs::path& source_dir, const Revision& revision,
                            std::ostream& log) {
  std::error_code error;
  if (fs::exists(revision.worktree / ".git", error)) return {};
  fs::create_directories(revision.worktree.parent_path(), error);
  log << "bench ab: git worktree add " << revision.worktree.string() << " (" << revision.given
      << " = " << revision.sha.substr(0, 12) << ")\n";
  const fs::path log_file = revision.worktree.parent_path() / "worktree.log";
  return run_streamed({"git", "-C", source_dir.string(), "worktree", "add", "--detach",
                       revision.worktree.string(), revision.sha},
                      log_file, log);
}

net::Result<BuiltBinaries> build_available(const Revision& revision,
                                           const std::vector<BenchBinary>& wanted, int build_jobs,
                                           std::ostream& log) {
  BuiltBinaries result;
  const std::vector<BenchBinary> present = list_binaries(revision.worktree);
  const std::string short_sha = revision.sha.substr(0, 12);
  std::vector<BenchBinary> to_build;
  for (const BenchBinary& binary : wanted) {
    const auto found = std::find_if(present.begin(), present.end(),
                                    [&](const BenchBinary& b) { return b.name == binary.name; });
    if (found == present.end()) {
      result.skipped.push_back(binary.name + ": no bench/" + binary.name + ".cpp at " +
                               revision.given + " (" + short_sha + ")");
    } else {
      to_build.push_back(*found);
    }
  }
  const fs::path log_file = revision.build_dir.parent_path() / "build.log";
  std::error_code error;
  fs::create_directories(revision.build_dir, error);
  if (!fs::exists(revision.build_dir / "CMakeCache.txt", error) && !to_build.empty()) {
    log << "bench ab: configuring " << revision.build_dir.string() << "\n";
    auto configured =
        run_streamed(bench_configure_args(revision.worktree, revision.build_dir), log_file, log);
    if (!configured) return tl::unexpected(configured.error());
  }
  for (const BenchBinary& binary : to_build) {
    BuildOptions options{revision.worktree, revision.build_dir, log_file, true, build_jobs};
    // Configured above: this only builds the one target.
    if (auto built = ensure_bench_build(options, {binary}, log); !built) {
      result.skipped.push_back(binary.name + ": does not build at " + revision.given + " (" +
                               short_sha + "): " + built.error().message);
      continue;
    }
    result.built.push_back(binary);
  }
  return result;
}

std::vector<BenchBinary> common_binaries(const std::vector<BenchBinary>& a,
                                         const std::vector<BenchBinary>& b) {
  std::vector<BenchBinary> common;
  for (const BenchBinary& binary : a) {
    if (std::any_of(b.begin(), b.end(),
                    [&](const BenchBinary& other) { return other.name == binary.name; })) {
      common.push_back(binary);
    }
  }
  return common;
}

}  // namespace faultline::bench::runner
