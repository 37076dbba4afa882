#include "bench/runner/history.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

#include <fmt/core.h>

#include "bench/report/output.h"
#include "fuzz/campaign/cache_dir.h"

namespace faultline::bench::runner {

namespace fs = std::filesystem;

namespace {

// relative_mad: median absolute deviation over the median.
double relative_mad(std::span<const double> values) {
  const double center = median_of({values.begin(), values.end()});
  std::vector<double> deviations;
  for (double v : values)
    deviations.push_back(std::abs(v - center));
  return center != 0 ? median_of(std::move(deviations)) / std::abs(center) : 0;
}

std::string short_commit(const std::string& commit) {
  return commit.substr(0, std::min<std::size_t>(commit.size(), 10));
}

std::string point_label(const SeriesPoint& point) {
  return (point.commit.empty() ? std::string("(no commit)") : short_commit(point.commit)) +
         (point.dirty ? "+dirty" : "");
}

}  // namespace

nlohmann::json entry_json(const HistoryEntry& entry) {
  nlohmann::json points = nlohmann::json::array();
  for (const HistoryPoint& p : entry.points) {
    points.push_back({{"benchmark", p.benchmark},
                      {"metric", p.metric},
                      {"unit", p.unit},
                      {"median", p.median},
                      {"n", p.n}});
  }
  return {
      {"commit", entry.commit}, {"dirty", entry.dirty},           {"time", entry.time},
      {"host", entry.host},     {"build_type", entry.build_type}, {"run_metric", entry.run_metric},
      {"benchmarks", points}};
}

net::Result<HistoryEntry> parse_entry(std::string_view line) {
  const nlohmann::json json = nlohmann::json::parse(line, nullptr, false);
  if (json.is_discarded() || !json.is_object() || !json.contains("benchmarks") ||
      !json["benchmarks"].is_array()) {
    return net::make_error(net::ErrorKind::bad_data, "not a history entry");
  }
  HistoryEntry entry;
  entry.commit = json.value("commit", "");
  entry.dirty = json.value("dirty", false);
  entry.time = json.value("time", "");
  entry.host = json.value("host", "");
  entry.build_type = json.value("build_type", "");
  entry.run_metric = json.value("run_metric", "time");
  for (const nlohmann::json& p : json["benchmarks"]) {
    if (!p.is_object() || !p.contains("median") || !p["median"].is_number()) continue;
    entry.points.push_back({p.value("benchmark", ""), p.value("metric", ""), p.value("unit", ""),
                            p["median"].get<double>(), p.value("n", std::size_t{0})});
  }
  return entry;
}

fs::path default_store_path() {
  return fuzz::cache_dir("FAULTLINE_BENCH_DIR", "bench") / "history.jsonl";
}

net::Status append_entry(const fs::path& store, const HistoryEntry& entry) {
  std::error_code error;
  if (store.has_parent_path()) fs::create_directories(store.parent_path(), error);
  std::ofstream out(store, std::ios::app);
  out << entry_json(entry).dump() << "\n";
  if (!out) return net::make_error(net::ErrorKind::io, "cannot append to " + store.string());
  return {};
}

net::Result<HistoryRead> read_history(const fs::path& store) {
  std::ifstream in(store);
  if (!in) {
    return net::make_error(
        net::ErrorKind::not_found,
        "no benchmark history at " + store.string() + " (each `faultline bench run` adds to it)");
  }
  HistoryRead read;
  std::string line;
  std::size_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty()) continue;
    auto entry = parse_entry(line);
    if (!entry) {
      read.warnings.push_back(store.string() + ":" + std::to_string(number) +
                              ": skipped, not a history entry");
      continue;
    }
    read.entries.push_back(std::move(*entry));
  }
  return read;
}

double median_of(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const std::size_t mid = values.size() / 2;
  return values.size() % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
}

HistoryEntry summarize(const Report& report, const MachineContext& context,
                       const std::string& run_metric) {
  HistoryEntry entry;
  entry.commit = context.commit;
  entry.dirty = context.dirty;
  entry.time = context.started;
  entry.host = context.host;
  entry.build_type = context.build_type;
  entry.run_metric = run_metric;
  for (const Benchmark& benchmark : report.benchmarks) {
    for (const auto& [metric, series] : benchmark.metrics) {
      if (series.values.empty()) continue;
      // Times taken under valgrind are a hint, never history.
      if (run_metric == "instructions" && metric != "instructions") continue;
      entry.points.push_back(
          {benchmark.name, metric, series.unit, median_of(series.values), series.values.size()});
    }
  }
  return entry;
}

