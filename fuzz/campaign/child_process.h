// fuzz/campaign/child_process.h: a child process whose stderr a campaign
// reads line by line (libFuzzer reports there), with a deadline and a clean
// stop: SIGINT first (libFuzzer then prints its final stats), SIGKILL later.
//
//   fuzz::ChildProcess child = fuzz::ChildProcess::start({"url_fuzzer", "-runs=100"}, {}, log);
//   while (auto lines = child.read_lines(std::chrono::seconds(1))) for (auto& l : *lines) ...
//   int status = child.wait();   // exit code, or 128 + signal
//
// The child's stdout and stderr both go to `log_path` as well (append), so a
// campaign keeps every line libFuzzer wrote.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "targets/net/error.h"
#include "targets/net/fd.h"

namespace faultline::fuzz {

// Environment: variables to add to the child's environment.
using Environment = std::vector<std::pair<std::string, std::string>>;

// ChildProcess: see the file comment. Move-only; the destructor kills and
// reaps a child that is still running.
class ChildProcess {
 public:
  static net::Result<ChildProcess> start(const std::vector<std::string>& argv,
                                         const Environment& environment,
                                         const std::filesystem::path& log_path);
  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&& other) noexcept;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess();

  // read_lines waits up to `timeout` for output and returns the complete
  // lines read (possibly none); nullopt once the output has ended.
  std::optional<std::vector<std::string>> read_lines(std::chrono::milliseconds timeout);

  // interrupt sends SIGINT; kill sends SIGKILL.
  void interrupt();
  void kill();
  // wait reaps the child: its exit code, or 128 + the signal that ended it.
  int wait();
  pid_t pid() const { return pid_; }

 private:
  ChildProcess(pid_t pid, net::Fd output, net::Fd log);

  pid_t pid_ = -1;
  net::Fd output_;  // read end of the child's stdout+stderr pipe
  net::Fd log_;     // where every byte read also goes
  std::string partial_;
  std::optional<int> status_;
};

// RunResult: a short child run's exit status and all its output.
struct RunResult {
  int status = 0;
  std::string output;
  bool timed_out = false;
};

// run_and_capture runs argv to completion (SIGKILL after `timeout`),
// capturing stdout and stderr together.
net::Result<RunResult> run_and_capture(const std::vector<std::string>& argv,
                                       const Environment& environment,
                                       std::chrono::seconds timeout);

}  // namespace faultline::fuzz
