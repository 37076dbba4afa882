#include "harness/suites/catalog.h"

#include <gtest/gtest.h>

#include <set>

#include "harness/fault/profile.h"

namespace faultline::suites {
namespace {

TEST(CatalogTest, EveryScenarioProfileParsesAndFitsItsTransport) {
  for (auto protocol : {Protocol::echo_tcp, Protocol::echo_udp, Protocol::http}) {
    for (const auto& scenario : catalog(protocol)) {
      auto profile = fault::parse_profile(scenario.profile);
      ASSERT_TRUE(profile) << scenario.name << ": " << profile.error().to_string();
      auto transport =
          protocol == Protocol::echo_udp ? fault::Transport::datagram : fault::Transport::stream;
      EXPECT_TRUE(profile->validate_for(transport)) << scenario.name;
    }
  }
}

TEST(CatalogTest, ScenarioNamesAreUniqueAndCarryTheirProtocol) {
  std::set<std::string> names;
  for (auto protocol : {Protocol::echo_tcp, Protocol::echo_udp, Protocol::http}) {
    for (const auto& scenario : catalog(protocol)) {
      EXPECT_TRUE(names.insert(scenario.name).second) << scenario.name;
      EXPECT_EQ(scenario.name.rfind(std::string(protocol_name(protocol)) + "/", 0), 0u)
          << scenario.name;
    }
  }
}

TEST(CatalogTest, CoversTheIssueFaultClasses) {
  std::set<std::string> names;
  for (auto protocol : {Protocol::echo_tcp, Protocol::echo_udp, Protocol::http}) {
    for (const auto& s : catalog(protocol))
      names.insert(s.name);
  }
  for (const char* required : {"echo-tcp/baseline",         "echo-tcp/slicer-1-byte",
                               "echo-tcp/latency",          "echo-tcp/bandwidth",
                               "echo-tcp/slow-reader",      "echo-tcp/stall",
                               "echo-tcp/reset-mid-stream", "echo-tcp/limit-data",
                               "echo-tcp/half-close",       "echo-tcp/refused",
                               "echo-tcp/blackhole",        "echo-tcp/isolation",
                               "echo-tcp/hygiene-resets",   "echo-udp/drop",
                               "echo-udp/duplicate",        "echo-udp/reorder",
                               "echo-udp/truncate",         "http/slow-headers",
                               "http/truncated-body",       "http/server-reset",
                               "http/stale-keepalive",      "http/slow-body"}) {
    EXPECT_TRUE(names.count(required)) << required;
  }
}

TEST(GlobTest, MatchesShellStyle) {
  EXPECT_TRUE(glob_match("*", "echo-tcp/baseline"));
  EXPECT_TRUE(glob_match("echo-tcp/*", "echo-tcp/baseline"));
  EXPECT_TRUE(glob_match("*/slicer-*", "echo-tcp/slicer-1-byte"));
  EXPECT_TRUE(
      glob_match("echo-?"
                 "?"
                 "?/baseline",
                 "echo-udp/baseline"));  // split: no trigraph
  EXPECT_FALSE(glob_match("echo-tcp/*", "echo-udp/baseline"));
  EXPECT_FALSE(glob_match("baseline", "echo-tcp/baseline"));
  EXPECT_TRUE(glob_match("", ""));
}

TEST(GlobTest, SelectTakesCommaSeparatedGlobs) {
  auto all = catalog(Protocol::echo_tcp);
  EXPECT_EQ(select(all, "").size(), all.size());
  auto picked = select(all, "echo-tcp/stall,echo-tcp/refused");
  ASSERT_EQ(picked.size(), 2u);
  EXPECT_EQ(picked[0].name, "echo-tcp/stall");
  EXPECT_TRUE(select(all, "nothing-matches").empty());
}

}  // namespace
}  // namespace faultline::suites
