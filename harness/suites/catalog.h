// harness/suites/catalog.h: the built-in scenario catalog.
//
//   for (const auto& s : suites::catalog(suites::Protocol::echo_tcp)) ...
//   auto picked = suites::select(suites::catalog(protocol), "echo-tcp/slicer*");
#pragma once

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

}  // namespace faultline::suites
