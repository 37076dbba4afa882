#include "bench/runner/manifest.h"

#include <gtest/gtest.h>

#include <fstream>

namespace faultline::bench::runner {
namespace {

namespace fs = std::filesystem;

Manifest sample_manifest() {
  Manifest m;
  m.context.commit = "0123456789abcdef0123456789abcdef01234567";
  m.context.dirty = true;
  m.context.build_type = "Release";
  m.context.host = "box";
  m.context.cpu_count = 2;
  m.context.load_avg = {0.5, 0.25, 0.125};
  m.context.cpu_governor = "performance";
  m.context.started = "2024-05-01T12:00:00Z";
  m.command = "faultline bench run echo";
  m.files = {{"echo_bench.round0.json", 0, "echo_bench"},
             {"echo_bench.round1.json", 1, "echo_bench"}};
  return m;
}

TEST(ManifestJson, HasTheShapeTheReportReaderReads) {
  const nlohmann::json json = manifest_json(sample_manifest());
  EXPECT_EQ(json["faultline_manifest"], 1);
  EXPECT_EQ(json["commit"], "0123456789abcdef0123456789abcdef01234567");
  EXPECT_EQ(json["dirty"], true);
  EXPECT_EQ(json["build_type"], "Release");
  EXPECT_EQ(json["host"], "box");
  ASSERT_EQ(json["files"].size(), 2u);
  EXPECT_EQ(json["files"][1]["file"], "echo_bench.round1.json");
  EXPECT_EQ(json["files"][1]["round"], 1);
  EXPECT_EQ(json["files"][1]["binary"], "echo_bench");
  EXPECT_EQ(json["load_avg"][0], 0.5);
  EXPECT_EQ(json["cpu_governor"], "performance");
  EXPECT_EQ(json["metric"], "time");
  EXPECT_FALSE(json.contains("half"));
}

TEST(ManifestJson, NamesTheHalfAndRevisionOfAnAbRun) {
  Manifest m = sample_manifest();
  m.half = "b";
  m.revision = "HEAD~1";
  const nlohmann::json json = manifest_json(m);
  EXPECT_EQ(json["half"], "b");
  EXPECT_EQ(json["revision"], "HEAD~1");
}

TEST(WriteManifest, WritesManifestJsonThatParsesBack) {
  const fs::path dir = fs::temp_directory_path() / "bench_manifest_test_write";
  fs::remove_all(dir);
  ASSERT_TRUE(write_manifest(dir / "nested", sample_manifest()));
  std::ifstream in(dir / "nested" / "manifest.json");
  const nlohmann::json json = nlohmann::json::parse(in, nullptr, false);
  ASSERT_FALSE(json.is_discarded());
  EXPECT_EQ(json, manifest_json(sample_manifest()));
  fs::remove_all(dir);
}

TEST(ReadBuildType, FindsTheCacheEntry) {
  EXPECT_EQ(read_build_type("# comment\nCMAKE_AR:FILEPATH=/usr/bin/ar\n"
                            "CMAKE_BUILD_TYPE:STRING=Release\nX:BOOL=ON\n"),
            "Release");
  EXPECT_EQ(read_build_type("X:BOOL=ON\n"), "");
}

TEST(CollectContext, DescribesThisMachineAndTree) {
  const MachineContext c = collect_context(FAULTLINE_TEST_SOURCE_DIR, "/nonexistent-build");
  EXPECT_FALSE(c.host.empty());
  EXPECT_GT(c.cpu_count, 0);
  EXPECT_EQ(c.load_avg.size(), 3u);
  EXPECT_EQ(c.build_type, "");
  EXPECT_EQ(c.started.size(), 20u);
}

}  // namespace
}  // namespace faultline::bench::runner
