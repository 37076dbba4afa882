// bench/runner/ab.h: `bench ab REV_A REV_B`: two revisions built side by
// side from git worktrees under the build dir, their benchmarks run in ABBA
// order by round (round 0: A then B, round 1: B then A, ...), so a machine
// that drifts over the run favours neither side.
//
//   <source>/build/bench-ab/<sha>/src     git worktree add --detach (kept, reused)
//   <source>/build/bench-ab/<sha>/build   the bench preset's settings
//
//   auto sha = runner::resolve_revision(src, "HEAD~1");   // invalid_argument naming it
//   runner::Revision a = runner::revision_layout(runner::ab_root(src), "HEAD~1", *sha);
//   runner::ensure_worktree(src, a, std::cerr);
//   auto built = runner::build_available(a, binaries, jobs, std::cerr);  // skips missing ones
// The comparison itself (bench/report's compare_reports, paired) is the CLI's.
#pragma once

#include <filesystem>
#include <iosfwd>
#include <string>
#include <vector>

#include "bench/runner/catalog.h"
#include "targets/net/error.h"

namespace faultline::bench::runner {

// Revision: one side of an A/B run.
struct Revision {
  std::string given;  // as the user wrote it ("HEAD~1")
  std::string sha;
  std::filesystem::path worktree;
  std::filesystem::path build_dir;
};

// resolve_revision: the commit a revision names (git rev-parse), or
// ErrorKind::invalid_argument naming it.
net::Result<std::string> resolve_revision(const std::filesystem::path& source_dir,
                                          const std::string& revision);

// ab_root: <source>/build/bench-ab.
std::filesystem::path ab_root(const std::filesystem::path& source_dir);

// revision_layout: <root>/<sha>/src and <root>/<sha>/build.
Revision revision_layout(const std::filesystem::path& root, const std::string& given,
                         const std::string& sha);

// ensure_worktree adds the worktree (git worktree add --detach) unless it is
// already there.
net::Status ensure_worktree(const std::filesystem::path& source_dir, const Revision& revision,
                            std::ostream& log);

// BuiltBinaries: what a revision could build, and what it could not (why).
struct BuiltBinaries {
  std::vector<BenchBinary> built;
  std::vector<std::string> skipped;  // "echo_bench: no bench/echo_bench.cpp at abc1234"
};

// build_available configures the revision's build when new and builds each
// wanted binary that its tree has, one target at a time; one that is absent
// or does not build is skipped with the reason. An error: configure failed.
net::Result<BuiltBinaries> build_available(const Revision& revision,
                                           const std::vector<BenchBinary>& wanted, int build_jobs,
                                           std::ostream& log);

// common_binaries: those built on both sides, in `a`'s order.
std::vector<BenchBinary> common_binaries(const std::vector<BenchBinary>& a,
                                         const std::vector<BenchBinary>& b);

}  // namespace faultline::bench::runner
