// harness/suites/catalog.h: the built-in scenario catalog.
//
//   for (const auto& s : suites::catalog(suites::Protocol::echo_tcp)) ...
//   auto picked = suites::select(suites::catalog(protocol), "echo-tcp/slicer*");
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "harness/fault/glob.h"
#include "harness/suites/scenario.h"

namespace faultline::suites {

// catalog: every built-in scenario for `protocol`, in a stable order.
std::vector<Scenario> catalog(Protocol protocol);

// glob_match: shell-style '*' and '?' over the whole name (harness/fault/glob.h).
using fault::glob_match;

// select: the scenarios matching any of the comma-separated globs ("" = all).
std::vector<Scenario> select(const std::vector<Scenario>& scenarios, std::string_view globs);

// unmatched_globs: the globs of `globs` that match none of `scenarios`, so a
// misspelt one among several is reported instead of dropped.
std::vector<std::string> unmatched_globs(const std::vector<Scenario>& scenarios,
                                         std::string_view globs);

}  // namespace faultline::suites
