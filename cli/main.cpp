// cli/main.cpp: the `faultline` command.
#include <csignal>
#include <exception>
#include <iostream>

#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "cli/usage.h"

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);
  CLI::App app{
      "faultline: a networking test and fuzzing harness.\n"
      "Reference echo, HTTP and WebSocket targets, fault-injecting proxies, failure-mode suites,\n"
      "fuzz campaigns and benchmark comparison.",
      "faultline"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "faultline 0.1.0");
  int exit_code = 0;
  faultline::cli::register_echo_commands(app, exit_code);
  faultline::cli::register_http_commands(app, exit_code);
  faultline::cli::register_proxy_command(app, exit_code);
  faultline::cli::register_sim_command(app, exit_code);
  faultline::cli::register_suite_command(app, exit_code);
  faultline::cli::register_shrink_command(app, exit_code);
  faultline::cli::register_fuzz_command(app, exit_code);
  faultline::cli::register_bench_command(app, exit_code);
  faultline::cli::register_tls_command(app, exit_code);
  faultline::cli::register_toxiproxy_command(app, exit_code);
  faultline::cli::register_campaign_command(app, exit_code);
  faultline::cli::register_ws_commands(app, exit_code);
  faultline::cli::check_every_seed(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version end here with 0; every other parse error is bad
    // usage, exit status 2 like the subcommands' own checks.
    return faultline::cli::report_parse_error(app, e);
  } catch (const std::exception& e) {
    std::cerr << "faultline: error: " << e.what() << "\n";
    return 1;
  }
  return exit_code;
}