std::optional<StepChange> detect_step(std::span<const double> values) {
  constexpr std::size_t kMinSide = 2;
  constexpr double kMinStep = 0.05;
  constexpr double kSpreadFactor = 3;
  std::optional<StepChange> best;
  double best_score = -1;
  for (std::size_t split = kMinSide; split + kMinSide <= values.size(); ++split) {
    const auto before = values.subspan(0, split);
    const auto after = values.subspan(split);
    const double m_before = median_of({before.begin(), before.end()});
    const double m_after = median_of({after.begin(), after.end()});
    if (m_before == 0) continue;
    const double step = (m_after - m_before) / std::abs(m_before);
    const double spread = std::max(relative_mad(before), relative_mad(after));
    const double score = std::abs(step) / std::max(spread, 1e-3);
    if (score > best_score) {
      best_score = score;
      best = StepChange{split, m_before, m_after, step, spread};
    }
  }
  if (!best) return std::nullopt;
  if (std::abs(best->relative_step) <= std::max(kMinStep, kSpreadFactor * best->spread))
    return std::nullopt;
  return best;
}

std::vector<Series> build_series(const std::vector<HistoryEntry>& entries,
                                 const SeriesFilter& filter) {
  std::vector<const HistoryEntry*> chosen;
  for (const HistoryEntry& entry : entries) {
    if (filter.host.empty() || entry.host == filter.host) chosen.push_back(&entry);
  }
  std::stable_sort(chosen.begin(), chosen.end(),
                   [](const HistoryEntry* a, const HistoryEntry* b) { return a->time < b->time; });
  struct Pool {
    SeriesPoint point;
    std::vector<double> medians;
  };
  std::map<std::pair<std::string, std::string>, std::pair<Series, std::vector<Pool>>> by_key;
  std::vector<std::pair<std::string, std::string>> order;
  for (const HistoryEntry* entry : chosen) {
    for (const HistoryPoint& p : entry->points) {
      if (filter.name && !std::regex_search(p.benchmark, *filter.name)) continue;
      if (!filter.metrics.empty() && std::find(filter.metrics.begin(), filter.metrics.end(),
                                               p.metric) == filter.metrics.end()) {
        continue;
      }
      const auto key = std::make_pair(p.benchmark, p.metric);
      auto [it, inserted] = by_key.try_emplace(key);
      if (inserted) {
        order.push_back(key);
        it->second.first = Series{p.benchmark, p.metric, p.unit, {}, std::nullopt};
      }
      std::vector<Pool>& pools = it->second.second;
      auto pool = std::find_if(pools.begin(), pools.end(), [&](const Pool& existing) {
        return existing.point.commit == entry->commit && existing.point.dirty == entry->dirty;
      });
      if (pool == pools.end()) {
        pools.push_back({SeriesPoint{entry->commit, entry->dirty, entry->time, 0, 0, 0}, {}});
        pool = std::prev(pools.end());
      }
      pool->medians.push_back(p.median);
      pool->point.runs += 1;
      pool->point.n += p.n;
    }
  }
  std::vector<Series> result;
  for (const auto& key : order) {
    auto& [series, pools] = by_key[key];
    std::vector<double> values;
    for (Pool& pool : pools) {
      pool.point.value = median_of(pool.medians);
      values.push_back(pool.point.value);
      series.points.push_back(pool.point);
    }
    series.step = detect_step(values);
    result.push_back(std::move(series));
  }
  return result;
}

std::string render_history_table(const std::vector<Series>& series) {
  std::string out;
  for (const Series& s : series) {
    out +=
        fmt::format("{}  {}{}\n", s.benchmark, s.metric, s.unit.empty() ? "" : " (" + s.unit + ")");
    out += fmt::format("  {:<18} {:<20} {:>14} {:>5} {:>9}\n", "commit", "time", "median", "n",
                       "change");
    for (std::size_t i = 0; i < s.points.size(); ++i) {
      const SeriesPoint& p = s.points[i];
      std::string change;
      if (i > 0 && s.points[i - 1].value != 0)
        change = fmt::format("{:+.1f}%", (p.value / s.points[i - 1].value - 1) * 100);
      std::string mark;
      if (s.step && s.step->index == i) {
        mark = fmt::format("  <- step {:+.1f}% (median {:.4g} -> {:.4g}, spread {:.1f}%)",
                           s.step->relative_step * 100, s.step->before, s.step->after,
                           s.step->spread * 100);
      }
      out += fmt::format("  {:<18} {:<20} {:>14.6g} {:>5} {:>9}{}\n", point_label(p), p.time,
                         p.value, p.n, change, mark);
    }
    out += "\n";
  }
  return out;
}

