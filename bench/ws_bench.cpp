// bench/ws_bench.cpp: the WebSocket codec and echo server.
//
// Peers in one run, so results read as ratios:
//   BM_WsReceive/{16,65536}     1 MiB of client frames (masked) through a
//                               server-side ws::Connection in 64 KiB reads:
//                               decode, unmask, UTF-8 check (text), events;
//                               items = frames, bytes = payload bytes
//   BM_RawUnmask/{16,65536}     ws::apply_mask over the same payload bytes:
//                               the floor any decoder pays
//   BM_WsEchoServer             round trips (64-byte binary message) against
//                               the WebSocket echo server, bare blocking
//                               client with a pre-masked frame
//   BM_TcpEchoServer            the same bytes against the epoll TCP echo
//                               server, in the same run: ws/tcp is the ratio
// ->Threads(1) and ->Threads(64) give 1 and 64 concurrent connections.
#include <benchmark/benchmark.h>
#include <sys/socket.h>

#include <cstring>
#include <memory>
#include <string>

#include "targets/echo/echo_server.h"
#include "targets/net/socket.h"
#include "targets/ws/connection.h"
#include "targets/ws/echo_server.h"
#include "targets/ws/handshake.h"

namespace faultline::ws {
namespace {

using namespace std::chrono_literals;
constexpr std::size_t kEchoBytes = 64;

std::string client_frames(std::size_t payload_bytes, std::size_t count, Opcode opcode) {
  std::string payload(payload_bytes, 'a');
  std::string out;
  for (std::size_t i = 0; i < count; ++i)
    out += encode_frame({.opcode = opcode,
                         .masked = true,
                         .mask = static_cast<std::uint32_t>(0x9e3779b9u * (i + 1))},
                        payload);
  return out;
}

void BM_WsReceive(benchmark::State& state) {
  const auto payload_bytes = static_cast<std::size_t>(state.range(0));
  const std::size_t count = std::max<std::size_t>(1, (1 << 20) / (payload_bytes + 14));
  const std::string stream = client_frames(payload_bytes, count, Opcode::text);
  for (auto _ : state) {
    // As a server reads: 64 KiB at a time, events taken after each read.
    Connection connection({.role = Role::server});
    std::size_t events = 0;
    for (std::size_t at = 0; at < stream.size(); at += 64 * 1024) {
      if (!connection.receive(std::string_view(stream).substr(at, 64 * 1024))) {
        state.SkipWithError("decode failed");
        return;
      }
      while (auto event = connection.next_event())
        ++events;
    }
    if (events != count) {
      state.SkipWithError("frames lost");
      return;
    }
    benchmark::DoNotOptimize(events);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(count));
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(count * payload_bytes));
}

void BM_RawUnmask(benchmark::State& state) {
  const auto payload_bytes = static_cast<std::size_t>(state.range(0));
  const std::size_t count = std::max<std::size_t>(1, (1 << 20) / (payload_bytes + 14));
  std::string payload(payload_bytes * count, 'a');
  for (auto _ : state) {
    for (std::size_t i = 0; i < count; ++i)
      apply_mask(payload.data() + i * payload_bytes, payload_bytes, 0x9e3779b9u);
    benchmark::DoNotOptimize(payload.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(count));
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(count * payload_bytes));
}

const net::Address& ws_address() {
  static net::Address address = [] {
    auto* server = new WsEchoServer({.max_connections = 4096,  // lives for the process
                                     .ping_interval = net::Duration::zero()});
    if (!server->start()) std::abort();
    return server->address();
  }();
  return address;
}

const net::Address& tcp_address() {
  static net::Address address = [] {
    echo::EchoServerOptions options;
    options.max_connections = 4096;
    auto* server = echo::make_echo_server(echo::ServerModel::epoll, options).release();
    if (!server->start()) std::abort();
    return server->address();
  }();
  return address;
}

// blocking_connect: a bare blocking client socket; with `upgrade`, after the
// WebSocket handshake.
int blocking_connect(const net::Address& address, bool upgrade) {
  auto fd = net::connect_tcp(address, net::Deadline::after(5s));
  if (!fd) return -1;
  (void)net::set_nodelay(fd->get());
  if (upgrade) {
    ClientHandshake handshake({.host = address.to_string()});
    if (!net::send_all(fd->get(), handshake.request(), net::Deadline::after(5s))) return -1;
    char buffer[1024];
    for (int i = 0; i < 100; ++i) {
      auto n = net::recv_some(fd->get(), buffer, sizeof(buffer), net::Deadline::after(5s));
      if (!n || *n == 0) return -1;
      auto step = handshake.feed(std::string_view(buffer, *n));
      if (!step) return -1;
      if (*step == HandshakeStep::accepted) break;
    }
  }
  (void)net::set_nonblocking(fd->get(), false);
  return fd->release();
}

// round_trips: send `request`, read `reply_bytes` back, per iteration.
void round_trips(benchmark::State& state, const net::Address& address, bool upgrade,
                 const std::string& request, std::size_t reply_bytes) {
  int fd = blocking_connect(address, upgrade);
  if (fd < 0) {
    state.SkipWithError("connect failed");
    return;
  }
  std::string reply(reply_bytes, '\0');
  for (auto _ : state) {
    if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) !=
        static_cast<ssize_t>(request.size())) {
      state.SkipWithError("send failed");
      break;
    }
    std::size_t got = 0;
    while (got < reply_bytes) {
      ssize_t n = ::recv(fd, reply.data() + got, reply_bytes - got, 0);
      if (n <= 0) break;
      got += static_cast<std::size_t>(n);
    }
    if (got != reply_bytes) {
      state.SkipWithError("short echo");
      break;
    }
  }
  ::close(fd);
  state.SetItemsProcessed(state.iterations());
}

void BM_WsEchoServer(benchmark::State& state) {
  // A masked 64-byte binary frame in; the unmasked echo (2-byte header) out.
  const std::string frame = client_frames(kEchoBytes, 1, Opcode::binary);
  round_trips(state, ws_address(), true, frame, 2 + kEchoBytes);
}

void BM_TcpEchoServer(benchmark::State& state) {
  const std::string frame = client_frames(kEchoBytes, 1, Opcode::binary);
  round_trips(state, tcp_address(), false, frame, frame.size());
}

BENCHMARK(BM_WsReceive)->Arg(16)->Arg(65536);
BENCHMARK(BM_RawUnmask)->Arg(16)->Arg(65536);
BENCHMARK(BM_WsEchoServer)->Threads(1)->Threads(64)->UseRealTime();
BENCHMARK(BM_TcpEchoServer)->Threads(1)->Threads(64)->UseRealTime();

}  // namespace
}  // namespace faultline::ws

BENCHMARK_MAIN();
