#include "cli/flags.h"

#include <iostream>

namespace faultline::cli {

int usage_error(const net::Error& error) { return usage_error(error.message); }

int usage_error(std::string_view message) {
  std::cerr << "faultline: bad usage: " << message << "\n";
  return 2;
}

int runtime_error(const net::Error& error) {
  std::cerr << "faultline: error: " << error.to_string() << "\n";
  return 1;
}

}  // namespace faultline::cli
