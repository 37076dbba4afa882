// cli/profile_flags.h: fault profiles from command-line flags.
//
//   auto profile = load_profile({"latency delay=5ms", "slicer max=8B"}, "",
//   fault::Transport::stream);
#pragma once

#include <string>
#include <vector>

#include "harness/fault/profile.h"
#include "targets/net/error.h"

namespace faultline::cli {

// load_profile joins a profile file (if any) and --fault clauses into one
// profile, validated for the transport.
net::Result<fault::Profile> load_profile(const std::vector<std::string>& faults,
                                         const std::string& profile_file,
                                         fault::Transport transport);

}  // namespace faultline::cli
