#include "harness/suites/mutants/http_mutants.h"

namespace faultline::suites {

std::vector<std::string> http_client_mutant_names() {
  return {"no-retry", "retries-post"};
}

bool apply_http_client_mutant(std::string_view name, http::client::SessionOptions& options) {
  if (name == "reference") return true;
  if (name == "no-retry") {
    options.retry.max_retries = 0;
    return true;
  }
  if (name == "retries-post") {
    options.retry.retry_non_idempotent = true;
    return true;
  }
  return false;
}

}  // namespace faultline::suites
