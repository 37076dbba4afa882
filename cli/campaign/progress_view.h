// cli/campaign/progress_view.h: what a campaign prints while its jobs run.
// On a terminal, a status block of every job redrawn in place:
//
//   suites   passed     1m02s / 9m00s  12 passed, 0 failed
//   fuzz     running      41s / 3m00s  #52113 cov: 811 ft: 2204 corp: 140
//   bench    waiting          / 3m00s
//
// Elsewhere (a pipe, a CI log, TERM=dumb, --no-live), one "[job] line" per
// line a job writes, as a log wants it. Every job's whole output also goes to
// its log file, so the block loses nothing by showing one line per job.
//
//   campaign::ProgressView view(std::cout, campaign::progress_style(config.live, STDOUT_FILENO));
//   view.add_job("suites", budget);
//   view.start("suites", budget);
//   view.line("suites", "echo-tcp/baseline ... ok");
//   view.tick();                 // redraws the block (live) after a batch of lines
//   view.finish("suites", "passed");
#pragma once

#include <chrono>
#include <ostream>
#include <string>
#include <vector>

#include "targets/net/deadline.h"

namespace faultline::campaign {

// ProgressStyle: the block, or the line stream.
struct ProgressStyle {
  bool live = false;
  int width = 100;  // the terminal's columns: a longer row would wrap and break the redraw
};

// wants_live: the block only when asked for (config live), on a terminal,
// and with a TERM that moves the cursor.
bool wants_live(bool configured, bool terminal, const char* term);

// progress_style: the style for output on `fd` (its width from the terminal).
ProgressStyle progress_style(bool configured, int fd);

// ProgressView: see the file comment.
class ProgressView {
 public:
  using Clock = std::chrono::steady_clock;

  ProgressView(std::ostream& out, ProgressStyle style);
  ProgressView(const ProgressView&) = delete;
  ProgressView& operator=(const ProgressView&) = delete;
  ~ProgressView();

  // add_job lists a job as waiting, with the share of the budget planned for it.
  void add_job(const std::string& job, net::Duration budget);
  // start marks a job running from now, with its budget as it starts.
  void start(const std::string& job, net::Duration budget);
  // line: a line of a job's output.
  void line(const std::string& job, const std::string& text);
  // finish marks a job ended with its status (passed, failed, timed_out...).
  void finish(const std::string& job, const std::string& status);
  // message: a line of the campaign's own, above the block.
  void message(const std::string& text);
  // tick redraws the block (elapsed times, last lines); nothing in line mode.
  void tick();
  // close leaves the block as last drawn and moves below it.
  void close();

  bool live() const { return style_.live; }

 private:
  struct Row {
    std::string job;
    std::string state = "waiting";
    net::Duration budget{0};
    Clock::time_point started{};
    Clock::time_point ended{};
    std::string last_line;
  };
  Row* find(const std::string& job);
  std::string render(const Row& row, Clock::time_point now) const;
  void erase_block();
  void draw_block();

  std::ostream& out_;
  ProgressStyle style_;
  std::vector<Row> rows_;
  int drawn_ = 0;  // rows of the block on screen, below the cursor's line start
  bool closed_ = false;
};

}  // namespace faultline::campaign
