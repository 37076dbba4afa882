#include "fuzz/campaign/catalog.h"

#include <gtest/gtest.h>

#include <fstream>

namespace faultline::fuzz {
namespace {

namespace fs = std::filesystem;

// A throwaway source tree with two fuzzers.
class CatalogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("faultline-catalog-test-" +
             std::to_string(::testing::UnitTest::GetInstance()->random_seed()));
    fs::create_directories(root_ / "fuzz");
    write("CMakePresets.json", "{}");
    write("fuzz/standalone_driver.cpp", "");
    write("fuzz/url_fuzzer.cpp",
          "// fuzz/url_fuzzer.cpp: URLs through parse and compose. More words.\n"
          "// Dictionary: corpus/dict/http.dict\n#include <x>\n");
    write("fuzz/fault_spec_fuzzer.cpp",
          "// fuzz/fault_spec_fuzzer.cpp: the fault profile\n"
          "// language, round trips.\n");
    write("fuzz/helper.cpp", "// not a fuzzer\n");
  }
  void TearDown() override { fs::remove_all(root_); }
  void write(const std::string& relative, const std::string& text) {
    std::ofstream(root_ / relative) << text;
  }
  fs::path root_;
};

TEST_F(CatalogTest, FindsTheTreeFromInside) {
  EXPECT_EQ(find_source_dir(root_ / "fuzz"), root_);
  EXPECT_FALSE(find_source_dir(fs::temp_directory_path() / "no-such-faultline-dir"));
}

TEST_F(CatalogTest, ListsFuzzersWithSummaryAndDictionary) {
  const auto targets = list_targets(root_);
  ASSERT_EQ(targets.size(), 2u);
  EXPECT_EQ(targets[0].name, "fault_spec_fuzzer");
  EXPECT_EQ(targets[0].summary, "the fault profile language, round trips.");
  EXPECT_TRUE(targets[0].dictionary.empty());
  EXPECT_EQ(targets[1].short_name, "url");
  EXPECT_EQ(targets[1].summary, "URLs through parse and compose.");
  EXPECT_EQ(targets[1].dictionary, root_ / "corpus/dict/http.dict");
  EXPECT_EQ(targets[1].seeds, root_ / "corpus/url");
}

TEST_F(CatalogTest, ResolvesNamesWithOrWithoutSuffix) {
  const auto targets = list_targets(root_);
  EXPECT_EQ(resolve_target(targets, "url")->name, "url_fuzzer");
  EXPECT_EQ(resolve_target(targets, "url_fuzzer")->name, "url_fuzzer");
  const auto missing = resolve_target(targets, "nope");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, net::ErrorKind::invalid_argument);
  EXPECT_NE(missing.error().message.find("fault_spec, url"), std::string::npos);
}

}  // namespace
}  // namespace faultline::fuzz
