#include "harness/suites/cpu_burner.h"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

namespace faultline::suites {
namespace {

// spin: the child's whole life. Only async-signal-safe calls after fork().
[[noreturn]] void spin(std::chrono::seconds limit) {
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  timespec start{};
  ::clock_gettime(CLOCK_MONOTONIC, &start);
  volatile std::uint64_t sink = 0;
  for (;;) {
    for (std::uint64_t i = 0; i < 10'000'000; ++i)
      sink = sink + i * 2654435761u;
    timespec now{};
    ::clock_gettime(CLOCK_MONOTONIC, &now);
    if (now.tv_sec - start.tv_sec >= limit.count()) ::_exit(0);
  }
}

}  // namespace

int CpuBurner::cores() {
  long n = ::sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 ? static_cast<int>(n) : 1;
}

net::Status CpuBurner::start() {
  if (!pids_.empty()) return {};
  for (int i = 0; i < processes_; ++i) {
    pid_t pid = ::fork();
    if (pid < 0) {
      auto error = net::from_errno(errno, "fork a CPU burner");
      stop();
      return error;
    }
    if (pid == 0) spin(limit_);
    pids_.push_back(pid);
  }
  return {};
}

void CpuBurner::stop() {
  for (pid_t pid : pids_)
    ::kill(pid, SIGKILL);
  for (pid_t pid : pids_) {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
  }
  pids_.clear();
}

bool CpuBurner::running() const {
  if (pids_.empty()) return false;
  for (pid_t pid : pids_) {
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) != 0) return false;  // exited (or not ours)
  }
  return true;
}

double CpuBurner::cpu_seconds() const {
  const double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
  double total = 0;
  for (pid_t pid : pids_) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(in, line)) continue;
    // Fields after the command (which may hold spaces) start after the last ')'.
    auto close = line.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream fields(line.substr(close + 2));
    std::string field;
    unsigned long long utime = 0, stime = 0;
    for (int index = 3; fields >> field; ++index) {
      if (index == 14) utime = std::stoull(field);
      if (index == 15) {
        stime = std::stoull(field);
        break;
      }
    }
    total += static_cast<double>(utime + stime) / ticks;
  }
  return total;
}

}  // namespace faultline::suites
