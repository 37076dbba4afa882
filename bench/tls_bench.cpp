// bench/tls_bench.cpp: TLS handshakes per second (full and resumed) and bulk
// throughput, our TLS layer against `openssl s_server` in the same run.
//
// The same client (tls::TlsDialer over TCP, verifying against the test CA)
// dials each server, so each pair reads as a ratio of server cost:
//   BM_FullHandshake/ours     vs  BM_FullHandshake/openssl      connect + full handshake + close
//   BM_ResumedHandshake/ours  vs  BM_ResumedHandshake/openssl   the same, resuming a cached session
//   BM_Upload/ours            vs  BM_Upload/openssl             1 MiB written per iteration to a
//                                                                server that reads and discards
// "ours" is a TLS sink on tls::TlsStream (the engine the echo and HTTP targets
// use); "openssl" is `openssl s_server -quiet` (Debian's openssl package),
// started once, with output to /dev/null. Without the openssl binary the
// openssl rows are skipped with a message saying so. Both serve one connection at
// a time over loopback with the same test certificate (EC P-256), TLS 1.3.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <thread>

#include "targets/net/socket.h"
#include "targets/net/stream.h"
#include "targets/tls/test_pki.h"
#include "targets/tls/tls_stream.h"

extern char** environ;

namespace faultline {
namespace {

using namespace std::chrono_literals;

constexpr std::size_t kUploadBytes = 1 << 20;

const tls::TestPki& pki() {
  static const tls::TestPki made = [] {
    auto pki = tls::make_test_pki();
    if (!pki) std::abort();
    return *pki;
  }();
  return made;
}

// OurSink: a TLS server that accepts one connection at a time and reads
// (and discards) until the client closes.
class OurSink {
 public:
  OurSink() {
    tls::ServerConfig config;
    config.certificate_chain_pem = pki().server.certificate_pem;
    config.private_key_pem = pki().server.private_key_pem;
    context_ = tls::ServerContext::make(config).value();
    auto listener = net::listen_bound(net::Address::loopback(0));
    if (!listener) std::abort();
    listener_ = std::move(listener->fd);
    address_ = listener->address;
    thread_ = std::thread([this] { serve(); });
  }
  ~OurSink() {
    stopping_ = true;
    ::shutdown(listener_.get(), SHUT_RDWR);
    thread_.join();
  }
  net::Address address() const { return address_; }

 private:
  void serve() {
    auto& clock = net::SteadyClock::instance();
    std::string buffer(64 * 1024, '\0');
    while (!stopping_) {
      auto accepted = net::accept_connection(listener_.get());
      if (!accepted) {
        if (stopping_) return;
        (void)net::wait_for(listener_.get(), net::Readiness::readable,
                            net::Deadline::after(100ms), "accept");
        continue;
      }
      auto transport = std::make_unique<net::TcpStream>(std::move(*accepted), "client");
      auto stream = tls::TlsStream::accept(std::move(transport), context_, clock, clock.now() + 5s);
      if (!stream) continue;
      for (int i = 0; i < 1 << 20; ++i) {
        auto n = (*stream)->read_some(buffer.data(), buffer.size(), clock.now() + 5s);
        if (!n || *n == 0) break;
      }
    }
  }

  std::shared_ptr<const tls::ServerContext> context_;
  net::Fd listener_;
  net::Address address_;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
};

// OpensslServer: `openssl s_server` on a free loopback port, or a reason why not.
class OpensslServer {
 public:
  OpensslServer() {
    const char* candidates[] = {"/usr/bin/openssl", "/bin/openssl", "/usr/local/bin/openssl"};
    std::string binary;
    for (const char* path : candidates) {
      if (::access(path, X_OK) == 0) binary = path;
      if (!binary.empty()) break;
    }
    if (binary.empty()) {
      missing_ = "the openssl binary is not installed (apt-get install openssl): openssl rows skipped";
      return;
    }
    directory_ = std::filesystem::temp_directory_path() / ("faultline-tls-bench-" +
                                                           std::to_string(::getpid()));
    if (!tls::write_test_pki(pki(), directory_.string())) {
      missing_ = "could not write the test PKI for openssl s_server";
      return;
    }
    // A free port: bind port 0, read it, close (the window for a clash is tiny).
    auto probe = net::listen_bound(net::Address::loopback(0));
    if (!probe) std::abort();
    port_ = probe->address.port();
    probe->fd.reset();
    const std::string accept = "127.0.0.1:" + std::to_string(port_);
    const std::string cert = (directory_ / "server.pem").string();
    const std::string key = (directory_ / "server-key.pem").string();
    const char* argv[] = {binary.c_str(), "s_server", "-quiet", "-naccept", "1000000000",
                          "-accept", accept.c_str(), "-cert", cert.c_str(), "-key", key.c_str(),
                          nullptr};
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    int rc = posix_spawn(&pid_, binary.c_str(), &actions, nullptr, const_cast<char**>(argv),
                         environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) {
      missing_ = "could not start openssl s_server";
      pid_ = -1;
      return;
    }
    // Wait (bounded) until it accepts connections.
    auto deadline = net::Deadline::after(10s);
    while (!deadline.expired()) {
      if (net::connect_tcp(address(), net::Deadline::after(200ms))) return;
      (void)net::wait_for(-1, net::Readiness::readable, net::Deadline::after(20ms), "wait");
    }
    missing_ = "openssl s_server did not start listening within 10s";
  }
  ~OpensslServer() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
    std::error_code ignored;
    if (!directory_.empty()) std::filesystem::remove_all(directory_, ignored);
  }
  net::Address address() const { return net::Address::loopback(port_); }
  const std::string& missing() const { return missing_; }

