// cli/flags.h: how subcommands report errors, in one place.
//
//   if (!address) return usage_error(address.error());   // exit 2, "faultline: invalid_argument: ..."
//   if (!reply) return runtime_error(reply.error());     // exit 1, "faultline: error: timeout: ..."
#pragma once

#include <string_view>

#include "targets/net/error.h"

namespace faultline::cli {

// usage_error prints a bad flag or argument and returns exit status 2.
int usage_error(const net::Error& error);
int usage_error(std::string_view message);
// runtime_error prints a failed operation as one line naming its kind; returns 1.
int runtime_error(const net::Error& error);

}  // namespace faultline::cli
