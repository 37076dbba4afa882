// fuzz/campaign/cache_dir.h: where a faultline job keeps what outlives one
// run (the fuzz work dir, the bench history, the campaign history): outside
// the repository, per machine. One rule for all of them:
//
//   $<env> when set and not empty, else $XDG_CACHE_HOME/faultline/<name>
//   (when set and not empty), else $HOME/.cache/faultline/<name> (/tmp
//   standing in for an unset HOME).
//
//   fuzz::cache_dir("FAULTLINE_BENCH_DIR", "bench")   // ~/.cache/faultline/bench
#pragma once

#include <filesystem>
#include <string_view>

namespace faultline::fuzz {

// cache_dir: see the file comment; an empty variable counts as unset.
std::filesystem::path cache_dir(const char* env, std::string_view name);

}  // namespace faultline::fuzz
