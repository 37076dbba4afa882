// fuzz/campaign/report.h: a fuzz campaign's report: JSON for machines,
// Markdown for people, and a coverage-over-time plot (gnuplot, when installed).
//
//   fuzz::CampaignReport report;
//   report.targets.push_back(target_report);
//   fuzz::write_report(report, "/home/me/.cache/faultline/fuzz/reports/20240101-120000");
//   // report.json, report.md, coverage.dat, coverage.gp and, with gnuplot, coverage.svg
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "targets/net/error.h"

namespace faultline::fuzz {

// Sample: the state of one target's run at a moment (seconds since it started).
struct Sample {
  double seconds = 0;
  std::uint64_t execs = 0;
  std::uint64_t coverage = 0;
  std::uint64_t features = 0;
  std::uint64_t corpus_units = 0;
};

// CrashRecord: one unique crash (by signature) a campaign found or saw again.
struct CrashRecord {
  std::string id;         // the signature hash, the crash directory's name
  std::string kind;       // "AddressSanitizer: heap-buffer-overflow"
  std::string summary;    // kind and top frames, one line
  std::string directory;  // where the inputs and the report are
  std::string reproduce;  // one command line
  std::uint64_t hits = 1;
  bool is_new = true;  // first seen in this campaign
};

// TargetReport: one fuzzer's part of a campaign.
struct TargetReport {
  std::string name;
  double seconds = 0;
  int jobs = 1;
  std::uint64_t execs = 0;
  std::uint64_t exec_per_sec = 0;
  std::uint64_t coverage = 0;
  std::uint64_t features = 0;
  std::uint64_t corpus_units = 0;
  std::uint64_t corpus_bytes = 0;
  std::uint64_t new_units = 0;
  std::uint64_t peak_rss_mb = 0;
  std::vector<CrashRecord> crashes;
  std::vector<Sample> samples;
  std::string corpus_dir;
  std::string log_file;
};

// CampaignReport: one `faultline fuzz run`.
struct CampaignReport {
  std::string started;  // ISO 8601, UTC
  std::string command;
  std::vector<TargetReport> targets;

  std::size_t crash_count() const;
};

nlohmann::json to_json(const CampaignReport& report);
std::string to_markdown(const CampaignReport& report);

// ReportFiles: what write_report wrote.
struct ReportFiles {
  std::filesystem::path json;
  std::filesystem::path markdown;
  std::filesystem::path plot;  // empty when gnuplot is missing or failed
};

// write_report writes report.json, report.md and the plot into `directory`.
net::Result<ReportFiles> write_report(const CampaignReport& report,
                                      const std::filesystem::path& directory);

}  // namespace faultline::fuzz
