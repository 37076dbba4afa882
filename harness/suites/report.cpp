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

SuiteCounts count(const std::vector<ScenarioResult>& results) {
  SuiteCounts counts;
  for (const auto& r : results) {
    if (r.passed)
      ++counts.passed, counts.vacuous += r.vacuous;
    else if (r.stability == Stability::flaky)
      ++counts.flaky;
    else
      ++counts.failed;
  }
  return counts;
}

std::string format_row(const ScenarioResult& r) {
  const char* verdict = r.passed                          ? (r.vacuous ? "VACUOUS" : "PASS")
                        : r.stability == Stability::flaky ? "FLAKY"
                                                          : "FAIL";
  auto row = fmt::format("{:<5} {:<28} {:<22} seed {:<4} {:>6.2f}s  {}{}", verdict, r.scenario,
                         r.target, r.seed, seconds(r.elapsed),
                         r.passed ? "" : std::string(invariant_name(r.broken)) + ": ", r.detail);
  if (r.vacuous) row += " (no fault of its profile fired: it proved nothing)";
  if (r.trace_hash) row += fmt::format(" (trace {:016x})", *r.trace_hash);
  if (r.reruns.empty()) return row;
  std::size_t same = 0, same_failed = 0, fresh = 0, fresh_failed = 0;
  std::string fresh_seeds;
  for (const auto& rerun : r.reruns) {
    if (rerun.same_seed) {
      ++same;
      same_failed += !rerun.passed;
    } else {
      ++fresh;
      fresh_failed += !rerun.passed;
      fresh_seeds += fmt::format("{}{}{}", fresh_seeds.empty() ? "" : ",", rerun.seed,
                                 rerun.passed ? "" : "!");
    }
  }
  row += fmt::format(
      "\n      reruns: same seed {} failed of {}; fresh seeds {} failed of {} ({}; ! = failed): {}",
      same_failed, same, fresh_failed, fresh, fresh_seeds, stability_name(r.stability));
  for (const auto& rerun : r.reruns) {
    if (rerun.passed) continue;
    row += fmt::format("\n        seed {}: {}: {}", rerun.seed, invariant_name(rerun.broken),
                       rerun.detail);
    break;  // the first failed rerun says enough; JUnit and JSON have them all
  }
  return row;
}

void print_summary(const std::vector<ScenarioResult>& results, std::ostream& out) {
  bool header = false;
  for (const auto& r : results) {
    if (r.passed || r.stability == Stability::flaky) continue;
    if (!header) out << "\nreplay the failures:\n";
    header = true;
    out << "  " << r.replay << '\n';
    if (!r.other_replay.empty()) {
      out << "    " << (r.trace_hash ? "on real sockets: " : "in the simulator: ") << r.other_replay
          << '\n';
    }
  }
  header = false;
  for (const auto& r : results) {
    if (r.passed || r.stability != Stability::flaky) continue;
    if (!header) out << "\nflaky (failed, then passed with the same seed):\n";
    header = true;
    out << "  " << r.replay << '\n';
  }
  header = false;
  for (const auto& r : results) {
    if (!r.vacuous) continue;
    if (!header) out << "\nvacuous (no fault of the profile fired):\n";
    header = true;
    out << "  " << r.replay << '\n';
  }
  auto counts = count(results);
  out << '\n'
      << fmt::format("suite: {} passed{}, {} failed{}", counts.passed,
                     counts.vacuous ? fmt::format(" ({} vacuous)", counts.vacuous) : "",
                     counts.failed, counts.flaky ? fmt::format(", {} flaky", counts.flaky) : "")
      << '\n';
}

void print_table(const std::vector<ScenarioResult>& results, std::ostream& out) {
  for (const auto& r : results)
    out << format_row(r) << '\n';
  print_summary(results, out);
}

void print_kill_table(const std::vector<KillRow>& rows, std::ostream& out) {
  out << fmt::format("{:<24} {:<7} {}\n", "mutant", "side", "killed by");
  std::size_t killed = 0, mutants = 0;
  for (const auto& row : rows) {
    const bool control = row.mutant == "reference";
    std::string by;
    for (const auto& name : row.killed_by)
      by += (by.empty() ? "" : ", ") + name;
    if (control) {
      by = by.empty() ? "survived every scenario (control: the reference client)"
                      : "KILLED (the reference client must pass): " + by;
    } else {
      ++mutants;
      killed += !row.killed_by.empty();
      if (by.empty()) by = "SURVIVED (the suite misses this bug)";
    }
    out << fmt::format("{:<24} {:<7} {}\n", row.mutant, row.side, by);
  }
  out << fmt::format("\nkill table: {} of {} mutants killed\n", killed, mutants);
}

