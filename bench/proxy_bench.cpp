// bench/proxy_bench.cpp: what the TCP fault proxy costs, and what the
// simulator delivers.
//
// Peers in one run, so results read as ratios:
//   BM_RoundTrip/direct  vs  BM_RoundTrip/proxy   64-byte echo round trip (added latency)
//   BM_Stream/direct     vs  BM_Stream/proxy      1 MiB echoed per iteration (throughput)
// Both through the same epoll echo server and the same TcpEchoClient; the
// proxy runs with an empty profile (pass-through: chains, queues and timers
// still in the path).
//   BM_HttpGet/direct/N  vs  BM_HttpGet/proxy/N   keep-alive GET /bytes/N from the
//     reference HTTP server with our client session: time per request, the
//     shape of Toxiproxy's own benchmark (Go http.Client GETs, direct and
//     through the proxy with no toxics).
//   BM_SimEchoExchange/clean and /faulty: whole simulated echo exchanges
//   (dial, send, echo, close) per second, in virtual time.
#include <benchmark/benchmark.h>

#include "harness/proxy/tcp_proxy.h"
#include "harness/sim/echo_workload.h"
#include "targets/echo/echo_client.h"
#include "targets/echo/echo_server.h"
#include "targets/http/client/session.h"
#include "targets/http/server/server.h"

namespace faultline {
namespace {

// pass_through_proxy: a started TCP proxy to `upstream` with an empty profile.
std::unique_ptr<proxy::TcpProxy> pass_through_proxy(const net::Address& upstream) {
  proxy::ProxyOptions options;
  options.upstream = upstream;
  auto proxy = std::make_unique<proxy::TcpProxy>(options, fault::Profile{});
  if (!proxy->start()) std::abort();
  return proxy;
}

struct Servers {
  std::unique_ptr<echo::EchoServer> echo;
  std::unique_ptr<proxy::TcpProxy> proxy;
};

Servers& servers() {
  static Servers* s = [] {
    auto* out = new Servers();
    out->echo = echo::make_echo_server(echo::ServerModel::epoll, echo::EchoServerOptions{});
    if (!out->echo->start()) std::abort();
    out->proxy = pass_through_proxy(out->echo->address());
    return out;
  }();
  return *s;
}

net::Address target(const benchmark::State& state) {
  return state.range(0) == 0 ? servers().echo->address() : servers().proxy->address();
}

void BM_RoundTrip(benchmark::State& state) {
  auto client = echo::TcpEchoClient::connect(target(state), echo::EchoTimeouts{});
  if (!client) {
    state.SkipWithError("connect failed");
    return;
  }
  std::string message(64, 'x');
  for (auto _ : state) {
    auto reply = client->exchange(message);
    if (!reply) {
      state.SkipWithError(reply.error().to_string().c_str());
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(state.range(0) == 0 ? "direct" : "proxy");
}

void BM_Stream(benchmark::State& state) {
  auto client = echo::TcpEchoClient::connect(target(state), echo::EchoTimeouts{});
  if (!client) {
    state.SkipWithError("connect failed");
    return;
  }
  std::string message(1 << 20, 'y');
  for (auto _ : state) {
    auto reply = client->exchange(message);
    if (!reply) {
      state.SkipWithError(reply.error().to_string().c_str());
      break;
    }
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(message.size()));
  state.SetLabel(state.range(0) == 0 ? "direct" : "proxy");
}

struct HttpServers {
  std::unique_ptr<http::HttpServer> http;
  std::unique_ptr<proxy::TcpProxy> proxy;
};

HttpServers& http_servers() {
  static HttpServers* s = [] {
    auto* out = new HttpServers();
    http::HttpServerOptions server_options;
    server_options.listen = net::Address::loopback(0);
    out->http = std::make_unique<http::HttpServer>(server_options);
    if (!out->http->start()) std::abort();
    out->proxy = pass_through_proxy(out->http->address());
    return out;
  }();
  return *s;
}

void BM_HttpGet(benchmark::State& state) {
  const net::Address address =
      state.range(0) == 0 ? http_servers().http->address() : http_servers().proxy->address();
  const std::string url =
      "http://" + address.to_string() + "/bytes/" + std::to_string(state.range(1));
  http::client::Session session;
  for (auto _ : state) {
    auto response = session.get(url);
    if (!response || response->status != 200 ||
        response->body.size() != static_cast<std::size_t>(state.range(1))) {
      state.SkipWithError(response ? "not a 200 with the body asked for"
                                   : response.error().to_string().c_str());
      break;
    }
    benchmark::DoNotOptimize(response->body.data());
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(state.range(0) == 0 ? "direct" : "proxy");
  state.counters["connections"] = static_cast<double>(session.counters().connections_opened);
}

void BM_SimEchoExchange(benchmark::State& state) {
  auto profile =
      state.range(0) == 0
          ? fault::Profile{}
          : fault::parse_profile("slicer min=1B max=64B; latency delay=5ms jitter=2ms").value();
  std::string message(256, 'z');
  std::uint64_t seed = 0;
  for (auto _ : state) {
    auto run = sim::run_echo_exchange(profile, seed++, message, std::chrono::seconds(30), false);
    if (!run.reply) {
      state.SkipWithError(run.reply.error().to_string().c_str());
      break;
    }
    benchmark::DoNotOptimize(run.trace_hash);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(state.range(0) == 0 ? "clean" : "slicer+latency");
}

BENCHMARK(BM_RoundTrip)->Arg(0)->Arg(1)->UseRealTime();
BENCHMARK(BM_Stream)->Arg(0)->Arg(1)->UseRealTime();
BENCHMARK(BM_HttpGet)->ArgsProduct({{0, 1}, {16, 65536}})->UseRealTime();
BENCHMARK(BM_SimEchoExchange)->Arg(0)->Arg(1);

}  // namespace
}  // namespace faultline

BENCHMARK_MAIN();
