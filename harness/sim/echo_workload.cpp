#include "harness/sim/echo_workload.h"

#include "harness/sim/echo_peer.h"
#include "harness/sim/network.h"
#include "targets/echo/echo_client.h"

namespace faultline::sim {

EchoRun run_echo_exchange(const fault::Profile& profile, std::uint64_t seed,
                          const std::string& message, net::TimePoint deadline, bool keep_trace) {
  NetworkLimits limits;
  if (!keep_trace) limits.max_trace_lines = 0;
  Network network(seed, profile, limits);
  network.listen("echo", 7, [] { return std::make_unique<EchoPeer>(); });
  EchoRun run;
  const auto start = network.now();
  const auto until = start + deadline;
  {
    auto stream = network.dialer().dial("echo", 7, until);
    if (!stream) {
      run.reply = tl::unexpected(stream.error());
      run.elapsed = network.now() - start;
    } else {
      run.reply = echo::exchange_over_stream(**stream, message, until);
      run.elapsed = network.now() - start;
      (*stream)->close();
      network.sleep_until(std::min(network.now() + std::chrono::seconds(1), until));
    }
  }
  run.trace_hash = network.trace_hash();
  run.events = network.events_run();
  if (keep_trace) run.trace = network.trace();
  return run;
}

}  // namespace faultline::sim
