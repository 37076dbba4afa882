#include "fuzz/campaign/report.h"

#include <cstdio>
#include <fstream>
#include <sstream>

#include <fmt/core.h>

#include "fuzz/campaign/child_process.h"

namespace faultline::fuzz {
namespace {

std::string duration_text(double seconds) {
  const auto whole = static_cast<long long>(seconds + 0.5);
  if (whole < 60) return fmt::format("{}s", whole);
  if (whole < 3600) return fmt::format("{}m{:02}s", whole / 60, whole % 60);
  return fmt::format("{}h{:02}m", whole / 3600, (whole % 3600) / 60);
}

// markdown_cell: text safe inside a table cell.
std::string markdown_cell(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '|') {
      out += "\\|";
    } else if (c == '\n') {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

net::Status write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out) {
    return net::make_error(net::ErrorKind::io, "cannot write " + path.string());
  }
  return {};
}

// plot_data: one block per target (gnuplot "index"), columns: seconds cov ft corpus.
std::string plot_data(const CampaignReport& report) {
  std::string out;
  for (const TargetReport& target : report.targets) {
    out += "# " + target.name + "\n";
    for (const Sample& sample : target.samples) {
      out += fmt::format("{:.1f} {} {} {}\n", sample.seconds, sample.coverage, sample.features,
                         sample.corpus_units);
    }
    out += "\n\n";
  }
  return out;
}

// gnuplot_quoted: a single-quoted gnuplot string (a quote inside is doubled).
std::string gnuplot_quoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    out += c;
    if (c == '\'') out += '\'';
  }
  return out + "'";
}

// The terminal is noenhanced: enhanced text would take the '_' of
// "http_request" as a subscript and print "httprequest" with a lowered r.
std::string plot_script(const CampaignReport& report, const std::filesystem::path& data,
                        const std::filesystem::path& image) {
  std::string out =
      "set terminal svg size 900,500 dynamic noenhanced background rgb 'white'\n"
      "set output " +
      gnuplot_quoted(image.string()) +
      "\n"
      "set title 'Coverage over time'\n"
      "set xlabel 'seconds'\n"
      "set ylabel 'coverage (libFuzzer cov: edges)'\n"
      "set key outside right\n"
      "set grid\n"
      "plot ";
  for (std::size_t i = 0; i < report.targets.size(); ++i) {
    if (i > 0) out += ", \\\n     ";
    out += fmt::format("{} index {} using 1:2 with lines linewidth 2 title {}",
                       gnuplot_quoted(data.string()), i, gnuplot_quoted(report.targets[i].name));
  }
  return out + "\n";
}

}  // namespace

std::size_t CampaignReport::crash_count() const {
  std::size_t count = 0;
  for (const TargetReport& target : targets)
    count += target.crashes.size();
  return count;
}

nlohmann::json to_json(const CampaignReport& report) {
  nlohmann::json out;
  out["started"] = report.started;
  out["command"] = report.command;
  out["targets"] = nlohmann::json::array();
  for (const TargetReport& target : report.targets) {
    nlohmann::json t;
    t["name"] = target.name;
    t["seconds"] = target.seconds;
    t["jobs"] = target.jobs;
    t["execs"] = target.execs;
    t["exec_per_sec"] = target.exec_per_sec;
    t["coverage"] = target.coverage;
    t["features"] = target.features;
    t["corpus_units"] = target.corpus_units;
    t["corpus_bytes"] = target.corpus_bytes;
    t["new_units"] = target.new_units;
    t["peak_rss_mb"] = target.peak_rss_mb;
    t["corpus_dir"] = target.corpus_dir;
    t["log_file"] = target.log_file;
    t["crashes"] = nlohmann::json::array();
    for (const CrashRecord& crash : target.crashes) {
      t["crashes"].push_back({{"id", crash.id},
                              {"kind", crash.kind},
                              {"summary", crash.summary},
                              {"directory", crash.directory},
                              {"reproduce", crash.reproduce},
                              {"hits", crash.hits},
                              {"new", crash.is_new}});
    }
    t["samples"] = nlohmann::json::array();
    for (const Sample& sample : target.samples) {
      t["samples"].push_back(
          {sample.seconds, sample.execs, sample.coverage, sample.features, sample.corpus_units});
    }
    t["sample_columns"] = {"seconds", "execs", "coverage", "features", "corpus_units"};
    out["targets"].push_back(std::move(t));
  }
  return out;
}

std::string to_markdown(const CampaignReport& report) {
  std::string out = "# Fuzz campaign " + report.started + "\n\n";
  out += "`" + report.command + "`\n\n";
  out +=
      "| target | time | jobs | execs | execs/s | cov | ft | corpus | new units | peak RSS | "
      "crashes |\n";
  out += "|---|---|---|---|---|---|---|---|---|---|---|\n";
  for (const TargetReport& t : report.targets) {
    out += fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} ({} B) | {} | {} MB | {} |\n",
                       t.name, duration_text(t.seconds), t.jobs, t.execs, t.exec_per_sec,
                       t.coverage, t.features, t.corpus_units, t.corpus_bytes, t.new_units,
                       t.peak_rss_mb, t.crashes.size());
  }
  out += "\n";
  if (report.crash_count() == 0) {
    out += "No crashes.\n";
  } else {
    out += "## Crashes (unique by sanitizer error and top frames)\n\n";
    for (const TargetReport& t : report.targets) {
      for (const CrashRecord& crash : t.crashes) {
        out += fmt::format("- **{}** `{}` {}{} (seen {}x)\n  - {}\n  - reproduce: `{}`\n", t.name,
                           crash.id, markdown_cell(crash.summary), crash.is_new ? " **new**" : "",
                           crash.hits, crash.directory, crash.reproduce);
      }
    }
  }
  out += "\nCoverage over time: `coverage.svg` (data in `coverage.dat`).\n";
  out += "\nCorpora and logs:\n\n";
  for (const TargetReport& t : report.targets) {
    out += fmt::format("- {}: {} (log {})\n", t.name, t.corpus_dir, t.log_file);
  }
  return out;
}

net::Result<ReportFiles> write_report(const CampaignReport& report,
                                      const std::filesystem::path& directory) {
  std::error_code error;
  std::filesystem::create_directories(directory, error);
  if (error) {
    return net::make_error(net::ErrorKind::io,
                           "cannot create " + directory.string() + ": " + error.message());
  }
  ReportFiles files{directory / "report.json", directory / "report.md", {}};
  if (auto ok = write_file(files.json, to_json(report).dump(2) + "\n"); !ok) {
    return tl::unexpected(ok.error());
  }
  if (auto ok = write_file(files.markdown, to_markdown(report)); !ok) {
    return tl::unexpected(ok.error());
  }
  const std::filesystem::path data = directory / "coverage.dat";
  const std::filesystem::path script = directory / "coverage.gp";
  const std::filesystem::path image = directory / "coverage.svg";
  if (auto ok = write_file(data, plot_data(report)); !ok) return tl::unexpected(ok.error());
  if (auto ok = write_file(script, plot_script(report, data, image)); !ok) {
    return tl::unexpected(ok.error());
  }
  // gnuplot is optional: without it the JSON and Markdown still stand.
  auto plotted = run_and_capture({"gnuplot", script.string()}, {}, std::chrono::seconds(60));
  if (plotted && plotted->status == 0 && std::filesystem::exists(image, error)) {
    files.plot = image;
  }
  return files;
}

}  // namespace faultline::fuzz
