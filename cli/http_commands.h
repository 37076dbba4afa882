// cli/http_commands.h: the pieces of `faultline http`, one file each.
#pragma once

#include <CLI/CLI.hpp>

namespace faultline::cli {

// http serve (cli/http_serve_command.cpp).
void register_http_serve_command(CLI::App& http, int& exit_code);
// http get|post|put|patch|delete|head (cli/http_client_command.cpp).
void register_http_client_commands(CLI::App& http, int& exit_code);

}  // namespace faultline::cli