 private:
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
  std::filesystem::path directory_;
  std::string missing_;
};

OurSink& our_sink() {
  static OurSink* sink = new OurSink();
  return *sink;
}

OpensslServer& openssl_server() {
  static OpensslServer* server = new OpensslServer();
  return *server;
}

// server_for: range(0) 0 = ours, 1 = openssl; nullopt (and the state
// skipped) when openssl is absent.
std::optional<net::Address> server_for(benchmark::State& state) {
  if (state.range(0) == 0) {
    state.SetLabel("ours");
    return our_sink().address();
  }
  state.SetLabel("openssl s_server");
  if (!openssl_server().missing().empty()) {
    state.SkipWithError(openssl_server().missing().c_str());
    return std::nullopt;
  }
  return openssl_server().address();
}

std::shared_ptr<const tls::ClientContext> client_context() {
  static auto context = [] {
    tls::ClientConfig config;
    config.ca_pem = pki().ca.certificate_pem;
    config.alpn.clear();
    return tls::ClientContext::make(config).value();
  }();
  return context;
}

void handshakes(benchmark::State& state, bool resume) {
  auto server = server_for(state);
  if (!server) return;
  net::TcpDialer tcp;
  auto sessions = resume ? std::make_shared<tls::SessionCache>() : nullptr;
  tls::TlsDialer dialer(tcp, client_context(), 5s, sessions);
  std::uint64_t resumed = 0;
  if (resume) {
    // Prime the cache: a TLS 1.3 ticket arrives after the handshake, so read
    // until it does (the server sends nothing else).
    auto first = dialer.dial("127.0.0.1", server->port(), tcp.clock().now() + 5s);
    if (!first) {
      state.SkipWithError(first.error().to_string().c_str());
      return;
    }
    char byte;
    (void)(*first)->read_some(&byte, 1, tcp.clock().now() + 200ms);
  }
  for (auto _ : state) {
    auto stream = dialer.dial("127.0.0.1", server->port(), tcp.clock().now() + 5s);
    if (!stream) {
      state.SkipWithError(stream.error().to_string().c_str());
      return;
    }
    if (resume) {
      auto& tls_stream = static_cast<tls::TlsStream&>(**stream);
      if (tls_stream.engine().session_reused()) ++resumed;
      // Take the fresh ticket for the next iteration (bounded wait).
      char byte;
      (void)(*stream)->read_some(&byte, 1, tcp.clock().now() + 1ms);
    }
    (*stream)->close();
  }
  state.counters["handshakes_per_s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  if (resume) {
    state.counters["resumed_fraction"] =
        static_cast<double>(resumed) / static_cast<double>(std::max<std::int64_t>(1, state.iterations()));
  }
}

void BM_FullHandshake(benchmark::State& state) {
  handshakes(state, false);
}
void BM_ResumedHandshake(benchmark::State& state) {
  handshakes(state, true);
}

void BM_Upload(benchmark::State& state) {
  auto server = server_for(state);
  if (!server) return;
  net::TcpDialer tcp;
  tls::TlsDialer dialer(tcp, client_context(), 5s);
  auto stream = dialer.dial("127.0.0.1", server->port(), tcp.clock().now() + 5s);
  if (!stream) {
    state.SkipWithError(stream.error().to_string().c_str());
    return;
  }
  const std::string chunk(64 * 1024, 'x');
  for (auto _ : state) {
    for (std::size_t sent = 0; sent < kUploadBytes; sent += chunk.size()) {
      if (auto written = (*stream)->write_all(chunk, tcp.clock().now() + 5s); !written) {
        state.SkipWithError(written.error().to_string().c_str());
        return;
      }
    }
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kUploadBytes));
  (*stream)->close();
}

BENCHMARK(BM_FullHandshake)->Arg(0)->Arg(1)->UseRealTime()->MinTime(1.0);
BENCHMARK(BM_ResumedHandshake)->Arg(0)->Arg(1)->UseRealTime()->MinTime(1.0);
BENCHMARK(BM_Upload)->Arg(0)->Arg(1)->UseRealTime()->MinTime(1.0);

}  // namespace
}  // namespace faultline

BENCHMARK_MAIN();