std::string render_history_svg(const std::vector<Series>& series) {
  constexpr double kWidth = 360, kHeight = 150, kLeft = 56, kRight = 10, kTop = 28, kBottom = 22;
  constexpr int kColumns = 2;
  const int rows = static_cast<int>((series.size() + kColumns - 1) / kColumns);
  const double total_width = kWidth * kColumns;
  const double total_height = kHeight * std::max(rows, 1);
  std::string out = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" "
      "font-family=\"sans-serif\" font-size=\"10\">\n<rect width=\"100%\" height=\"100%\" "
      "fill=\"white\"/>\n",
      total_width, total_height);
  for (std::size_t i = 0; i < series.size(); ++i) {
    const Series& s = series[i];
    const double x0 = kWidth * static_cast<double>(i % kColumns);
    const double y0 = kHeight * static_cast<double>(i / kColumns);
    const double plot_w = kWidth - kLeft - kRight, plot_h = kHeight - kTop - kBottom;
    double low = s.points.empty() ? 0 : s.points.front().value, high = low;
    for (const SeriesPoint& p : s.points) {
      low = std::min(low, p.value);
      high = std::max(high, p.value);
    }
    if (high == low) {
      high += std::abs(high) * 0.05 + 1e-9;
      low -= std::abs(low) * 0.05 + 1e-9;
    }
    const auto x_of = [&](std::size_t k) {
      return x0 + kLeft +
             (s.points.size() <= 1
                  ? plot_w / 2
                  : plot_w * static_cast<double>(k) / static_cast<double>(s.points.size() - 1));
    };
    const auto y_of = [&](double v) { return y0 + kTop + plot_h * (1 - (v - low) / (high - low)); };
    out += fmt::format("<g>\n<text x=\"{}\" y=\"{}\" font-weight=\"bold\">{}</text>\n", x0 + 6,
                       y0 + 14, faultline::bench::xml_escape(s.benchmark + "  " + s.metric));
    out += fmt::format(
        "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#ccc\"/>\n",
        x0 + kLeft, y0 + kTop, plot_w, plot_h);
    out += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{:.4g}</text>\n",
                       x0 + kLeft - 4, y0 + kTop + 8, high);
    out += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{:.4g}</text>\n",
                       x0 + kLeft - 4, y0 + kTop + plot_h, low);
    if (s.step) {
      const double x = (x_of(s.step->index - 1) + x_of(s.step->index)) / 2;
      out += fmt::format(
          "<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" stroke=\"#d62728\" "
          "stroke-dasharray=\"4 3\"/>\n<text x=\"{3}\" y=\"{4}\" fill=\"#d62728\">step {5:+.1f}% "
          "at {6}</text>\n",
          x, y0 + kTop, y0 + kTop + plot_h, x0 + kLeft, y0 + kHeight - 6,
          s.step->relative_step * 100,
          faultline::bench::xml_escape(point_label(s.points[s.step->index])));
    }
    std::string polyline;
    for (std::size_t k = 0; k < s.points.size(); ++k)
      polyline += fmt::format("{:.1f},{:.1f} ", x_of(k), y_of(s.points[k].value));
    out += fmt::format(
        "<polyline fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"1.5\" "
        "points=\"{}\"/>\n",
        polyline);
    for (std::size_t k = 0; k < s.points.size(); ++k) {
      out += fmt::format(
          "<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"2.5\" fill=\"#1f77b4\"><title>{} {:.6g}</title>"
          "</circle>\n",
          x_of(k), y_of(s.points[k].value), faultline::bench::xml_escape(point_label(s.points[k])),
          s.points[k].value);
    }
    out += "</g>\n";
  }
  out += "</svg>\n";
  return out;
}

}  // namespace faultline::bench::runner
