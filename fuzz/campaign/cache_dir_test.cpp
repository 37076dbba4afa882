// cache_dir: the variable, else XDG_CACHE_HOME, else HOME; an empty
// variable is as good as unset.
#include "fuzz/campaign/cache_dir.h"

#include <cstdlib>
#include <optional>
#include <string>

#include <gtest/gtest.h>

namespace faultline::fuzz {
namespace {

// ScopedVariable sets (or unsets, with nullopt) a variable for one test.
class ScopedVariable {
 public:
  ScopedVariable(const char* name, std::optional<std::string> value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value) {
      ::setenv(name, value->c_str(), 1);
    } else {
      ::unsetenv(name);
    }
  }
  ~ScopedVariable() {
    if (old_) {
      ::setenv(name_, old_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }
  ScopedVariable(const ScopedVariable&) = delete;
  ScopedVariable& operator=(const ScopedVariable&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

TEST(CacheDir, TheVariableWinsWhenSet) {
  ScopedVariable dir("FAULTLINE_TEST_CACHE_DIR", "/srv/store");
  ScopedVariable cache("XDG_CACHE_HOME", "/xdg");
  EXPECT_EQ(cache_dir("FAULTLINE_TEST_CACHE_DIR", "bench"), "/srv/store");
}

TEST(CacheDir, AnEmptyVariableCountsAsUnset) {
  ScopedVariable dir("FAULTLINE_TEST_CACHE_DIR", "");
  ScopedVariable cache("XDG_CACHE_HOME", "");
  ScopedVariable home("HOME", "/home/user");
  EXPECT_EQ(cache_dir("FAULTLINE_TEST_CACHE_DIR", "campaigns"),
            "/home/user/.cache/faultline/campaigns");
}

TEST(CacheDir, XdgCacheHomeComesBeforeHome) {
  ScopedVariable dir("FAULTLINE_TEST_CACHE_DIR", std::nullopt);
  ScopedVariable cache("XDG_CACHE_HOME", "/xdg");
  ScopedVariable home("HOME", "/home/user");
  EXPECT_EQ(cache_dir("FAULTLINE_TEST_CACHE_DIR", "fuzz"), "/xdg/faultline/fuzz");
}

TEST(CacheDir, NoHomeFallsBackToTmp) {
  ScopedVariable dir("FAULTLINE_TEST_CACHE_DIR", std::nullopt);
  ScopedVariable cache("XDG_CACHE_HOME", std::nullopt);
  ScopedVariable home("HOME", std::nullopt);
  EXPECT_EQ(cache_dir("FAULTLINE_TEST_CACHE_DIR", "bench"), "/tmp/.cache/faultline/bench");
}

}  // namespace
}  // namespace faultline::fuzz
