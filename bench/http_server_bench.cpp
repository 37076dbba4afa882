// bench/http_server_bench.cpp: the reference HTTP server's hot paths.
//
// Peers in one run, so results read as ratios:
//   ParserOnly        http::Parser over the same request bytes: the floor for
//                     everything the session does on top (framing, timers,
//                     handler, serialization)
//   Session/*         ServerSession in memory (no sockets): one request, or
//                     16 pipelined in one read; handler: a fixed 200, or httpbin
//   Loopback/*        a bare blocking keep-alive client against HttpServer,
//                     and against FloorServer (a minimal blocking responder
//                     that answers every blank line with a fixed response)
// items_per_second = requests/s.
#include <benchmark/benchmark.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <thread>

#include "targets/http/parser.h"
#include "targets/http/server/httpbin.h"
#include "targets/http/server/server.h"
#include "targets/http/server/server_session.h"
#include "targets/net/socket.h"

namespace faultline::http {
namespace {

constexpr std::string_view kRequest =
    "GET /status/200 HTTP/1.1\r\nHost: bench\r\nUser-Agent: faultline-bench\r\n"
    "Accept: */*\r\n\r\n";
constexpr std::string_view kFixedResponse = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";

Reply fixed_reply(const Message&, const RequestContext&) {
  return Reply{};
}

void BM_ParserOnly(benchmark::State& state) {
  Parser parser(MessageType::request);
  for (auto _ : state) {
    (void)parser.feed(kRequest);
    benchmark::DoNotOptimize(parser.next());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParserOnly);

void session_benchmark(benchmark::State& state, Handler handler, std::string_view target,
                       int pipelined) {
  std::string request = "GET " + std::string(target) + " HTTP/1.1\r\nHost: bench\r\n\r\n";
  std::string wire;
  for (int i = 0; i < pipelined; ++i)
    wire += request;
  SessionOptions options;
  ServerSession session(handler, RequestContext{"127.0.0.1", "127.0.0.1:80"}, options, nullptr,
                        net::TimePoint(0));
  for (auto _ : state) {
    session.on_receive(wire, net::TimePoint(0));
    benchmark::DoNotOptimize(session.output().data());
    session.on_sent(session.output().size(), net::TimePoint(0));
  }
  state.SetItemsProcessed(state.iterations() * pipelined);
}
void BM_SessionFixed(benchmark::State& state) {
  session_benchmark(state, &fixed_reply, "/", static_cast<int>(state.range(0)));
}
BENCHMARK(BM_SessionFixed)->Arg(1)->Arg(16);
void BM_SessionHttpbinGet(benchmark::State& state) {
  session_benchmark(state, httpbin_handler(), "/get?a=1", static_cast<int>(state.range(0)));
}
BENCHMARK(BM_SessionHttpbinGet)->Arg(1)->Arg(16);

// FloorServer: answers each blank line it reads with kFixedResponse. Its
// threads are detached and live as long as the process, as benchmark servers do.
class FloorServer {
 public:
  FloorServer() {
    listener_ = std::move(net::listen_tcp(net::Address::loopback(0)).value());
    (void)net::set_nonblocking(listener_.get(), false);
    address_ = net::local_address(listener_.get()).value();
    std::thread([this] {
      for (;;) {
        int fd = ::accept(listener_.get(), nullptr, nullptr);
        if (fd < 0) continue;
        std::thread([fd] {
          int one = 1;
          ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
          char buffer[4096];
          std::string seen;
          for (;;) {
            ssize_t n = ::recv(fd, buffer, sizeof(buffer), 0);
            if (n <= 0) break;
            seen.append(buffer, static_cast<std::size_t>(n));
            std::size_t end;
            while ((end = seen.find("\r\n\r\n")) != std::string::npos) {
              seen.erase(0, end + 4);
              if (::send(fd, kFixedResponse.data(), kFixedResponse.size(), MSG_NOSIGNAL) < 0) break;
            }
          }
          ::close(fd);
        }).detach();
      }
    }).detach();
  }
  net::Address address() const { return address_; }

 private:
  net::Fd listener_;
  net::Address address_;
};

// round_trips runs keep-alive request/response exchanges with a bare
// blocking client; a response is read until its (fixed-size) end.
void round_trips(benchmark::State& state, const net::Address& address) {
  auto fd = net::connect_tcp(address, net::Deadline::after(std::chrono::seconds(5)));
  if (!fd) {
    state.SkipWithError(fd.error().to_string().c_str());
    return;
  }
  (void)net::set_nonblocking(fd->get(), false);
  int one = 1;
  ::setsockopt(fd->get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  Parser parser(MessageType::response);
  char buffer[4096];
  for (auto _ : state) {
    if (::send(fd->get(), kRequest.data(), kRequest.size(), MSG_NOSIGNAL) < 0) {
      state.SkipWithError("send failed");
      break;
    }
    while (parser.pending() == 0) {
      ssize_t n = ::recv(fd->get(), buffer, sizeof(buffer), 0);
      if (n <= 0 || !parser.feed(std::string_view(buffer, static_cast<std::size_t>(n)))) {
        state.SkipWithError("recv failed");
        return;
      }
    }
    benchmark::DoNotOptimize(parser.next());
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_LoopbackHttpServer(benchmark::State& state) {
  static HttpServer* server = [] {
    auto* s = new HttpServer(HttpServerOptions{});  // lives as long as the process
    (void)s->start();
    return s;
  }();
  round_trips(state, server->address());
}
BENCHMARK(BM_LoopbackHttpServer)->Threads(1)->Threads(16)->UseRealTime();

void BM_LoopbackFloor(benchmark::State& state) {
  static FloorServer* floor = new FloorServer();
  round_trips(state, floor->address());
}
BENCHMARK(BM_LoopbackFloor)->Threads(1)->Threads(16)->UseRealTime();

}  // namespace
}  // namespace faultline::http

BENCHMARK_MAIN();
