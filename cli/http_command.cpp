// cli/http_command.cpp: `faultline http ...` (added with the HTTP targets).
#include "cli/commands.h"

namespace faultline::cli {

void register_http_commands(CLI::App&, int&) {}

}  // namespace faultline::cli
