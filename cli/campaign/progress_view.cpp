#include "cli/campaign/progress_view.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <string_view>
#include <utility>

#include <fmt/format.h>

namespace faultline::campaign {
namespace {

// clock_text: "41s", "1m02s", "1h05m".
std::string clock_text(net::Duration d) {
  const long long s =
      std::max<long long>(0, std::chrono::duration_cast<std::chrono::seconds>(d).count());
  if (s < 60) return fmt::format("{}s", s);
  if (s < 3600) return fmt::format("{}m{:02}s", s / 60, s % 60);
  return fmt::format("{}h{:02}m", s / 3600, (s % 3600) / 60);
}

// printable: one row's text: control characters (a child's \r, escape
// sequences) become spaces, and it is cut to `width` characters so the row
// never wraps (a UTF-8 sequence counts as one character and is kept whole).
std::string printable(std::string_view text, std::size_t width) {
  std::string out;
  std::size_t shown = 0;
  for (std::size_t i = 0; i < text.size();) {
    const auto byte = static_cast<unsigned char>(text[i]);
    std::size_t length = 1;
    if (byte >= 0xF0) {
      length = 4;
    } else if (byte >= 0xE0) {
      length = 3;
    } else if (byte >= 0xC0) {
      length = 2;
    }
    if (i + length > text.size()) break;
    if (shown + 1 > width) break;
    if (byte < 0x20 || byte == 0x7F) {
      out += ' ';
    } else {
      out.append(text.substr(i, length));
    }
    ++shown;
    i += length;
  }
  while (!out.empty() && out.back() == ' ')
    out.pop_back();
  return out;
}

}  // namespace

bool wants_live(bool configured, bool terminal, const char* term) {
  if (!configured || !terminal || term == nullptr) return false;
  const std::string_view name(term);
  return !name.empty() && name != "dumb";
}

ProgressStyle progress_style(bool configured, int fd) {
  ProgressStyle style;
  style.live = wants_live(configured, ::isatty(fd) != 0, std::getenv("TERM"));
  winsize size{};
  if (style.live && ::ioctl(fd, TIOCGWINSZ, &size) == 0 && size.ws_col >= 20) {
    style.width = size.ws_col;
  }
  return style;
}

ProgressView::ProgressView(std::ostream& out, ProgressStyle style) : out_(out), style_(style) {
  style_.width = std::clamp(style_.width, 20, 1000);
}

ProgressView::~ProgressView() {
  close();
}

ProgressView::Row* ProgressView::find(const std::string& job) {
  for (Row& row : rows_) {
    if (row.job == job) return &row;
  }
  Row row;
  row.job = job;
  rows_.push_back(std::move(row));
  return &rows_.back();
}

void ProgressView::add_job(const std::string& job, net::Duration budget) {
  find(job)->budget = budget;
  tick();
}

void ProgressView::start(const std::string& job, net::Duration budget) {
  Row* row = find(job);
  row->state = "running";
  row->budget = budget;
  row->started = Clock::now();
  tick();
}

void ProgressView::line(const std::string& job, const std::string& text) {
  if (!style_.live) {
    out_ << "[" << job << "] " << text << '\n';
    return;
  }
  if (!text.empty()) find(job)->last_line = text;
}

void ProgressView::finish(const std::string& job, const std::string& status) {
  Row* row = find(job);
  row->state = status;
  row->ended = Clock::now();
  if (row->started == Clock::time_point{}) row->started = row->ended;
  tick();
}

void ProgressView::message(const std::string& text) {
  if (!style_.live || closed_) {
    out_ << text << '\n';
    out_.flush();
    return;
  }
  erase_block();
  out_ << printable(text, static_cast<std::size_t>(style_.width)) << '\n';
  draw_block();
}

void ProgressView::tick() {
  if (!style_.live) {
    out_.flush();
    return;
  }
  if (closed_) return;
  erase_block();
  draw_block();
}

void ProgressView::close() {
  if (closed_) return;
  closed_ = true;
  out_.flush();
}

std::string ProgressView::render(const Row& row, Clock::time_point now) const {
  std::string elapsed;
  if (row.state != "waiting") {
    const auto until = row.state == "running" ? now : row.ended;
    elapsed = clock_text(std::chrono::duration_cast<net::Duration>(until - row.started));
  }
  const std::string text = fmt::format("{:<8} {:<10} {:>6} / {:<6}  {}", row.job, row.state,
                                       elapsed, clock_text(row.budget), row.last_line);
  return printable(text, static_cast<std::size_t>(style_.width - 1));
}

void ProgressView::erase_block() {
  // Up to the block's first row, and clear from there to the screen's end.
  if (drawn_ > 0) out_ << "\033[" << drawn_ << "F\033[J";
  drawn_ = 0;
}

void ProgressView::draw_block() {
  if (closed_) return;
  const auto now = Clock::now();
  for (const Row& row : rows_)
    out_ << "\r\033[K" << render(row, now) << '\n';
  drawn_ = static_cast<int>(rows_.size());
  out_.flush();
}

}  // namespace faultline::campaign
