#include "harness/suites/scenario.h"

#include "harness/fault/profile.h"

namespace faultline::suites {

std::string_view protocol_name(Protocol protocol) {
  switch (protocol) {
    case Protocol::echo_tcp:
      return "echo-tcp";
    case Protocol::echo_udp:
      return "echo-udp";
    case Protocol::http:
      return "http";
    case Protocol::echo_tls:
      return "echo-tls";
    case Protocol::https:
      return "https";
    case Protocol::ws_echo:
      return "ws-echo";
  }
  return "echo-tcp";
}

net::Result<Protocol> parse_protocol(std::string_view text) {
  if (text == "echo-tcp") return Protocol::echo_tcp;
  if (text == "echo-udp") return Protocol::echo_udp;
  if (text == "http") return Protocol::http;
  if (text == "echo-tls") return Protocol::echo_tls;
  if (text == "https") return Protocol::https;
  if (text == "ws-echo") return Protocol::ws_echo;
  return net::make_error(net::ErrorKind::invalid_argument,
                         "protocol '" + std::string(text) +
                             "': expected echo-tcp, echo-udp, http, echo-tls, https or ws-echo");
}

std::string_view workload_name(Workload workload) {
  switch (workload) {
    case Workload::exchange:
      return "exchange";
    case Workload::large:
      return "large";
    case Workload::half_close:
      return "half-close";
    case Workload::isolation:
      return "isolation";
    case Workload::hygiene:
      return "hygiene";
    case Workload::datagrams:
      return "datagrams";
    case Workload::http_get:
      return "http-get";
    case Workload::http_post:
      return "http-post";
    case Workload::http_keepalive_stale:
      return "http-keepalive-stale";
    case Workload::http_slow_headers:
      return "http-slow-headers";
    case Workload::tls_expired_certificate:
      return "tls-expired-certificate";
    case Workload::tls_wrong_host_certificate:
      return "tls-wrong-host-certificate";
    case Workload::tls_self_signed_certificate:
      return "tls-self-signed-certificate";
    case Workload::http_post_once:
      return "http-post-once";
    case Workload::ws_close_unanswered:
      return "ws-close-unanswered";
    case Workload::ws_pong_missing:
      return "ws-pong-missing";
    case Workload::ws_frame_over_limit:
      return "ws-frame-over-limit";
    case Workload::ws_unmasked_frame:
      return "ws-unmasked-frame";
    case Workload::ws_fragmented_control:
      return "ws-fragmented-control";
    case Workload::ws_ping_between_fragments:
      return "ws-ping-between-fragments";
  }
  return "exchange";
}

bool uses_http_faults(const Scenario& scenario) {
  auto profile = fault::parse_profile(scenario.profile);
  return profile && profile->has_http_faults();
}

std::string_view invariant_name(Invariant invariant) {
  switch (invariant) {
    case Invariant::integrity:
      return "integrity";
    case Invariant::liveness:
      return "liveness";
    case Invariant::isolation:
      return "isolation";
    case Invariant::hygiene:
      return "hygiene";
    case Invariant::clarity:
      return "clarity";
  }
  return "integrity";
}

std::string_view stability_name(Stability stability) {
  switch (stability) {
    case Stability::not_rerun:
      return "not rerun";
    case Stability::flaky:
      return "flaky";
    case Stability::seed_dependent:
      return "seed-dependent";
    case Stability::consistent:
      return "consistent";
  }
  return "not rerun";
}

Stability classify(const std::vector<RerunResult>& reruns) {
  if (reruns.empty()) return Stability::not_rerun;
  bool same_seed_passed = false, fresh_seed_passed = false;
  for (const auto& rerun : reruns) {
    if (!rerun.passed) continue;
    (rerun.same_seed ? same_seed_passed : fresh_seed_passed) = true;
  }
  if (same_seed_passed) return Stability::flaky;
  if (fresh_seed_passed) return Stability::seed_dependent;
  return Stability::consistent;
}

}  // namespace faultline::suites
