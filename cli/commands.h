// cli/commands.h: each subcommand family registers itself on the root app.
//
// A register_* function adds its subcommands and their callbacks. A callback
// sets the process exit status through `exit_code` (0 success, 1 a failed run,
// 2 bad usage) and prints errors as one line naming their kind.
#pragma once

#include <CLI/CLI.hpp>

namespace faultline::cli {

void register_echo_commands(CLI::App& app, int& exit_code);
void register_http_commands(CLI::App& app, int& exit_code);
void register_proxy_command(CLI::App& app, int& exit_code);
void register_sim_command(CLI::App& app, int& exit_code);
void register_suite_command(CLI::App& app, int& exit_code);
void register_shrink_command(CLI::App& app, int& exit_code);
void register_fuzz_command(CLI::App& app, int& exit_code);
// add_fuzz_replay_command: `faultline fuzz replay`, on the `fuzz` subcommand.
void add_fuzz_replay_command(CLI::App& fuzz, int& exit_code);
void register_bench_command(CLI::App& app, int& exit_code);
void register_tls_command(CLI::App& app, int& exit_code);
void register_toxiproxy_command(CLI::App& app, int& exit_code);
void register_campaign_command(CLI::App& app, int& exit_code);
void register_ws_commands(CLI::App& app, int& exit_code);

}  // namespace faultline::cli
