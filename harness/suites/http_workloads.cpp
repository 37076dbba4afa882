// The http workloads, through the requests-like client session.
#include <thread>
#include <vector>

#include <fmt/core.h>

#include "harness/suites/workload.h"
#include "targets/http/client/session.h"
#include "targets/net/socket.h"

namespace faultline::suites {
namespace {

using namespace std::chrono_literals;
namespace client = http::client;

client::SessionOptions session_options(const Scenario& scenario, const net::Address& address) {
  client::SessionOptions options;
  options.base_url = "http://" + address.to_string();
  options.timeouts.connect = 2s;
  options.timeouts.read = std::min<net::Duration>(2s, scenario.deadline / 3);
  options.timeouts.total = scenario.deadline / 2;
  options.retry.max_retries = 2;
  return options;
}

// get_checks: GET /get?key=value and a 16 KiB /bytes body, both verified.
Outcome get_checks(client::Session& session, std::uint64_t seed) {
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
  auto bytes = session.get(fmt::format("/bytes/16384?seed={}", seed));
  if (!bytes) return failed_with(bytes.error());
  if (bytes->status != 200 || bytes->body.size() != 16384) {
    return broken(Invariant::integrity, fmt::format("GET /bytes/16384: status {}, {} body bytes",
                                                    bytes->status, bytes->body.size()));
  }
  Outcome out;
  out.detail = "GET /get echoed its argument; /bytes/16384 arrived whole";
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

Outcome stale_keepalive(const Scenario& scenario, const WorkloadContext& context) {
  client::Session session(session_options(scenario, context.via));
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
    client::Session session(session_options(scenario, context.via));
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

Outcome run_http_workload(const Scenario& scenario, const WorkloadContext& context) {
  switch (scenario.workload) {
    case Workload::http_get: {
      client::Session session(session_options(scenario, context.via));
      return get_checks(session, context.seed);
    }
    case Workload::http_post: {
      client::Session session(session_options(scenario, context.via));
      return post_checks(session);
    }
    case Workload::http_keepalive_stale:
      return stale_keepalive(scenario, context);
    case Workload::http_slow_headers:
      return slow_headers(scenario, context);
    default:
      break;
  }
  return broken(Invariant::clarity, "workload not available for http");
}

}  // namespace faultline::suites
