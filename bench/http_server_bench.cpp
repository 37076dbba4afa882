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
//   Wrk/{ours,floor,nginx}  wrk -t1 -c64 (its own process) against our
//                     server, the floor responder and nginx (one worker, a
//                     generated config on a loopback port), all answering a
//                     16-byte body: requests/s as wrk counts them. Skipped,
//                     with the reason, where wrk or nginx is not installed
//                     (Debian: wrk, nginx-light; scripts/bootstrap --bench).
// items_per_second = requests/s.
#include <benchmark/benchmark.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
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
constexpr std::string_view kSixteenBytes = "0123456789abcdef";

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

// FloorServer: answers each blank line it reads with a fixed response
// (kFixedResponse unless given one). Its threads are detached and live as
// long as the process, as benchmark servers do.
class FloorServer {
 public:
  explicit FloorServer(std::string_view response = kFixedResponse) {
    listener_ = std::move(net::listen_tcp(net::Address::loopback(0)).value());
    (void)net::set_nonblocking(listener_.get(), false);
    address_ = net::local_address(listener_.get()).value();
    std::thread([this, response] {
      for (;;) {
        int fd = ::accept(listener_.get(), nullptr, nullptr);
        if (fd < 0) continue;
        std::thread([fd, response] {
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
              if (::send(fd, response.data(), response.size(), MSG_NOSIGNAL) < 0) break;
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

// find_program gives the path of an executable named `name` on PATH (or in
// /usr/sbin, where Debian puts nginx), or "".
std::string find_program(const std::string& name) {
  std::string path = std::getenv("PATH") ? std::getenv("PATH") : "";
  path += ":/usr/sbin:/sbin";
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t colon = path.find(':', start);
    if (colon == std::string::npos) colon = path.size();
    const std::filesystem::path candidate =
        std::filesystem::path(path.substr(start, colon - start)) / name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
    start = colon + 1;
  }
  return "";
}

// free_loopback_port: a port nothing listens on right now (bound, then released).
int free_loopback_port() {
  auto listener = net::listen_tcp(net::Address::loopback(0));
  if (!listener) return 0;
  auto address = net::local_address(listener->get());
  return address ? address->port() : 0;
}

// Nginx: nginx-light with one worker and a generated config, answering
// every request with kSixteenBytes; stopped (SIGQUIT) when the process ends.
class Nginx {
 public:
  static Nginx* start(std::string* why_not) {
    const std::string binary = find_program("nginx");
    if (binary.empty()) {
      *why_not = "nginx not installed (Debian: nginx-light); nginx row skipped";
      return nullptr;
    }
    auto* nginx = new Nginx();
    nginx->port_ = free_loopback_port();
    nginx->dir_ = std::filesystem::temp_directory_path() /
                  ("faultline-bench-nginx-" + std::to_string(::getpid()));
    std::filesystem::create_directories(nginx->dir_);
    const std::string dir = nginx->dir_.string();
    std::ofstream(nginx->dir_ / "nginx.conf")
        << "worker_processes 1;\ndaemon off;\nmaster_process on;\npid " << dir
        << "/nginx.pid;\nerror_log " << dir << "/error.log;\n"
        << "events { worker_connections 1024; }\n"
        << "http {\n  access_log off;\n  client_body_temp_path " << dir << ";\n"
        << "  proxy_temp_path " << dir << ";\n  fastcgi_temp_path " << dir << ";\n"
        << "  uwsgi_temp_path " << dir << ";\n  scgi_temp_path " << dir << ";\n"
        << "  keepalive_requests 1000000;\n"
        << "  server {\n    listen 127.0.0.1:" << nginx->port_ << ";\n"
        << "    location / { default_type text/plain; return 200 \"" << kSixteenBytes
        << "\"; }\n  }\n}\n";
    nginx->pid_ = ::fork();
    if (nginx->pid_ == 0) {
      const std::string conf = dir + "/nginx.conf";
      ::execl(binary.c_str(), binary.c_str(), "-p", dir.c_str(), "-c", conf.c_str(), nullptr);
      ::_exit(127);
    }
    // Ready once it accepts a connection: probe until a deadline, with a
    // short back-off between refused probes.
    const net::Address address = nginx->address();
    const net::Deadline ready_by = net::Deadline::after(std::chrono::seconds(5));
    while (!ready_by.expired()) {
      auto probe = net::connect_tcp(address, net::Deadline::after(std::chrono::milliseconds(50)));
      if (probe) {
        std::atexit([] { Nginx::stop_all(); });
        running() = nginx;
        return nginx;
      }
      int status = 0;
      if (::waitpid(nginx->pid_, &status, WNOHANG) == nginx->pid_) break;
      poll_pause();
    }
    *why_not = "nginx did not start (see " + dir + "/error.log); nginx row skipped";
    ::kill(nginx->pid_, SIGKILL);
    ::waitpid(nginx->pid_, nullptr, 0);
    return nullptr;
  }
  net::Address address() const { return net::Address::loopback(static_cast<std::uint16_t>(port_)); }

 private:
  static Nginx*& running() {
    static Nginx* nginx = nullptr;
    return nginx;
  }
  static void stop_all() {
    if (Nginx* nginx = running()) {
      ::kill(nginx->pid_, SIGQUIT);
      ::waitpid(nginx->pid_, nullptr, 0);
      std::error_code ignored;
      std::filesystem::remove_all(nginx->dir_, ignored);
    }
  }
  // poll_pause: the back-off between connection probes (the loop around it
  // checks the condition itself, under a deadline).
  static void poll_pause() { ::poll(nullptr, 0, 10); }

  pid_t pid_ = -1;
  int port_ = 0;
  std::filesystem::path dir_;
};

// run_wrk runs wrk against `address` and gives its Requests/sec, or an
// error text. One thread, 64 connections, for `seconds`.
std::optional<double> run_wrk(const net::Address& address, int seconds, std::string* error) {
  const std::string wrk = find_program("wrk");
  if (wrk.empty()) {
    *error = "wrk not installed (Debian: wrk); wrk rows skipped";
    return std::nullopt;
  }
  const std::string command = wrk + " -t1 -c64 -d" + std::to_string(seconds) + "s http://" +
                              address.to_string() + "/ 2>&1";
  FILE* out = ::popen(command.c_str(), "r");
  if (out == nullptr) {
    *error = "could not run " + command;
    return std::nullopt;
  }
  std::string text;
  char line[512];
  while (std::fgets(line, sizeof(line), out) != nullptr)
    text += line;
  ::pclose(out);
  const std::size_t at = text.find("Requests/sec:");
  if (at == std::string::npos || text.find("Non-2xx") != std::string::npos ||
      text.find("Socket errors") != std::string::npos) {
    *error = "wrk: " + text;
    return std::nullopt;
  }
  return std::strtod(text.c_str() + at + 13, nullptr);
}

Reply sixteen_bytes(const Message&, const RequestContext&) {
  Reply reply;
  reply.response.body = kSixteenBytes;
  return reply;
}

// BM_Wrk: arg 0 our server, 1 the floor, 2 nginx. Each iteration is one wrk
// run of 2 s; items_per_second is wrk's requests/s (mean over iterations).
void BM_Wrk(benchmark::State& state) {
  if (std::getenv("FAULTLINE_BENCH_SMOKE") != nullptr) {
    state.SkipWithError("smoke run: the wrk rows run in the bench preset only");
    return;
  }
  std::optional<net::Address> address;
  std::string why_not;
  switch (state.range(0)) {
    case 0: {
      static HttpServer* server = [] {
        HttpServerOptions options;
        options.handler = &sixteen_bytes;
        auto* s = new HttpServer(options);  // lives as long as the process
        (void)s->start();
        return s;
      }();
      address = server->address();
      state.SetLabel("ours");
      break;
    }
    case 1: {
      static const std::string response = "HTTP/1.1 200 OK\r\nContent-Length: 16\r\n\r\n" +
                                          std::string(kSixteenBytes);
      static FloorServer* floor = new FloorServer(response);
      address = floor->address();
      state.SetLabel("floor");
      break;
    }
    default: {
      static std::string nginx_error;
      static Nginx* nginx = Nginx::start(&nginx_error);
      if (nginx != nullptr) address = nginx->address();
      why_not = nginx_error;
      state.SetLabel("nginx");
      break;
    }
  }
  if (!address) {
    state.SkipWithError(why_not.c_str());
    return;
  }
  double requests_per_second = 0;
  for (auto _ : state) {
    std::string error;
    std::optional<double> measured = run_wrk(*address, 2, &error);
    if (!measured) {
      state.SkipWithError(error.c_str());
      return;
    }
    requests_per_second += *measured;
  }
  state.counters["requests_per_second"] =
      requests_per_second / static_cast<double>(state.iterations());
}
BENCHMARK(BM_Wrk)->Arg(0)->Arg(1)->Arg(2)->Iterations(1)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace faultline::http

BENCHMARK_MAIN();
