// bench/proxy_bench.cpp: what the TCP fault proxy costs, and what the
// simulator delivers.
//
// Peers in one run, so results read as ratios:
//   BM_RoundTrip/direct  vs  BM_RoundTrip/proxy   64-byte echo round trip (added latency)
//   BM_Stream/direct     vs  BM_Stream/proxy      1 MiB echoed per iteration (throughput)
// Both through the same epoll echo server and the same TcpEchoClient; the
// proxy runs with an empty profile (pass-through: chains, queues and timers
// still in the path). Arg 2 is BareForwarder below: a single-threaded epoll
// forwarder written for this benchmark (read, write, nothing else), the
// floor a forwarding loop can reach on this machine.
//   BM_RoundTripBare/{direct,proxy,bare}/threads:{1,64}  64-byte round trips
//     with a bare blocking client per benchmark thread (one connection each).
//   BM_ConnectionAllocs/{direct,proxy,bare}: connect, one 64-byte round trip,
//     close; alloc_bytes_per_conn counts what the whole process allocated
//     per connection (the client's share is the direct row).
//   BM_HttpGet/direct/N  vs  BM_HttpGet/proxy/N   keep-alive GET /bytes/N from the
//     reference HTTP server with our client session: time per request, the
//     shape of Toxiproxy's own benchmark (Go http.Client GETs, direct and
//     through the proxy with no toxics).
//   BM_SimEchoExchange/clean and /faulty: whole simulated echo exchanges
//   (dial, send, echo, close) per second, in virtual time.
#include <benchmark/benchmark.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <thread>
#include <unordered_map>

#include "bench/alloc_counter.h"

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

// BareForwarder: accept, connect upstream, then move bytes both ways: read
// into a buffer, write it out; what a write leaves over waits (reading that
// side pauses) until the destination takes it. One thread, level-triggered
// epoll, nothing else. Lives as long as the process, as benchmark servers do.
class BareForwarder {
 public:
  explicit BareForwarder(const net::Address& upstream) : upstream_(upstream) {
    listener_ = std::move(net::listen_tcp(net::Address::loopback(0)).value());
    address_ = net::local_address(listener_.get()).value();
    epoll_ = ::epoll_create1(EPOLL_CLOEXEC);
    watch(listener_.get(), EPOLLIN, EPOLL_CTL_ADD);
    std::thread([this] { run(); }).detach();
  }
  net::Address address() const { return address_; }

 private:
  struct Side {
    int fd = -1;
    int peer = -1;
    std::string pending;  // read from fd, not yet written to peer
  };

  void watch(int fd, std::uint32_t events, int op) {
    epoll_event event{};
    event.events = events;
    event.data.fd = fd;
    ::epoll_ctl(epoll_, op, fd, &event);
  }

  void run() {
    epoll_event events[64];
    char buffer[64 * 1024];
    for (;;) {
      const int ready = ::epoll_wait(epoll_, events, 64, -1);
      for (int i = 0; i < ready; ++i) {
        const int fd = events[i].data.fd;
        if (fd == listener_.get()) {
          accept_one();
          continue;
        }
        auto found = sides_.find(fd);
        if (found == sides_.end()) continue;
        Side& side = found->second;
        Side& peer = sides_[side.peer];
        if (!peer.pending.empty() && !flush(peer)) continue;  // fd writable: drain what waits
        if (!side.pending.empty()) continue;                  // its peer is full: wait
        const ssize_t n = ::recv(fd, buffer, sizeof(buffer), 0);
        if (n <= 0) {
          if (n < 0 && errno == EAGAIN) continue;
          close_pair(fd, side.peer);
          continue;
        }
        const ssize_t sent = ::send(side.peer, buffer, static_cast<std::size_t>(n), MSG_NOSIGNAL);
        const std::size_t done = sent > 0 ? static_cast<std::size_t>(sent) : 0;
        if (done < static_cast<std::size_t>(n)) {
          side.pending.assign(buffer + done, static_cast<std::size_t>(n) - done);
          watch(fd, 0, EPOLL_CTL_MOD);
          watch(side.peer, EPOLLIN | EPOLLOUT, EPOLL_CTL_MOD);
        }
      }
    }
  }

  // flush writes side.pending to its peer; true once it is all out.
  bool flush(Side& side) {
    const ssize_t sent = ::send(side.peer, side.pending.data(), side.pending.size(), MSG_NOSIGNAL);
    if (sent > 0) side.pending.erase(0, static_cast<std::size_t>(sent));
    if (!side.pending.empty()) return false;
    watch(side.fd, EPOLLIN, EPOLL_CTL_MOD);
    watch(side.peer, EPOLLIN, EPOLL_CTL_MOD);
    return true;
  }