std::string to_junit(const std::vector<ScenarioResult>& results) {
  auto counts = count(results);
  double total = 0;
  for (const auto& r : results)
    total += seconds(r.elapsed);
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out +=
      fmt::format("<testsuites name=\"faultline\" tests=\"{}\" failures=\"{}\" time=\"{:.3f}\">\n",
                  results.size(), counts.failed, total);
  out += fmt::format(
      "  <testsuite name=\"faultline suite\" tests=\"{}\" failures=\"{}\" flakes=\"{}\" "
      "skipped=\"{}\" time=\"{:.3f}\">\n",
      results.size(), counts.failed, counts.flaky, counts.vacuous, total);
  for (const auto& r : results) {
    out += fmt::format("    <testcase classname=\"{}\" name=\"{} seed {}\" time=\"{:.3f}\">",
                       xml_escape(r.target), xml_escape(r.scenario), r.seed, seconds(r.elapsed));
    if (r.passed && r.vacuous) {
      out += fmt::format(
          "\n      <skipped message=\"vacuous: no fault of its profile fired\">replay: "
          "{}</skipped>\n    ",
          xml_escape(r.replay));
    }
    if (!r.passed) {
      const bool flaky = r.stability == Stability::flaky;
      out += fmt::format("\n      <{0} type=\"{1}\" message=\"{2}\">replay: {3}</{0}>",
                         flaky ? "flakyFailure" : "failure", invariant_name(r.broken),
                         xml_escape(r.detail), xml_escape(r.replay));
      for (const auto& rerun : r.reruns) {
        if (rerun.passed) continue;
        out += fmt::format(
            "\n      <{0} type=\"{1}\" message=\"{2}\" time=\"{3:.3f}\">seed {4}{5}</{0}>",
            flaky ? "flakyFailure" : "rerunFailure", invariant_name(rerun.broken),
            xml_escape(rerun.detail), seconds(rerun.elapsed), rerun.seed,
            rerun.same_seed ? " (same seed)" : " (fresh seed)");
      }
      if (!r.reruns.empty()) {
        out +=
            fmt::format("\n      <system-out>reruns: {}</system-out>", stability_name(r.stability));
      }
      out += "\n    ";
    }
    out += "</testcase>\n";
  }
  out += "  </testsuite>\n</testsuites>\n";
  return out;
}

std::string to_json(const std::vector<ScenarioResult>& results) {
  nlohmann::json array = nlohmann::json::array();
  auto counts = count(results);
  for (const auto& r : results) {
    nlohmann::json row = {{"scenario", r.scenario},
                          {"target", r.target},
                          {"passed", r.passed},
                          {"seed", r.seed},
                          {"seconds", seconds(r.elapsed)},
                          {"detail", r.detail},
                          {"replay", r.replay}};
    if (!r.passed) row["invariant"] = invariant_name(r.broken);
    if (!r.coverage.empty()) {
      row["vacuous"] = r.vacuous;
      nlohmann::json coverage = nlohmann::json::array();
      for (const auto& clause : r.coverage)
        coverage.push_back({{"clause", clause.clause}, {"fired", clause.fired}});
      row["coverage"] = std::move(coverage);
    }
    if (!r.reruns.empty()) {
      row["stability"] = stability_name(r.stability);
      nlohmann::json reruns = nlohmann::json::array();
      for (const auto& rerun : r.reruns) {
        nlohmann::json entry = {{"seed", rerun.seed},
                                {"same_seed", rerun.same_seed},
                                {"passed", rerun.passed},
                                {"seconds", seconds(rerun.elapsed)},
                                {"detail", rerun.detail}};
        if (!rerun.passed) entry["invariant"] = invariant_name(rerun.broken);
        reruns.push_back(std::move(entry));
      }
      row["reruns"] = std::move(reruns);
    }
    array.push_back(std::move(row));
  }
  nlohmann::json doc = {{"passed", counts.passed},
                        {"failed", counts.failed},
                        {"flaky", counts.flaky},
                        {"vacuous", counts.vacuous},
                        {"results", array}};
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
