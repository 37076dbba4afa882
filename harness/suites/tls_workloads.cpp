// The echo-tls certificate workloads: the client under test must refuse a
// server whose certificate is expired, for another host, or self-signed.
#include <fmt/core.h>

#include "harness/suites/suite_pki.h"
#include "harness/suites/workload.h"
#include "targets/echo/tls_echo_server.h"
#include "targets/http/client/session.h"
#include "targets/http/server/server.h"

namespace faultline::suites {
namespace {

using namespace std::chrono_literals;

const tls::TestIdentity* identity_for(Workload workload) {
  const tls::TestPki& pki = suite_pki();
  switch (workload) {
    case Workload::tls_expired_certificate:
      return &pki.expired;
    case Workload::tls_wrong_host_certificate:
      return &pki.wrong_host;
    case Workload::tls_self_signed_certificate:
      return &pki.self_signed;
    default:
      return nullptr;
  }
}

}  // namespace

bool is_tls_certificate_workload(const Scenario& scenario) {
  return identity_for(scenario.workload) != nullptr;
}

Outcome run_tls_certificate_workload(const Scenario& scenario, const WorkloadContext& context) {
  const tls::TestIdentity* identity = identity_for(scenario.workload);
  if (identity == nullptr) return broken(Invariant::clarity, "not a certificate workload");
  const std::string accepted = fmt::format(
      "the client accepted the {} certificate and went on with the exchange", identity->name);
  auto finish = [&](Outcome outcome) {
    if (outcome.status && !outcome.broken) outcome.detail = accepted;
    return outcome;
  };
  if (scenario.protocol == Protocol::https) {
    http::HttpServerOptions options;
    options.listen = net::Address::loopback(0);
    options.drain_timeout = 100ms;
    options.tls = suite_server_context(*identity);
    http::HttpServer server(options);
    if (auto started = server.start(); !started) {
      return broken(Invariant::liveness,
                    "the reference HTTPS server did not start: " + started.error().to_string());
    }
    const std::string url = "https://" + server.address().to_string() + "/bytes/16?seed=1";
    if (context.client_command) {
      // The expected body: the same server, asked without verification.
      http::client::SessionOptions options_insecure;
      tls::ClientConfig insecure;
      insecure.insecure = true;
      options_insecure.tls = tls::ClientContext::make(insecure).value();
      http::client::Session peek(options_insecure);
      auto body = peek.get(url);
      if (!body) return broken(Invariant::liveness, "the reference HTTPS server did not answer: " +
                                                        body.error().to_string());
      return finish(run_client_program_once(scenario, context, server.address(), url, "",
                                            body->body, "GET " + url));
    }
    http::client::SessionOptions options_client;
    options_client.tls = context.tls_client;
    options_client.timeouts = {.connect = 2s, .read = 2s, .total = scenario.deadline / 2};
    http::client::Session session(options_client);
    auto response = session.get(url);
    if (!response) return failed_with(response.error());
    return finish({});
  }
  echo::EchoServerOptions options;
  options.listen = net::Address::loopback(0);
  echo::TlsEchoServer server(options, suite_server_context(*identity), 2s);
  if (auto started = server.start(); !started) {
    return broken(Invariant::liveness, "the reference TLS server did not start: " +
                                           started.error().to_string());
  }
  const std::string message = "must not be sent";
  if (context.client_command) {
    return finish(run_client_program_once(scenario, context, server.address(), "", message,
                                          message, "echo"));
  }
  echo::EchoTimeouts timeouts;
  timeouts.connect = 2s;
  timeouts.operation = 2s;
  timeouts.overall = scenario.deadline / 2;
  auto replies = context.echo_client->run(server.address(), {message}, timeouts);
  server.stop();
  if (!replies) return failed_with(replies.error());
  return finish({});
}

}  // namespace faultline::suites
