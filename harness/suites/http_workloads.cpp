// The http workloads, through the requests-like client session.
#include <thread>
#include <vector>

#include <fmt/core.h>

#include "harness/suites/mutants/http_mutants.h"
#include "harness/suites/workload.h"
#include "targets/http/client/session.h"
#include "targets/net/socket.h"

namespace faultline::suites {
namespace {

using namespace std::chrono_literals;
namespace client = http::client;

client::SessionOptions session_options(const Scenario& scenario, const net::Address& address,
                                       const WorkloadContext& context) {
  client::SessionOptions options;
  options.base_url = (context.tls_client ? "https://" : "http://") + address.to_string();
  options.tls = context.tls_client;
  options.timeouts.connect = 2s;
  options.timeouts.read = std::min<net::Duration>(2s, scenario.deadline / 3);
  options.timeouts.total = scenario.deadline / 2;
  options.retry.max_retries = 2;
  (void)apply_http_client_mutant(context.http_client, options);
  return options;
}

// post_once: one POST that the scenario's http_fail answers with 503. A
// correct client hands the 503 back: re-sending a non-idempotent request
// could apply it twice. A client that retried gets the upstream's 200.
Outcome post_once(client::Session& session) {
  nlohmann::json sent = {{"order", 42}};
  auto r = session.post("/post", {.json = sent});
  if (!r) return failed_with(r.error());
  auto counters = session.counters();
  if (r->status == 200) {
    return broken(Invariant::integrity,
                  "POST /post answered 503, and the client sent it again (status 200 on a later "
                  "attempt): a non-idempotent request must not be retried");
  }
  if (r->status != 503) {
    return broken(Invariant::integrity, fmt::format("POST /post: status {} (expected the 503 "
                                                    "the proxy answered)",
                                                    r->status));
  }
  Outcome out;
  out.detail = fmt::format(
      "the 503 to the POST came back to the caller, not re-sent ({} "
      "connections opened)",
      counters.connections_opened);
  return out;
}

// get_checks: GET /get?key=value and a 16 KiB /bytes body, both verified.
Outcome get_checks(client::Session& session, std::uint64_t seed, std::size_t body_bytes = 16384) {
  auto r = session.get("/get", {.params = {{"key", "value"}}});
  if (!r) return failed_with(r.error());
  if (r->status != 200)
    return broken(Invariant::integrity, fmt::format("GET /get: status {}", r->status));
  auto json = r->json();
  if (!json) return broken(Invariant::integrity, "GET /get: " + json.error().to_string());
  if (!json->contains("args") || (*json)["args"].value("key", "") != "value") {
    return broken(Invariant::integrity,
                  "GET /get: args.key is not \"value\": " + r->body.substr(0, 200));
  }
  auto bytes = session.get(fmt::format("/bytes/{}?seed={}", body_bytes, seed));
  if (!bytes) return failed_with(bytes.error());
  if (bytes->status != 200 || bytes->body.size() != body_bytes) {
    return broken(Invariant::integrity, fmt::format("GET /bytes/{}: status {}, {} body bytes",
                                                    body_bytes, bytes->status, bytes->body.size()));
  }
  Outcome out;
  out.detail = fmt::format("GET /get echoed its argument; /bytes/{} arrived whole", body_bytes);
  return out;
}

Outcome post_checks(client::Session& session) {
  nlohmann::json sent = {{"name", "Python"}, {"version", "3.9"}};
  auto r = session.post("/post", {.json = sent});
  if (!r) return failed_with(r.error());
  if (r->status != 200)
    return broken(Invariant::integrity, fmt::format("POST /post: status {}", r->status));
  auto json = r->json();
  if (!json) return broken(Invariant::integrity, "POST /post: " + json.error().to_string());
  if (!json->contains("json") || (*json)["json"] != sent) {
    return broken(Invariant::integrity,
                  "POST /post: the JSON did not come back: " + r->body.substr(0, 200));
  }
  Outcome out;
  out.detail = "POST /post echoed the JSON body";
  return out;
}

// differential: each of the user's requests, straight to the service (the
// baseline) and then through the fault proxy: the same response, or an error.
Outcome differential(const Scenario& scenario, const WorkloadContext& context) {
  const auto& spec = *context.http_requests;
  client::SessionOptions direct_options = session_options(scenario, context.direct, context);
  direct_options.timeouts.read = 5s;
  direct_options.timeouts.total = scenario.deadline / 2;
  direct_options.limits.max_body_bytes = 64 << 20;
  client::Session direct(direct_options);
  auto via_options = session_options(scenario, context.via, context);
  via_options.limits.max_body_bytes = 64 << 20;
  client::Session via(via_options);
  std::size_t same = 0;
  for (const auto& request : spec.requests) {
    client::RequestOptions options;
    if (request.body) {
      options.data = *request.body;
      options.content_type = request.content_type;
    }
    options.follow_redirects = false;
    auto baseline = direct.request(request.method, request.path, options);
    if (!baseline) {
      return broken(Invariant::liveness, fmt::format("{}: no baseline answer straight from the "
                                                     "service, with no fault: {}",
                                                     request.text, baseline.error().to_string()));
    }
    auto got = via.request(request.method, request.path, options);
    if (!got) {
      Outcome out = failed_with(got.error());
      out.detail = fmt::format("{}: {} (the baseline: status {}, {} body bytes)", request.text,
                               got.error().to_string(), baseline->status, baseline->body.size());
      return out;
    }
    if (auto difference = response_difference(*baseline, *got, spec.volatile_headers)) {
      return broken(Invariant::integrity, request.text + ": " + *difference);
    }
    ++same;
  }
  Outcome out;
  out.detail =
      fmt::format("{} of {} requests answered as in the baseline", same, spec.requests.size());
  return out;
}

Outcome stale_keepalive(const Scenario& scenario, const WorkloadContext& context) {
  client::Session session(session_options(scenario, context.via, context));
  auto first = get_checks(session, context.seed);
  if (!first.status || first.broken) return first;
  // The server side closes the pooled connection while it sits idle.
  context.close_proxied_connections();
  auto second = get_checks(session, context.seed + 1);
  if (!second.status || second.broken) {
    second.detail = "after the server closed the idle pooled connection: " + second.detail;
    return second;
  }
  auto counters = session.counters();
  Outcome out;
  out.detail = fmt::format(
      "the request after the close succeeded ({} connections opened, {} "
      "stale ones dropped, {} re-sent)",
      counters.connections_opened, counters.stale_discarded, counters.stale_retries);
  return out;
}

Outcome slow_headers(const Scenario& scenario, const WorkloadContext& context) {
  // The slowloris: a request's header section, one byte at a time.
  auto slow = net::connect_tcp(context.via, net::Deadline::after(2s));
  if (!slow) return failed_with(slow.error());
  std::atomic<bool> done{false};
  std::thread trickle([&] {
    const std::string head =
        "GET /get HTTP/1.1\r\nHost: slow\r\nX-Padding: " + std::string(200, 'a');
    for (char c : head) {
      if (done) break;
      if (!net::send_all(slow->get(), std::string_view(&c, 1), net::Deadline::after(1s))) break;
      (void)net::wait_for(-1, net::Readiness::readable, net::Deadline::after(50ms), "trickle");
    }
  });
  Outcome result;
  for (int i = 0; i < 5 && result.status && !result.broken; ++i) {
    if (context.http_requests) {
      result = differential(scenario, context);
      continue;
    }
    client::Session session(session_options(scenario, context.via, context));
    result = get_checks(session, context.seed + static_cast<std::uint64_t>(i));
  }
  done = true;
  trickle.join();
  if (!result.status || result.broken) {
    return broken(Invariant::isolation,
                  "while a client trickled its headers, others failed: " + result.detail);
  }
  result.detail = "5 sessions served while a slowloris client trickled its headers";
  return result;
}

}  // namespace

bool applies_to_http_requests(const Scenario& scenario) {
  if (uses_http_faults(scenario)) return false;
  return scenario.workload == Workload::http_get || scenario.workload == Workload::http_post ||
         scenario.workload == Workload::http_slow_headers;
}

Outcome run_http_workload(const Scenario& scenario, const WorkloadContext& context) {
  if (context.http_requests && scenario.workload != Workload::http_slow_headers) {
    return differential(scenario, context);
  }
  switch (scenario.workload) {
    case Workload::http_get: {
      client::Session session(session_options(scenario, context.via, context));
      return get_checks(session, context.seed,
                        std::max<std::size_t>(16384, scenario.max_message_bytes));
    }
    case Workload::http_post: {
      client::Session session(session_options(scenario, context.via, context));
      return post_checks(session);
    }
    case Workload::http_keepalive_stale:
      return stale_keepalive(scenario, context);
    case Workload::http_slow_headers:
      return slow_headers(scenario, context);
    case Workload::http_post_once: {
      client::Session session(session_options(scenario, context.via, context));
      return post_once(session);
    }
    default:
      break;
  }
  return broken(Invariant::clarity, "workload not available for http");
}

}  // namespace faultline::suites
