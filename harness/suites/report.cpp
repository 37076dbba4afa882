#include "harness/suites/report.h"

#include <cstdio>
#include <fstream>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

namespace faultline::suites {
namespace {

double seconds(net::Duration d) {
  return std::chrono::duration<double>(d).count();
}

std::string xml_escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        // XML 1.0 forbids most control characters even escaped.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t')
          out += ' ';
        else
          out += c;
    }
  }
  return out;
}

}  // namespace

std::string format_row(const ScenarioResult& r) {
  return fmt::format("{:<4}  {:<28} {:<22} seed {:<4} {:>6.2f}s  {}{}", r.passed ? "PASS" : "FAIL",
                     r.scenario, r.target, r.seed, seconds(r.elapsed),
                     r.passed ? "" : std::string(invariant_name(r.broken)) + ": ", r.detail);
}

void print_table(const std::vector<ScenarioResult>& results, std::ostream& out) {
  std::size_t passed = 0;
  for (const auto& r : results) {
    out << format_row(r) << '\n';
    passed += r.passed;
  }
  bool header = false;
  for (const auto& r : results) {
    if (r.passed) continue;
    if (!header) out << "\nreplay the failures:\n";
    header = true;
    out << "  " << r.replay << '\n';
  }
  out << '\n'
      << fmt::format("suite: {} passed, {} failed", passed, results.size() - passed) << '\n';
}

void print_kill_table(const std::vector<KillRow>& rows, std::ostream& out) {
  out << fmt::format("{:<24} {:<7} {}\n", "mutant", "side", "killed by");
  std::size_t killed = 0;
  for (const auto& row : rows) {
    killed += !row.killed_by.empty();
    std::string by;
    for (const auto& name : row.killed_by)
      by += (by.empty() ? "" : ", ") + name;
    out << fmt::format("{:<24} {:<7} {}\n", row.mutant, row.side,
                       by.empty() ? "SURVIVED (the suite misses this bug)" : by);
  }
  out << fmt::format("\nkill table: {} of {} mutants killed\n", killed, rows.size());
}

std::string to_junit(const std::vector<ScenarioResult>& results) {
  std::size_t failures = 0;
  double total = 0;
  for (const auto& r : results) {
    failures += !r.passed;
    total += seconds(r.elapsed);
  }
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out +=
      fmt::format("<testsuites name=\"faultline\" tests=\"{}\" failures=\"{}\" time=\"{:.3f}\">\n",
                  results.size(), failures, total);
  out += fmt::format(
      "  <testsuite name=\"faultline suite\" tests=\"{}\" failures=\"{}\" time=\"{:.3f}\">\n",
      results.size(), failures, total);
  for (const auto& r : results) {
    out += fmt::format("    <testcase classname=\"{}\" name=\"{} seed {}\" time=\"{:.3f}\">",
                       xml_escape(r.target), xml_escape(r.scenario), r.seed, seconds(r.elapsed));
    if (!r.passed) {
      out += fmt::format("\n      <failure type=\"{}\" message=\"{}\">replay: {}</failure>\n    ",
                         invariant_name(r.broken), xml_escape(r.detail), xml_escape(r.replay));
    }
    out += "</testcase>\n";
  }
  out += "  </testsuite>\n</testsuites>\n";
  return out;
}

std::string to_json(const std::vector<ScenarioResult>& results) {
  nlohmann::json array = nlohmann::json::array();
  std::size_t passed = 0;
  for (const auto& r : results) {
    passed += r.passed;
    nlohmann::json row = {{"scenario", r.scenario},
                          {"target", r.target},
                          {"passed", r.passed},
                          {"seed", r.seed},
                          {"seconds", seconds(r.elapsed)},
                          {"detail", r.detail},
                          {"replay", r.replay}};
    if (!r.passed) row["invariant"] = invariant_name(r.broken);
    array.push_back(std::move(row));
  }
  nlohmann::json doc = {
      {"passed", passed}, {"failed", results.size() - passed}, {"results", array}};
  // Details may carry bytes from a peer: replace invalid UTF-8 rather than throw.
  return doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

net::Status write_file_atomically(const std::string& path, const std::string& content) {
  std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    if (!out) return net::make_error(net::ErrorKind::not_found, "cannot write '" + temporary + "'");
    out << content;
    out.flush();
    if (!out) {
      std::remove(temporary.c_str());
      return net::make_error(net::ErrorKind::io, "write to '" + temporary + "' failed");
    }
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    std::remove(temporary.c_str());
    return net::from_errno(errno, "rename '" + temporary + "' to '" + path + "'");
  }
  return {};
}

}  // namespace faultline::suites
