// harness/suites/cpu_burner.h: saturate the machine's cores, for tests whose
// verdicts must hold under load.
//
// Each burner is a child process spinning on the CPU. They stop when the
// CpuBurner is destroyed (SIGKILL, reaped), when this process dies
// (PR_SET_PDEATHSIG), and in any case after `limit`: a test that hangs cannot
// leave them burning.
//
//   suites::CpuBurner burner(suites::CpuBurner::cores(), std::chrono::minutes(10));
//   ASSERT_TRUE(burner.start());
//   ... run the suite ...
//   burner.stop();   // or let the destructor do it
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <vector>

#include "targets/net/error.h"

namespace faultline::suites {

// CpuBurner: see the file comment.
class CpuBurner {
 public:
  CpuBurner(int processes, std::chrono::seconds limit) : processes_(processes), limit_(limit) {}
  ~CpuBurner() { stop(); }
  CpuBurner(const CpuBurner&) = delete;
  CpuBurner& operator=(const CpuBurner&) = delete;

  // cores: the number of online CPUs (at least 1).
  static int cores();

  // start forks the burners. Idempotent.
  net::Status start();
  // stop kills and reaps every burner. Idempotent.
  void stop();
  // running: every burner is still alive (none exited or was killed).
  bool running() const;
  // cpu_seconds: user + system CPU time the running burners have used so far.
  double cpu_seconds() const;
  const std::vector<pid_t>& pids() const { return pids_; }

 private:
  int processes_;
  std::chrono::seconds limit_;
  std::vector<pid_t> pids_;
};

}  // namespace faultline::suites
