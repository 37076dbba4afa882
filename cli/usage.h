// cli/usage.h: one shape for every argument problem the parser finds.
//
// Every bad flag, value, typo or missing subcommand prints one line on stderr,
// "faultline: bad usage: <command path>: <what is wrong>", and exits 2; help
// (for any command or group) prints that command's help and exits 0.
//
//   faultline ech          -> faultline: bad usage: unknown command 'ech' (did you mean 'echo'?)
//   ... faultline bench        -> faultline: bad usage: faultline bench: missing a subcommand (one
//   of: ...) faultline sim echo --seed -1
//                          -> faultline: bad usage: faultline sim echo: --seed: ...
//
//   try { app.parse(argc, argv); }
//   catch (const CLI::ParseError& e) { return report_parse_error(app, e); }
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

namespace faultline::cli {

// report_parse_error prints help (exit 0) or one bad-usage line (exit 2).
int report_parse_error(CLI::App& root, const CLI::ParseError& error);

// nearest_name returns the candidate a typo most likely meant ("" when none is
// close): a unique prefix match, else the one within a small edit distance.
std::string nearest_name(std::string_view typed, const std::vector<std::string>& candidates);

// whole_number_check (for Option::transform: it rewrites "010" as "10") accepts decimal digits only
// (no sign, no base prefix) for a value from min to max; CLI11's own unsigned conversion takes "-1"
// and overflowing numbers as the largest value.
CLI::Validator whole_number_check(std::uint64_t min, std::uint64_t max);

// check_every_seed adds whole_number_check(0, 2^64-1) to every --seed option
// of every command under `root`, wherever it was registered.
void check_every_seed(CLI::App& root);

}  // namespace faultline::cli
