// harness/fault/glob.h: shell-style wildcard matching, shared by the fault
// engine (http faults' match='GET /api/*') and the suites (--scenarios).
//
//   fault::glob_match("/api/*", "/api/users?id=1");   // true
//   fault::glob_match("echo-?cp/*", "echo-tcp/x");     // true
#pragma once

#include <string_view>

namespace faultline::fault {

// glob_match: '*' (any run of bytes, '/' included) and '?' (one byte) over
// the whole of `name`; every other byte matches itself.
bool glob_match(std::string_view pattern, std::string_view name);

}  // namespace faultline::fault
