// cli/flags.h: how subcommands report errors, in one place.
//
//   if (!address) return usage_error(address.error());   // exit 2, "faultline: invalid_argument:
//   ..." if (!reply) return runtime_error(reply.error());     // exit 1, "faultline: error:
//   timeout: ..."
#pragma once

#include <signal.h>

#include <string>
#include <string_view>

#include "targets/net/deadline.h"
#include "targets/net/error.h"

namespace faultline::cli {

// usage_error prints a bad flag or argument and returns exit status 2.
int usage_error(const net::Error& error);
int usage_error(std::string_view message);
// runtime_error prints a failed operation as one line naming its kind; returns 1.
int runtime_error(const net::Error& error);

// write_atomically writes `content` to `path` through a temporary file
// beside it and a rename, so a reader never sees half a file.
net::Status write_atomically(const std::string& path, const std::string& content);

// check_writable: an output path's directory exists and is writable and the
// path is not a directory, checked before any work so a bad path costs
// nothing; the error names the flag ("--junit '/no/dir/x.xml': no such
// directory '/no/dir'"). An empty path is fine (the output was not asked for).
net::Status check_writable(const std::string& flag, const std::string& path);

// positive_duration_flag parses a duration flag that must be more than zero;
// the error names the flag ("--timeout: duration '5x': unknown unit 'x' ...").
net::Result<net::Duration> positive_duration_flag(std::string_view flag, const std::string& text);

// block_shutdown_signals blocks SIGINT/SIGTERM in this thread, and so in every
// thread started after it, so a server command can sigwait() for them. Call it
// before starting the server's threads.
sigset_t block_shutdown_signals();

}  // namespace faultline::cli
