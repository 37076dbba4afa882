// cli/http_client_command.cpp: `faultline http get|post|...` (in progress).
#include "cli/http_commands.h"

namespace faultline::cli {

void register_http_client_commands(CLI::App&, int&) {}

}  // namespace faultline::cli
