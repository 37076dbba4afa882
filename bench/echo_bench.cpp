// bench/echo_bench.cpp: echo round trips per second on loopback.
//
// Peers in one run, so results read as ratios:
//   BlockingFloor   a minimal blocking ping-pong server (one thread per
//                   connection, bare recv/send): the floor to compare against
//   EpollServer     the event-driven echo server (targets/echo, epoll model)
//   EpollServer2    the same with two event-loop threads sharing the listener
//   ThreadsServer   the thread-per-connection echo server (threads model)
// Every peer is driven by the same bare blocking client, one connection per
// benchmark thread, 64-byte messages; ->Threads(1) and ->Threads(64) give
// 1 and 64 concurrent connections. items_per_second = round trips/s.
//   BM_EchoClientExchange  our TcpEchoClient (poll-based, deadlines) against
//                   the floor server, as a ratio to the bare client.
#include <benchmark/benchmark.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <memory>
#include <thread>

#include "targets/echo/echo_client.h"
#include "targets/echo/echo_server.h"
#include "targets/net/socket.h"

namespace faultline::echo {
namespace {

constexpr std::size_t kMessageBytes = 64;

// FloorServer: the simplest correct blocking echo server. Its threads are
// detached and live as long as the process, as benchmark servers do.
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
          for (;;) {
            ssize_t n = ::recv(fd, buffer, sizeof(buffer), 0);
            if (n <= 0) break;
            if (::send(fd, buffer, static_cast<std::size_t>(n), MSG_NOSIGNAL) != n) break;
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

const net::Address& floor_address() {
  static auto* server = new FloorServer();
  static net::Address address = server->address();
  return address;
}

// model_address starts (once) a server of the model, with `loops` event-loop
// threads for epoll.
const net::Address& model_address(ServerModel model, std::size_t loops = 1) {
  auto start = [](ServerModel m, std::size_t l) {
    EchoServerOptions options;
    options.max_connections = 4096;
    options.loops = l;
    auto* server = make_echo_server(m, options).release();  // lives for the process
    if (!server->start()) std::abort();
    return server->address();
  };
  if (model == ServerModel::threads) {
    static net::Address threads = start(ServerModel::threads, 1);
    return threads;
  }
  if (loops == 2) {
    static net::Address epoll2 = start(ServerModel::epoll, 2);
    return epoll2;
  }
  static net::Address epoll = start(ServerModel::epoll, 1);
  return epoll;
}

// blocking_connect: a bare blocking client socket.
int blocking_connect(const net::Address& address) {
  auto fd = net::connect_tcp(address, net::Deadline::after(std::chrono::seconds(5)));
  if (!fd) return -1;
  (void)net::set_nonblocking(fd->get(), false);
  (void)net::set_nodelay(fd->get());
  return fd->release();
}

void run_bare_client(benchmark::State& state, const net::Address& address) {
  int fd = blocking_connect(address);
  if (fd < 0) {
    state.SkipWithError("connect failed");
    return;
  }
  char message[kMessageBytes];
  std::memset(message, 'x', sizeof(message));
  char reply[kMessageBytes];
  for (auto _ : state) {
    if (::send(fd, message, sizeof(message), MSG_NOSIGNAL) !=
        static_cast<ssize_t>(sizeof(message))) {
      state.SkipWithError("send failed");
      break;
    }
    std::size_t got = 0;
    while (got < sizeof(reply)) {
      ssize_t n = ::recv(fd, reply + got, sizeof(reply) - got, 0);
      if (n <= 0) break;
      got += static_cast<std::size_t>(n);
    }
    if (got != sizeof(reply)) {
      state.SkipWithError("short echo");
      break;
    }
  }
  ::close(fd);
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(2 * kMessageBytes));
}

void BM_BlockingFloor(benchmark::State& state) {
  run_bare_client(state, floor_address());
}
void BM_EpollServer(benchmark::State& state) {
  run_bare_client(state, model_address(ServerModel::epoll));
}
// BM_EpollServer2: the epoll model with two loops (one per core here).
void BM_EpollServer2(benchmark::State& state) {
  run_bare_client(state, model_address(ServerModel::epoll, 2));
}
void BM_ThreadsServer(benchmark::State& state) {
  run_bare_client(state, model_address(ServerModel::threads));
}

void BM_EchoClientExchange(benchmark::State& state) {
  auto client = TcpEchoClient::connect(floor_address(), EchoTimeouts{});
  if (!client) {
    state.SkipWithError("connect failed");
    return;
  }
  std::string message(kMessageBytes, 'x');
  for (auto _ : state) {
    auto reply = client->exchange(message);
    if (!reply) {
      state.SkipWithError(reply.error().to_string().c_str());
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK(BM_BlockingFloor)->Threads(1)->Threads(64)->UseRealTime();
BENCHMARK(BM_EpollServer)->Threads(1)->Threads(64)->UseRealTime();
BENCHMARK(BM_EpollServer2)->Threads(1)->Threads(64)->UseRealTime();
BENCHMARK(BM_ThreadsServer)->Threads(1)->Threads(64)->UseRealTime();
BENCHMARK(BM_EchoClientExchange)->Threads(1)->UseRealTime();

}  // namespace
}  // namespace faultline::echo

BENCHMARK_MAIN();
