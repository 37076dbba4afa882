#include "fuzz/campaign/cache_dir.h"

#include <cstdlib>

namespace faultline::fuzz {
namespace {

const char* set_variable(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? value : nullptr;
}

}  // namespace

std::filesystem::path cache_dir(const char* env, std::string_view name) {
  if (const char* dir = set_variable(env)) return dir;
  if (const char* cache = set_variable("XDG_CACHE_HOME"))
    return std::filesystem::path(cache) / "faultline" / name;
  const char* home = set_variable("HOME");
  return std::filesystem::path(home != nullptr ? home : "/tmp") / ".cache" / "faultline" / name;
}

}  // namespace faultline::fuzz
