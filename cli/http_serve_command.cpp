// cli/http_serve_command.cpp: `faultline http serve` (in progress).
#include "cli/http_commands.h"

namespace faultline::cli {

void register_http_serve_command(CLI::App&, int&) {}

}  // namespace faultline::cli
