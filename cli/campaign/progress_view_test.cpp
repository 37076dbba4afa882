// The campaign's progress: the block redrawn in place on a terminal, one
// "[job] line" per output line everywhere else.
#include "cli/campaign/progress_view.h"

#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace faultline::campaign {
namespace {

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    lines.push_back(line);
  return lines;
}

TEST(ProgressView, TheBlockOnlyOnATerminalThatMovesTheCursorAndWhenAskedFor) {
  EXPECT_TRUE(wants_live(true, true, "xterm-256color"));
  EXPECT_FALSE(wants_live(true, true, "dumb"));
  EXPECT_FALSE(wants_live(true, true, ""));
  EXPECT_FALSE(wants_live(true, true, nullptr));
  EXPECT_FALSE(wants_live(true, false, "xterm")) << "a pipe or a file";
  EXPECT_FALSE(wants_live(false, true, "xterm")) << "--no-live";
}

TEST(ProgressView, WithoutATerminalEveryLineIsStreamedWithItsJob) {
  std::ostringstream out;
  {
    ProgressView view(out, ProgressStyle{false, 100});
    view.add_job("suites", std::chrono::minutes(2));
    view.add_job("bench", std::chrono::minutes(1));
    view.message("campaign: suites");
    view.start("suites", std::chrono::minutes(2));
    view.line("suites", "echo-tcp/baseline ok");
    view.line("suites", "echo-tcp/slicer ok");
    view.tick();
    view.finish("suites", "passed");
  }
  EXPECT_EQ(out.str(),
            "campaign: suites\n[suites] echo-tcp/baseline ok\n[suites] echo-tcp/slicer ok\n");
  EXPECT_EQ(out.str().find('\033'), std::string::npos) << "no escape sequence in a log";
}

TEST(ProgressView, OnATerminalOneBlockOfEveryJobIsRedrawnInPlace) {
  std::ostringstream out;
  ProgressView view(out, ProgressStyle{true, 100});
  view.add_job("suites", std::chrono::minutes(2));
  view.add_job("fuzz", std::chrono::minutes(1));
  view.add_job("bench", std::chrono::seconds(90));
  view.start("suites", std::chrono::minutes(2));
  view.line("suites", "echo-tcp/baseline ok");
  view.line("suites", "echo-tcp/slicer\tok");
  view.tick();
  view.finish("suites", "passed");
  view.message("campaign: fuzzing");
  view.start("fuzz", std::chrono::minutes(1));
  view.close();
  const std::string text = out.str();
  // Each redraw goes back up over the three rows and clears them.
  EXPECT_NE(text.find("\033[3F\033[J"), std::string::npos) << text;
  EXPECT_EQ(text.find("[suites]"), std::string::npos) << "lines are not streamed";
  // A message is printed where the block was, and the block drawn below it.
  EXPECT_NE(text.find("\033[3F\033[Jcampaign: fuzzing\n\r\033[K"), std::string::npos) << text;
  // The last frame: every job with its state, budget and last line (a tab
  // shown as a space).
  const std::string last_frame = text.substr(text.rfind("\033[J") + 3);
  const auto rows = split_lines(last_frame);
  ASSERT_EQ(rows.size(), 3u) << last_frame;
  EXPECT_NE(rows[0].find("suites   passed"), std::string::npos) << rows[0];
  EXPECT_NE(rows[0].find("/ 2m00s"), std::string::npos) << rows[0];
  EXPECT_NE(rows[0].find("echo-tcp/slicer ok"), std::string::npos) << rows[0];
  EXPECT_NE(rows[1].find("fuzz     running"), std::string::npos) << rows[1];
  EXPECT_NE(rows[2].find("bench    waiting"), std::string::npos) << rows[2];
  EXPECT_NE(rows[2].find("/ 1m30s"), std::string::npos) << rows[2];
}

TEST(ProgressView, ARowNeverWrapsOnANarrowTerminal) {
  std::ostringstream out;
  ProgressView view(out, ProgressStyle{true, 40});
  view.start("fuzz", std::chrono::minutes(1));
  view.line("fuzz", std::string(200, 'x') + "\xc3\xa9");
  view.tick();
  const std::string text = out.str();
  const std::string last_frame = text.substr(text.rfind("\033[J") + 3);
  for (const std::string& row : split_lines(last_frame)) {
    const std::string shown = row.substr(row.rfind("\033[K") + 3);
    EXPECT_LT(shown.size(), 40u) << shown;
  }
}

}  // namespace
}  // namespace faultline::campaign