  void accept_one() {
    const int client = ::accept4(listener_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (client < 0) return;
    auto upstream = net::connect_tcp(upstream_, net::Deadline::after(std::chrono::seconds(5)));
    if (!upstream) {
      ::close(client);
      return;
    }
    const int server = upstream->release();
    int one = 1;
    ::setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    ::setsockopt(server, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    (void)net::set_nonblocking(server, true);
    sides_[client] = Side{client, server, {}};
    sides_[server] = Side{server, client, {}};
    watch(client, EPOLLIN, EPOLL_CTL_ADD);
    watch(server, EPOLLIN, EPOLL_CTL_ADD);
  }

  void close_pair(int a, int b) {
    sides_.erase(a);
    sides_.erase(b);
    ::close(a);
    ::close(b);
  }

  net::Address upstream_;
  net::Fd listener_;
  net::Address address_;
  int epoll_ = -1;
  std::unordered_map<int, Side> sides_;
};

struct Servers {
  std::unique_ptr<echo::EchoServer> echo;
  std::unique_ptr<proxy::TcpProxy> proxy;
  std::unique_ptr<BareForwarder> bare;
};

Servers& servers() {
  static Servers* s = [] {
    auto* out = new Servers();
    out->echo = echo::make_echo_server(echo::ServerModel::epoll, echo::EchoServerOptions{});
    if (!out->echo->start()) std::abort();
    out->proxy = pass_through_proxy(out->echo->address());
    out->bare = std::make_unique<BareForwarder>(out->echo->address());
    return out;
  }();
  return *s;
}

net::Address target(const benchmark::State& state) {
  switch (state.range(0)) {
    case 0:
      return servers().echo->address();
    case 1:
      return servers().proxy->address();
    default:
      return servers().bare->address();
  }
}

const char* label(const benchmark::State& state) {
  switch (state.range(0)) {
    case 0:
      return "direct";
    case 1:
      return "proxy";
    default:
      return "bare";
  }
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
  state.SetLabel(label(state));
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
  state.SetLabel(label(state));
}

// bare_client: a blocking TCP_NODELAY connection for the bare round trips.
net::Result<net::Fd> bare_client(const net::Address& address) {
  auto fd = net::connect_tcp(address, net::Deadline::after(std::chrono::seconds(5)));
  if (!fd) return fd;
  (void)net::set_nonblocking(fd->get(), false);
  int one = 1;
  ::setsockopt(fd->get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  return fd;
}

// bare_round_trip sends 64 bytes and reads 64 back; false on any failure.
bool bare_round_trip(int fd) {
  char message[64] = {};
  if (::send(fd, message, sizeof(message), MSG_NOSIGNAL) != static_cast<ssize_t>(sizeof(message)))
    return false;
  std::size_t got = 0;
  while (got < sizeof(message)) {
    const ssize_t n = ::recv(fd, message + got, sizeof(message) - got, 0);
    if (n <= 0) return false;
    got += static_cast<std::size_t>(n);
  }
  return true;
}

void BM_RoundTripBare(benchmark::State& state) {
  auto fd = bare_client(target(state));
  if (!fd) {
    state.SkipWithError(fd.error().to_string().c_str());
    return;
  }
  for (auto _ : state) {
    if (!bare_round_trip(fd->get())) {
      state.SkipWithError("round trip failed");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(label(state));
}

void BM_ConnectionAllocs(benchmark::State& state) {
  const net::Address address = target(state);
  const bench::AllocCount before = bench::alloc_count();
  for (auto _ : state) {
    auto fd = bare_client(address);
    if (!fd || !bare_round_trip(fd->get())) {
      state.SkipWithError("connect or round trip failed");
      break;
    }
  }
  const bench::AllocCount spent = bench::alloc_count() - before;
  const auto connections = static_cast<double>(state.iterations());
  state.counters["alloc_bytes_per_conn"] = static_cast<double>(spent.bytes) / connections;
  state.counters["allocs_per_conn"] = static_cast<double>(spent.calls) / connections;
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(label(state));
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

BENCHMARK(BM_RoundTrip)->Arg(0)->Arg(1)->Arg(2)->UseRealTime();
BENCHMARK(BM_Stream)->Arg(0)->Arg(1)->Arg(2)->UseRealTime();
BENCHMARK(BM_RoundTripBare)->Arg(0)->Arg(1)->Arg(2)->Threads(1)->Threads(64)->UseRealTime();
BENCHMARK(BM_ConnectionAllocs)->Arg(0)->Arg(1)->Arg(2)->UseRealTime();
BENCHMARK(BM_HttpGet)->ArgsProduct({{0, 1}, {16, 65536}})->UseRealTime();
BENCHMARK(BM_SimEchoExchange)->Arg(0)->Arg(1);

}  // namespace
}  // namespace faultline

BENCHMARK_MAIN();
