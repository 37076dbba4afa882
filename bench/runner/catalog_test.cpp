#include "bench/runner/catalog.h"

#include <gtest/gtest.h>

#include <fstream>

namespace faultline::bench::runner {
namespace {

namespace fs = std::filesystem;

struct BannerCase {
  const char* text;
  const char* summary;
};

class BannerSummaryTest : public testing::TestWithParam<BannerCase> {};

TEST_P(BannerSummaryTest, TakesTheFirstSentenceAfterThePath) {
  EXPECT_EQ(banner_summary(GetParam().text), GetParam().summary);
}

INSTANTIATE_TEST_SUITE_P(
    Banners, BannerSummaryTest,
    testing::Values(
        BannerCase{"// bench/echo_bench.cpp: echo round trips per second on loopback.\n//\n"
                   "// Peers in one run\n#include <x>\n",
                   "echo round trips per second on loopback."},
        BannerCase{"// bench/a_bench.cpp: our wrapper against raw llhttp, on the\n// same bytes. "
                   "More words.\n",
                   "our wrapper against raw llhttp, on the same bytes."},
        BannerCase{"// bench/p_bench.cpp: what the proxy costs, and what the\n// simulator "
                   "delivers.\n//\n// Peers\n",
                   "what the proxy costs, and what the simulator delivers."},
        BannerCase{"#include <benchmark/benchmark.h>\n// not a banner.\n", ""},
        BannerCase{"// Throughput: of the thing.\n", "Throughput: of the thing."}));

class CatalogTreeTest : public testing::Test {
 protected:
  void SetUp() override {
    root_ =
        fs::temp_directory_path() /
        ("bench_catalog_test_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
         "_" + testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_ / "bench");
    write("bench/zeta_bench.cpp", "// bench/zeta_bench.cpp: zeta per second.\n");
    write("bench/alpha_bench.cpp", "// bench/alpha_bench.cpp: alpha latency.\n");
    write("bench/helper.cpp", "// not a benchmark\n");
  }
  void TearDown() override { fs::remove_all(root_); }
  void write(const std::string& relative, const std::string& text) {
    std::ofstream(root_ / relative) << text;
  }
  fs::path root_;
};

TEST_F(CatalogTreeTest, ListsBenchSourcesSortedWithSummaries) {
  const auto binaries = list_binaries(root_);
  ASSERT_EQ(binaries.size(), 2u);
  EXPECT_EQ(binaries[0].name, "alpha_bench");
  EXPECT_EQ(binaries[0].short_name, "alpha");
  EXPECT_EQ(binaries[0].summary, "alpha latency.");
  EXPECT_EQ(binaries[1].name, "zeta_bench");
  EXPECT_EQ(binary_path("/b", binaries[1]), fs::path("/b/bench/zeta_bench"));
}

TEST_F(CatalogTreeTest, ResolvesShortAndFullNamesOnce) {
  const auto binaries = list_binaries(root_);
  auto chosen = resolve_binaries(binaries, {"zeta", "alpha_bench", "zeta_bench"});
  ASSERT_TRUE(chosen) << chosen.error().message;
  ASSERT_EQ(chosen->size(), 2u);
  EXPECT_EQ((*chosen)[0].name, "zeta_bench");
  EXPECT_EQ((*chosen)[1].name, "alpha_bench");
}

TEST_F(CatalogTreeTest, UnknownNameListsTheValidOnes) {
  auto chosen = resolve_binaries(list_binaries(root_), {"gamma"});
  ASSERT_FALSE(chosen);
  EXPECT_EQ(chosen.error().kind, net::ErrorKind::invalid_argument);
  EXPECT_NE(chosen.error().message.find("'gamma'"), std::string::npos);
  EXPECT_NE(chosen.error().message.find("alpha_bench, zeta_bench"), std::string::npos);
}

TEST(CatalogSourceTree, EveryBenchBinaryHasASummary) {
  const auto binaries = list_binaries(FAULTLINE_TEST_SOURCE_DIR);
  EXPECT_GE(binaries.size(), 5u);
  for (const BenchBinary& binary : binaries)
    EXPECT_FALSE(binary.summary.empty()) << binary.name;
}

}  // namespace
}  // namespace faultline::bench::runner
