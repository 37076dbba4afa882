#include "harness/suites/runner.h"

#include <algorithm>
#include <future>
#include <thread>

#include <fmt/core.h>

#include "harness/proxy/tcp_proxy.h"
#include "harness/proxy/udp_proxy.h"
#include "harness/suites/suite_pki.h"
#include "harness/suites/tls_echo_client.h"
#include "harness/suites/workload.h"

namespace faultline::suites {
namespace {

using namespace std::chrono_literals;

bool expected(const Scenario& scenario, net::ErrorKind kind) {
  return std::find(scenario.expected_errors.begin(), scenario.expected_errors.end(), kind) !=
         scenario.expected_errors.end();
}

std::string kinds(const Scenario& scenario) {
  std::string out;
  for (auto kind : scenario.expected_errors) {
    if (!out.empty()) out += " or ";
    out += net::kind_name(kind);
  }
  return out;
}

}  // namespace

void record_coverage(const std::vector<fault::ClauseTally>& tally, ScenarioResult& result) {
  result.coverage.clear();
  bool any_fired = false;
  for (const auto& clause : tally) {
    result.coverage.push_back(ClauseCoverage{clause.clause, clause.times_fired()});
    any_fired = any_fired || clause.fired();
  }
  result.vacuous = !tally.empty() && !any_fired;
}

EchoClientUnderTest reference_echo_client() {
  return EchoClientUnderTest{
      "reference",
      [](const net::Address& address, const std::vector<std::string>& messages,
         const echo::EchoTimeouts& timeouts) -> net::Result<std::vector<std::string>> {
        auto client = echo::TcpEchoClient::connect(address, timeouts);
        if (!client) return tl::unexpected(client.error());
        std::vector<std::string> replies;
        for (const auto& message : messages) {
          auto reply = client->exchange(message);
          if (!reply) return tl::unexpected(reply.error());
          replies.push_back(std::move(*reply));
        }
        return replies;
      }};
}

void judge(const Scenario& scenario, const Outcome& outcome, ScenarioResult& result) {
  result.detail = outcome.detail;
  if (outcome.broken) {
    result.passed = false;
    result.broken = *outcome.broken;
    return;
  }
  if (!outcome.status) {
    const auto& error = outcome.status.error();
    if (expected(scenario, error.kind)) {
      result.passed = true;
      result.detail = "failed as it should: " + error.to_string();
      return;
    }
    result.passed = false;
    if (!scenario.expected_errors.empty()) {
      result.broken = Invariant::clarity;
      result.detail = fmt::format("expected {} but got {}", kinds(scenario), error.to_string());
    } else {
      // A fault-free outcome was due: a timeout means it did not get done, any
      // other error means bytes went missing.
      result.broken =
          error.kind == net::ErrorKind::timeout ? Invariant::liveness : Invariant::integrity;
      result.detail = error.to_string();
    }
    return;
  }
  if (!scenario.expected_errors.empty()) {
    result.passed = false;
    result.broken = Invariant::clarity;
    result.detail =
        fmt::format("expected {} but the workload succeeded ({})", kinds(scenario), outcome.detail);
    return;
  }
  result.passed = true;
}

Runner::Runner(Target& target, Protocol protocol, RunnerOptions options)
    : target_(target), protocol_(protocol), options_(std::move(options)) {
  if (protocol_ == Protocol::echo_tls && !options_.echo_client.speaks_tls) {
    options_.echo_client = tls_echo_client(nullptr);
  }
}

ScenarioResult Runner::run(const Scenario& scenario, std::uint64_t seed) {
  ScenarioResult result;
  result.scenario = scenario.name;
  // The target's name once it runs: a --target-cmd target names itself by
  // its command with the port filled in.
  auto name_target = [&] {
    if (!options_.client_command.empty()) {
      result.target = "client " + (options_.client_name.empty() ? options_.client_command
                                                                : options_.client_name);
      return;
    }
    result.target = target_.describe() + (options_.echo_client.name == "reference"
                                              ? ""
                                              : " with client " + options_.echo_client.name);
    if (options_.http_client != "reference")
      result.target += " with client " + options_.http_client;
  };
  name_target();
  result.seed = seed;
  result.replay = fmt::format("faultline suite {} --protocol {} --scenarios '{}' --seed {}{}",
                              options_.client_command.empty()
                                  ? target_.replay_flags()
                                  : "--client-cmd " + shell_quote(options_.client_command),
                              protocol_name(protocol_), scenario.name, seed, options_.replay_extra);
  const auto started = net::MonotonicClock::now();
  auto finish = [&] { result.elapsed = net::MonotonicClock::now() - started; };

  auto up = target_.start();
  name_target();
  if (!up) {
    result.broken = Invariant::liveness;
    result.detail = "target did not start: " + up.error().to_string();
    result.target_down = true;
    finish();
    return result;
  }
  auto profile = fault::parse_profile(scenario.profile);
  auto transport =
      protocol_ == Protocol::echo_udp ? fault::Transport::datagram : fault::Transport::stream;
  if (!profile || !profile->validate_for(transport)) {
    result.broken = Invariant::clarity;
    result.detail = "scenario profile is invalid: " +
                    (profile ? profile->validate_for(transport).error().to_string()
                             : profile.error().to_string());
    finish();
    return result;
  }

  std::unique_ptr<proxy::TcpProxy> tcp;
  std::unique_ptr<proxy::UdpProxy> udp;
  WorkloadContext context;
  context.direct = target_.address();
  context.target = &target_;
  context.echo_client = &options_.echo_client;
  if (!options_.client_command.empty()) context.client_command = &options_.client_command;
  context.http_requests = options_.http_requests.get();
  context.http_client = options_.http_client;
  context.seed = seed;
  context.deadline = scenario.deadline;
  context.protocol = protocol_;
  if (protocol_ == Protocol::https) {
    context.tls_client =
        options_.tls_client ? options_.tls_client : suite_client_context("http/1.1");
  }
  if ((protocol_ == Protocol::https || protocol_ == Protocol::echo_tls) &&
      !options_.client_command.empty()) {
    auto directory = suite_pki_directory();
    if (!directory) {
      result.broken = Invariant::liveness;
      result.detail = "the test CA file could not be written: " + directory.error().to_string();
      finish();
      return result;
    }
    context.cacert = *directory + "/ca.pem";
  }
  if (protocol_ == Protocol::echo_udp) {
    proxy::UdpProxyOptions options;
    options.upstream = target_.address();
    options.seed = seed;
    udp = std::make_unique<proxy::UdpProxy>(options, *profile);
    if (auto up = udp->start(); !up) {
      result.broken = Invariant::liveness;
      result.detail = "proxy did not start: " + up.error().to_string();
      finish();
      return result;
    }
    context.via = udp->address();
  } else {
    proxy::ProxyOptions options;
    options.upstream = target_.address();
    options.seed = seed;
    // Small windows: a slow direction pushes back on the target quickly, so a
    // target that mishandles partial writes or owed bytes shows it.
    options.socket_buffer_bytes = 64 * 1024;
    // The proxy reads HTTP only where a scenario's faults need it, so the
    // byte-level scenarios keep their bytes exactly as the target sent them.
    options.http_aware = protocol_ == Protocol::http && profile->has_http_faults();
    tcp = std::make_unique<proxy::TcpProxy>(options, *profile);
    if (auto up = tcp->start(); !up) {
      result.broken = Invariant::liveness;
      result.detail = "proxy did not start: " + up.error().to_string();
      finish();
      return result;
    }
    context.via = tcp->address();
    context.close_proxied_connections = [proxy = tcp.get()] { proxy->close_connections(); };
  }

  std::promise<Outcome> promise;
  auto future = promise.get_future();
  std::thread worker([&] {
    Outcome outcome;
    if (context.client_command) {
      promise.set_value(run_client_command_workload(scenario, context));
      return;
    }
    if (is_tls_certificate_workload(scenario)) {
      promise.set_value(run_tls_certificate_workload(scenario, context));
      return;
    }
    switch (protocol_) {
      case Protocol::echo_tcp:
      case Protocol::echo_tls:  // the echo client under test speaks TLS
        outcome = run_echo_tcp_workload(scenario, context);
        break;
      case Protocol::echo_udp:
        outcome = run_echo_udp_workload(scenario, context);
        break;
      case Protocol::http:
      case Protocol::https:  // the context carries the TLS client settings
        outcome = run_http_workload(scenario, context);
        break;
      case Protocol::ws_echo:
        outcome = run_ws_workload(scenario, context);
        break;
    }
    promise.set_value(std::move(outcome));
  });
  const auto grace = 2s;
  if (future.wait_for(scenario.deadline + grace) != std::future_status::ready) {
    result.passed = false;
    result.broken = Invariant::liveness;
    result.detail =
        fmt::format("no outcome within the {}s deadline: the client hung",
                    std::chrono::duration_cast<std::chrono::seconds>(scenario.deadline).count());
    // Stopping the proxy closes every proxied connection: a client blocked
    // reading one returns.
    if (tcp) tcp->stop();
    if (udp) udp->stop();
    worker.join();
    finish();
    return result;
  }
  worker.join();
  judge(scenario, future.get(), result);
  if (tcp) tcp->stop();
  if (udp) udp->stop();
  record_coverage(tcp ? tcp->fault_tally() : udp->fault_tally(), result);
  finish();
  return result;
}

}  // namespace faultline::suites
