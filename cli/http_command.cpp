// cli/http_command.cpp: `faultline http ...`: the reference server (serve) and
// the requests-like client (get, post, put, patch, delete, head).
#include "cli/commands.h"
#include "cli/http_commands.h"

namespace faultline::cli {

void register_http_commands(CLI::App& app, int& exit_code) {
  auto* http = app.add_subcommand(
      "http", "HTTP/1.1 targets: the reference server and the requests-like client");
  http->require_subcommand(1);
  register_http_serve_command(*http, exit_code);
  register_http_client_commands(*http, exit_code);
}

}  // namespace faultline::cli
