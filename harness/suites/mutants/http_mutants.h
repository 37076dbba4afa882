// harness/suites/mutants/http_mutants.h: known-bad HTTP clients.
//
// Each one is the reference session (targets/http/client) with one classic
// retry bug, to prove the HTTP-aware scenarios catch what byte faults cannot:
// no byte fault turns a response into a 503, so only http_fail/http_abort
// show how a client treats one.
//
//   no-retry       gives up on the first 503 (no retry policy at all)
//   retries-post   retries a non-idempotent POST after a 503 (it may run twice)
//
//   client::SessionOptions options = ...;
//   suites::apply_http_client_mutant("no-retry", options);
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "targets/http/client/session.h"

namespace faultline::suites {

// http_client_mutant_names: every in-tree HTTP client mutant, in order.
std::vector<std::string> http_client_mutant_names();

// apply_http_client_mutant: gives `options` the named mutant's bug; false for
// an unknown name ("reference" changes nothing and is true).
bool apply_http_client_mutant(std::string_view name, http::client::SessionOptions& options);

}  // namespace faultline::suites
