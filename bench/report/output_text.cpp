// bench/report/output_text.cpp: the comparison as an aligned terminal table,
// optionally coloured; and format_value / format_ratio_change, which every
// output uses for numbers.
//
//   faultline bench compare: old.json vs new.json
//   metric real_time (lower is better); alpha 0.05, threshold 5%, 95% confidence
//   p-values adjusted for 3 comparisons (Holm)
//
//   benchmark    metric     old             new            change  interval          ...
//   BM_Parse/16  real_time  1.23 us ±0.012  1.38 us ±0.02  +12.3%  [+9.8%, +14.1%]   ...
#include <fmt/format.h>

#include <array>
#include <cmath>
#include <string>
#include <vector>

#include "bench/report/output.h"
#include "bench/report/output_format.h"

namespace faultline::bench {

std::string format_value(double value, std::string_view unit, std::string_view metric) {
  return output::scaled(value, output::value_scale(value, unit, metric));
}

std::string format_ratio_change(double ratio) {
  return output::percent_change(ratio);
}

namespace {

// The widest a benchmark name may make its column before its middle is cut.
constexpr std::size_t kMaxNameWidth = 48;

enum class Align { left, right };

// Painter: ANSI colours when asked for, nothing at all otherwise.
class Painter {
 public:
  explicit Painter(bool color) : color_(color) {}

  std::string paint(std::string_view text, std::string_view code) const {
    if (!color_ || code.empty()) return std::string(text);
    return fmt::format("\x1b[{}m{}\x1b[0m", code, text);
  }
  std::string bold(std::string_view text) const { return paint(text, "1"); }
  std::string dim(std::string_view text) const { return paint(text, "2"); }
  std::string verdict(std::string_view text, Verdict verdict) const {
    switch (verdict) {
      case Verdict::regressed:
        return paint(text, "1;31");
      case Verdict::improved:
        return paint(text, "1;32");
      case Verdict::inconclusive:
        return paint(text, "33");
      case Verdict::unchanged:
        break;
    }
    return std::string(text);
  }

