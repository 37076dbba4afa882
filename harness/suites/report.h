// harness/suites/report.h: suite results for people (a terminal table) and
// for machines (JUnit XML for CI systems, JSON).
//
//   suites::print_table(results, std::cout);
//   suites::write_junit(results, "suite.xml");   // written whole or not at all
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "harness/suites/scenario.h"
#include "harness/suites/suite.h"
#include "targets/net/error.h"

namespace faultline::suites {

// format_row: one result as a table line (PASS, FAIL, FLAKY when a
// same-seed rerun passed, or VACUOUS: passed while no fault of its profile
// fired), then one line per rerun verdict when it was rerun.
std::string format_row(const ScenarioResult& result);
// print_table: every row, then print_summary.
void print_table(const std::vector<ScenarioResult>& results, std::ostream& out);
// print_summary: each failure's replay command, the flaky ones, then
// "suite: N passed, M failed" (", K flaky" when any).
void print_summary(const std::vector<ScenarioResult>& results, std::ostream& out);

// SuiteCounts: passed on the first run, flaky (failed, then passed on a
// same-seed rerun: counted apart, as Maven Surefire does), failed.
// vacuous: passed, but no fault of its profile fired (a subset of passed).
struct SuiteCounts {
  std::size_t passed = 0, flaky = 0, failed = 0, vacuous = 0;
};
SuiteCounts count(const std::vector<ScenarioResult>& results);
// print_kill_table: mutant x killing scenarios.
void print_kill_table(const std::vector<KillRow>& rows, std::ostream& out);

// to_junit: JUnit XML. Reruns are written as Maven Surefire writes them: a
// flaky case has no <failure>, one <flakyFailure> per failed run; a failed
// case has its <failure>, then one <rerunFailure> per failed rerun. A
// vacuous pass is <skipped message="vacuous: ...">: it proved nothing.
std::string to_junit(const std::vector<ScenarioResult>& results);
std::string to_json(const std::vector<ScenarioResult>& results);

// write_file_atomically writes to PATH.tmp, then renames: a reader never sees
// half a report.
net::Status write_file_atomically(const std::string& path, const std::string& content);

}  // namespace faultline::suites
