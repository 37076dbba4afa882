// fuzz/campaign/catalog.h: the fuzzers a source tree has, found the way a
// reader finds them: fuzz/<name>_fuzzer.cpp, seeds in corpus/<name>/, and the
// dictionary its banner names ("Dictionary: corpus/dict/http.dict").
//
//   auto source = fuzz::find_source_dir(std::filesystem::current_path());
//   for (const fuzz::FuzzTarget& target : fuzz::list_targets(*source)) ...
//   auto target = fuzz::resolve_target(targets, "url");   // or "url_fuzzer"
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "targets/net/error.h"

namespace faultline::fuzz {

// FuzzTarget: one fuzzer of the tree.
struct FuzzTarget {
  std::string name;        // "url_fuzzer": the binary and CMake target
  std::string short_name;  // "url": the corpus directory's name
  std::string summary;     // the banner's first sentence
  std::filesystem::path source;
  std::filesystem::path seeds;       // corpus/<short_name>, read-only during campaigns
  std::filesystem::path dictionary;  // empty when the fuzzer has none
};

// find_source_dir walks up from `start` to the directory holding
// fuzz/standalone_driver.cpp and CMakePresets.json.
std::optional<std::filesystem::path> find_source_dir(const std::filesystem::path& start);

// built_from_source_dir: the source tree this binary was built from (a
// last resort when no tree is found around the working directory).
std::filesystem::path built_from_source_dir();

// resolve_source_dir: the tree a command works on: `given` (a --source
// flag) when not empty, else $FAULTLINE_SOURCE_DIR, else the tree around
// the working directory, else the one this binary was built from; an
// invalid_argument error when none holds a faultline tree.
net::Result<std::filesystem::path> resolve_source_dir(const std::string& given);

// list_targets: every fuzz/*_fuzzer.cpp of the tree, by name.
std::vector<FuzzTarget> list_targets(const std::filesystem::path& source_dir);

// resolve_target finds a target by name, with or without "_fuzzer"; the
// error (invalid_argument) lists the known ones.
net::Result<FuzzTarget> resolve_target(const std::vector<FuzzTarget>& targets,
                                       std::string_view name);

}  // namespace faultline::fuzz
