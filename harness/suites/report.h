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

// format_row: one result as a table line.
std::string format_row(const ScenarioResult& result);
// print_table: every row, then each failure's replay command, then
// "N passed, M failed".
void print_table(const std::vector<ScenarioResult>& results, std::ostream& out);
// print_kill_table: mutant x killing scenarios.
void print_kill_table(const std::vector<KillRow>& rows, std::ostream& out);

std::string to_junit(const std::vector<ScenarioResult>& results);
std::string to_json(const std::vector<ScenarioResult>& results);

// write_file_atomically writes to PATH.tmp, then renames: a reader never sees
// half a report.
net::Status write_file_atomically(const std::string& path, const std::string& content);

}  // namespace faultline::suites
