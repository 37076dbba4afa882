// The workloads for a client program (--client-cmd): the reference server
// behind the fault proxy, the user's client run once per message.
//
// Verdicts, per run of the program:
//   exit 0, exact bytes           success (a clarity failure if the fault allows none)
//   exit 0, other bytes           integrity: a short or altered reply taken as whole
//   exit != 0 with a message      a clear error: right where the fault allows no
//                                 success, an integrity failure where it does
//   exit != 0, silent stderr      clarity: a failure must say what failed
//   killed at the deadline        liveness: no timeout of its own
#include <fmt/core.h>

#include "harness/fault/rng.h"
#include "harness/suites/client_command.h"
#include "harness/suites/workload.h"
#include "targets/http/client/session.h"

namespace faultline::suites {
namespace {

using namespace std::chrono_literals;

std::string first_line(const std::string& text) {
  auto line = text.substr(0, text.find('\n'));
  return line.size() > 200 ? line.substr(0, 200) + "..." : line;
}

std::string describe_difference(const std::string& want, const std::string& got) {
  std::size_t at = 0;
  while (at < want.size() && at < got.size() && want[at] == got[at])
    ++at;
  return fmt::format("{} bytes expected, {} printed, first difference at byte {}", want.size(),
                     got.size(), at);
}

// judge_run turns one run of the client into an outcome (nullopt: it
// succeeded with the exact bytes, go on).
std::optional<Outcome> judge_run(const Scenario& scenario, const ClientRun& run,
                                 const std::string& expected, const std::string& what) {
  if (!run.finished && run.how.rfind("was still running", 0) == 0) {
    return broken(
        Invariant::liveness,
        fmt::format("{}: the client {} ({}s; {} bytes on stdout){}", what, run.how,
                    std::chrono::duration_cast<std::chrono::seconds>(run.elapsed).count(),
                    run.out.size(), run.err.empty() ? "" : ", stderr: " + first_line(run.err)));
  }
  if (run.finished && run.exit_status == 0) {
    if (run.out == expected && !run.out_truncated) return std::nullopt;
    return broken(Invariant::integrity,
                  fmt::format("{}: the client exited 0 but its output is wrong: {}", what,
                              describe_difference(expected, run.out)));
  }
  // A failure (non-zero exit, or killed by a signal of its own making).
  if (run.err.find_first_not_of(" \t\r\n") == std::string::npos) {
    return broken(Invariant::clarity,
                  fmt::format("{}: the client {} without a message on stderr", what, run.how));
  }
  if (scenario.expected_errors.empty()) {
    return broken(Invariant::integrity,
                  fmt::format("{}: the client {} where the fault allows success: {}", what, run.how,
                              first_line(run.err)));
  }
  // The fault allows no success and the client said so: the kind cannot be
  // read from a program's message, so it is taken as the one expected.
  Outcome out = failed_with(
      net::Error{scenario.expected_errors.front(), 0,
                 fmt::format("{}: the client {}: {}", what, run.how, first_line(run.err))});
  return out;
}

Outcome echo_client_runs(const Scenario& scenario, const WorkloadContext& context,
                         const std::vector<std::string>& messages) {
  const auto until = net::Deadline::after(scenario.deadline);
  // A WebSocket client is told the proxy's URL; an echo client its address.
  const std::string url =
      context.protocol == Protocol::ws_echo ? "ws://" + context.via.to_string() + "/" : "";
  for (std::size_t i = 0; i < messages.size(); ++i) {
    auto what = fmt::format("message {} ({} bytes)", i, messages[i].size());
    auto run = run_client_command(*context.client_command, context.via, url, messages[i],
                                  std::max<net::Duration>(until.remaining(), 100ms), 64 << 20,
                                  context.cacert);
    if (!run)
      return broken(Invariant::liveness, "cannot run the client: " + run.error().to_string());
    if (auto verdict = judge_run(scenario, *run, messages[i], what)) return std::move(*verdict);
  }
  Outcome out;
  out.detail = fmt::format("{} messages echoed whole through the client program", messages.size());
  return out;
}

Outcome http_client_runs(const Scenario& scenario, const WorkloadContext& context) {
  // A small body and a multi-MiB one; smaller where the fault makes every
  // byte slow (a slow link; pieces of a few bytes), to fit the deadline. The
  // expected body comes from the target directly, with no fault.
  std::size_t large = 3 * 1024 * 1024;
  if (scenario.profile.find("bandwidth") != std::string::npos) large = 256 * 1024;
  if (scenario.profile.find("slicer") != std::string::npos) large = 24 * 1024;
  const std::vector<std::string> paths = {fmt::format("/bytes/4096?seed={}", context.seed),
                                          fmt::format("/bytes/{}?seed={}", large, context.seed)};
  const auto until = net::Deadline::after(scenario.deadline);
  const std::string scheme = context.tls_client ? "https://" : "http://";
  http::client::SessionOptions options;
  options.base_url = scheme + context.direct.to_string();
  options.tls = context.tls_client;
  options.limits.max_body_bytes = 16 << 20;
  http::client::Session direct(options);
  for (const auto& path : paths) {
    auto baseline = direct.get(path);
    if (!baseline || baseline->status != 200) {
      return broken(Invariant::liveness, "the reference server did not answer " + path +
                                             " directly: " +
                                             (baseline ? fmt::format("status {}", baseline->status)
                                                       : baseline.error().to_string()));
    }
    auto url = scheme + context.via.to_string() + path;
    auto run = run_client_command(*context.client_command, context.via, url, "",
                                  std::max<net::Duration>(until.remaining(), 100ms), 64 << 20,
                                  context.cacert);
    if (!run)
      return broken(Invariant::liveness, "cannot run the client: " + run.error().to_string());
    auto what = fmt::format("GET {} ({} bytes)", path, baseline->body.size());
    if (auto verdict = judge_run(scenario, *run, baseline->body, what)) return std::move(*verdict);
  }
  Outcome out;
  out.detail = "both bodies arrived whole through the client program";
  return out;
}

}  // namespace

Outcome run_client_program_once(const Scenario& scenario, const WorkloadContext& context,
                                const net::Address& address, const std::string& url,
                                const std::string& input, const std::string& expected,
                                const std::string& what) {
  auto run = run_client_command(*context.client_command, address, url, input,
                                scenario.deadline / 2, 64 << 20, context.cacert);
  if (!run) return broken(Invariant::liveness, "cannot run the client: " + run.error().to_string());
  if (auto verdict = judge_run(scenario, *run, expected, what)) return std::move(*verdict);
  Outcome out;
  out.detail = what + ": the client printed the expected bytes and exited 0";
  return out;
}

bool applies_to_client_command(const Scenario& scenario) {
  if (uses_http_faults(scenario)) return false;
  switch (scenario.workload) {
    case Workload::exchange:
    case Workload::large:
    case Workload::datagrams:
    case Workload::http_get:
    case Workload::http_post:
    case Workload::tls_expired_certificate:
    case Workload::tls_wrong_host_certificate:
    case Workload::tls_self_signed_certificate:
      return true;
    default:
      return false;  // properties of a server: half-close, isolation, hygiene, ...
  }
}

Outcome run_client_command_workload(const Scenario& scenario, const WorkloadContext& context) {
  if (is_tls_certificate_workload(scenario)) return run_tls_certificate_workload(scenario, context);
  switch (scenario.workload) {
    case Workload::exchange:
      return echo_client_runs(scenario, context,
                              payloads(context.seed, 3, scenario.max_message_bytes));
    case Workload::large: {
      fault::Rng rng(context.seed);
      return echo_client_runs(scenario, context, {utf8_text(rng, scenario.max_message_bytes)});
    }
    case Workload::datagrams:
      return echo_client_runs(scenario, context, payloads(context.seed, 3, 1200));
    case Workload::http_get:
    case Workload::http_post:
      return http_client_runs(scenario, context);
    default:
      break;
  }
  return broken(Invariant::clarity, "workload not available for a client program");
}

}  // namespace faultline::suites
