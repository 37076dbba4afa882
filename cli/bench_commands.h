// cli/bench_commands.h: `faultline bench`: its subcommands live in two files.
//
//   bench_command.cpp       `bench` itself and `bench compare` (bench/report)
//   bench_run_command.cpp   `bench list`, `bench run`, `bench ab`, `bench history`
//                           (bench/runner)
#pragma once

#include <CLI/CLI.hpp>

namespace faultline::cli {

// add_bench_compare_command adds `compare` under `bench`.
void add_bench_compare_command(CLI::App* bench, int& exit_code);

// add_bench_run_commands adds `list`, `run`, `ab` and `history` under `bench`.
void add_bench_run_commands(CLI::App* bench, int& exit_code);

}  // namespace faultline::cli
