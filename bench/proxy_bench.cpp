// bench/proxy_bench.cpp: what the TCP fault proxy costs, and what the
// simulator delivers.
//
// Peers in one run, so results read as ratios:
//   BM_RoundTrip/direct  vs  BM_RoundTrip/proxy   64-byte echo round trip (added latency)
//   BM_Stream/direct     vs  BM_Stream/proxy      1 MiB echoed per iteration (throughput)
// Both through the same epoll echo server and the same TcpEchoClient; the
// proxy runs with an empty profile (pass-through: chains, queues and timers
// still in the path).
//   BM_SimEchoExchange/clean and /faulty: whole simulated echo exchanges
//   (dial, send, echo, close) per second, in virtual time.
#include <benchmark/benchmark.h>

#include "harness/proxy/tcp_proxy.h"
#include "harness/sim/echo_workload.h"
#include "targets/echo/echo_client.h"
#include "targets/echo/echo_server.h"

namespace faultline {
namespace {

struct Servers {
  std::unique_ptr<echo::EchoServer> echo;
  std::unique_ptr<proxy::TcpProxy> proxy;
};

Servers& servers() {
  static Servers* s = [] {
    auto* out = new Servers();
    out->echo = echo::make_echo_server(echo::ServerModel::epoll, echo::EchoServerOptions{});
    if (!out->echo->start()) std::abort();
    proxy::ProxyOptions options;
    options.upstream = out->echo->address();
    out->proxy = std::make_unique<proxy::TcpProxy>(options, fault::Profile{});
    if (!out->proxy->start()) std::abort();
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
BENCHMARK(BM_SimEchoExchange)->Arg(0)->Arg(1);

}  // namespace
}  // namespace faultline

BENCHMARK_MAIN();