 private:
  bool color_;
};

// pad: `text` padded to `width` columns; padding is added outside any
// colour so escapes never count towards the width.
std::string pad(std::string_view plain, std::string_view painted, std::size_t width, Align align) {
  const std::size_t have = output::display_width(plain);
  const std::string spaces(width > have ? width - have : 0, ' ');
  return align == Align::left ? std::string(painted) + spaces : spaces + std::string(painted);
}

struct Column {
  std::string_view title;
  Align align;
};

constexpr std::array kColumns = {
    Column{"benchmark", Align::left},  Column{"metric", Align::left},
    Column{"old", Align::right},       Column{"new", Align::right},
    Column{"change", Align::right},    Column{"interval", Align::left},
    Column{"p", Align::right},         Column{"p adj", Align::right},
    Column{"n old/new", Align::right}, Column{"verdict", Align::left},
};

using Cells = std::array<std::string, kColumns.size()>;

Cells row_cells(const Comparison& row, std::size_t name_width) {
  std::string change = std::isfinite(row.ratio) ? output::percent_change(row.ratio) : "n/a";
  std::string interval = output::ratio_interval_text(row);
  if (interval.empty() && std::isfinite(row.ratio)) interval = "(no interval)";
  return {
      output::truncate_middle(output::printable(row.name), name_width),
      output::printable(row.metric),
      output::format_median(row.old_median, row.old_median_interval, row.unit, row.metric),
      output::format_median(row.new_median, row.new_median_interval, row.unit, row.metric),
      std::move(change),
      std::move(interval),
      output::format_p(row.p_value),
      output::format_p(row.p_adjusted),
      output::sample_counts(row),
      std::string(verdict_name(row.verdict)),
  };
}

void append_list(std::string& out, const Painter& painter, std::string_view title,
                 const std::vector<std::string>& items) {
  if (items.empty()) return;
  out += painter.bold(title) + "\n";
  for (const std::string& item : items)
    out += "  " + output::printable(item) + "\n";
}

}  // namespace

std::string render_text(const ComparisonReport& report, const TextOptions& options) {
  const Painter painter(options.color);
  std::string out;

  out += painter.bold(fmt::format("faultline bench compare: {} vs {}",
                                  output::printable(report.old_label),
                                  output::printable(report.new_label))) +
         "\n";
  out += fmt::format("metric {}; {}\n", output::metrics_sentence(report),
                     output::settings_sentence(report));
  out += output::multiple_comparisons_sentence(report) + "\n";

  if (!report.context_differences.empty()) {
    out += painter.bold("context differences (old vs new):") + "\n";
    for (const ContextDifference& difference : report.context_differences) {
      out += fmt::format("  {}: {} vs {}\n", output::printable(difference.field),
                         output::printable(difference.old_value),
                         output::printable(difference.new_value));
    }
  }
  if (!report.warnings.empty()) {
    out += painter.paint("warnings:", "1;33") + "\n";
    for (const std::string& warning : report.warnings) {
      out += "  " + painter.paint(output::printable(warning), "33") + "\n";
    }
  }
  append_list(out, painter, "notes:", report.notes);
  out += "\n";

  if (report.rows.empty()) {
    out += "no benchmarks compared\n";
  } else {
    std::size_t name_width = kColumns[0].title.size();
    for (const Comparison& row : report.rows) {
      name_width = std::max(name_width, output::display_width(output::printable(row.name)));
    }
    name_width = std::min(name_width, kMaxNameWidth);

    std::vector<Cells> cells;
    cells.reserve(report.rows.size());
    std::array<std::size_t, kColumns.size()> widths{};
    for (std::size_t c = 0; c < kColumns.size(); ++c)
      widths[c] = kColumns[c].title.size();
    for (const Comparison& row : report.rows) {
      cells.push_back(row_cells(row, name_width));
      for (std::size_t c = 0; c < kColumns.size(); ++c) {
        widths[c] = std::max(widths[c], output::display_width(cells.back()[c]));
      }
    }

    std::string header;
    std::size_t total_width = 0;
    for (std::size_t c = 0; c < kColumns.size(); ++c) {
      if (c > 0) header += "  ";
      const bool last = c + 1 == kColumns.size();
      header += last ? std::string(kColumns[c].title)
                     : pad(kColumns[c].title, kColumns[c].title, widths[c], kColumns[c].align);
      total_width += widths[c] + (c > 0 ? 2 : 0);
    }
    out += painter.bold(header) + "\n" + std::string(total_width, '-') + "\n";

    for (std::size_t r = 0; r < report.rows.size(); ++r) {
      const Comparison& row = report.rows[r];
      std::string line;
      for (std::size_t c = 0; c < kColumns.size(); ++c) {
        if (c > 0) line += "  ";
        const std::string& text = cells[r][c];
        const bool last = c + 1 == kColumns.size();
        const std::string painted = last ? painter.verdict(text, row.verdict) : text;
        line += last ? painted : pad(text, painted, widths[c], kColumns[c].align);
      }
      out += line + "\n";
      for (const std::string& note : output::row_notes(row, report)) {
        out += painter.dim("    note: " + note) + "\n";
      }
    }
  }

  out += "\n";
  append_list(out, painter, fmt::format("added (new only, {}):", report.added.size()),
              report.added);
  append_list(out, painter, fmt::format("removed (old only, {}):", report.removed.size()),
              report.removed);
  for (const GeomeanSummary& geomean : report.geomeans) {
    out += output::geomean_sentence(geomean) + "\n";
  }

  std::string counts;
  for (Verdict verdict : output::kVerdicts) {
    if (!counts.empty()) counts += ", ";
    const std::size_t n = report.count(verdict);
    const std::string text = fmt::format("{} {}", n, verdict_name(verdict));
    counts += n > 0 ? painter.verdict(text, verdict) : text;
  }
  out += painter.bold("verdicts: ") + counts + "\n";
  out += output::gate_sentence(report) + "\n";
  return out;
}

net::Result<std::string> render_format(const ComparisonReport& report, std::string_view format,
                                       bool color) {
  if (format == "text") return render_text(report, {.color = color});
  if (format == "md" || format == "markdown") return render_markdown(report);
  if (format == "json") return render_json(report);
  if (format == "junit") return render_junit(report);
  if (format == "html") return render_html(report);
  return net::make_error(
      net::ErrorKind::invalid_argument,
      "--format '" + std::string(format) + "': expected text, md, json, junit or html");
}

}  // namespace faultline::bench
