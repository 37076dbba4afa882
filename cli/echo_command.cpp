// cli/echo_command.cpp: `faultline echo serve|send|demo`.
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <fmt/core.h>

#include "cli/commands.h"
#include "cli/flags.h"
#include "cli/tls_flags.h"
#include "cli/usage.h"
#include "targets/echo/echo_client.h"
#include "targets/echo/echo_server.h"
#include "targets/echo/tls_echo_server.h"
#include "targets/echo/udp_echo_server.h"
#include "targets/net/duration.h"
#include "targets/tls/tls_stream.h"

namespace faultline::cli {
namespace {

// Bounds of `echo serve`'s flags, named in their usage errors.
constexpr std::uint64_t kMaxOwedBytes = std::uint64_t{1} << 30;
constexpr std::uint64_t kMaxConnectionsLimit = 1'000'000;

struct ServeFlags {
  std::string tcp = "127.0.0.1:7007";
  std::string udp;
  std::string model = "epoll";
  std::string idle_timeout = "60s";
  std::size_t max_connections = 1024;
  std::string max_owed = "1MiB";
  std::size_t loops = 1;
  std::string tls_cert;
  std::string tls_key;
};

struct SendFlags {
  std::string message;
  std::string to;
  bool udp = false;
  std::string timeout = "5s";
  int repeat = 1;
  std::string size;
  int retries = 3;
  bool tls = false;
  std::string cacert;
  bool insecure = false;
};

int run_serve(const ServeFlags& flags) {
  auto model = echo::parse_server_model(flags.model);
  auto idle = positive_duration_flag("--idle-timeout", flags.idle_timeout);
  auto owed = net::parse_size(flags.max_owed);
  auto tcp = net::Address::parse(flags.tcp);
  if (!model) return usage_error(model.error());
  if (!idle) return usage_error(idle.error());
  if (!owed) return usage_error("--max-owed: " + owed.error().message);
  if (*owed < 1 || *owed > kMaxOwedBytes) {
    return usage_error("--max-owed: must be from 1B to 1GiB, got '" + flags.max_owed + "'");
  }
  if (!tcp) return usage_error("--tcp: " + tcp.error().message);
  std::optional<net::Address> udp;
  if (!flags.udp.empty()) {
    auto parsed = net::Address::parse(flags.udp);
    if (!parsed) return usage_error("--udp: " + parsed.error().message);
    udp = *parsed;
  }

  auto server_context = server_tls_context(flags.tls_cert, flags.tls_key);
  if (!server_context) return usage_error(server_context.error());
  std::shared_ptr<const tls::ServerContext> tls_context = std::move(*server_context);
  if (tls_context && udp) {
    return usage_error("--udp has no TLS: serve it from a separate plain server");
  }
  if (flags.loops > 1 && (tls_context || *model != echo::ServerModel::epoll)) {
    return usage_error("--loops applies to the epoll model without TLS (got --loops " +
                       std::to_string(flags.loops) + " with " +
                       (tls_context ? std::string("--tls-cert") : "--model threads") + ")");
  }

  sigset_t signals = block_shutdown_signals();
  echo::EchoServerOptions options;
  options.listen = *tcp;
  options.idle_timeout = *idle;
  options.max_connections = flags.max_connections;
  options.max_owed_bytes = *owed;
  options.loops = flags.loops;
  std::unique_ptr<echo::EchoServer> server;
  if (tls_context) {
    server = std::make_unique<echo::TlsEchoServer>(options, tls_context);
  } else {
    server = echo::make_echo_server(*model, options);
  }
  if (auto started = server->start(); !started) return runtime_error(started.error());
  std::unique_ptr<echo::UdpEchoServer> udp_server;
  if (udp) {
    udp_server = std::make_unique<echo::UdpEchoServer>(*udp);
    if (auto started = udp_server->start(); !started) return runtime_error(started.error());
  }
  fmt::print("faultline echo: tcp listening on {} (model {}{})\n", server->address().to_string(),
             tls_context ? "threads, tls" : echo::model_name(*model),
             flags.loops > 1 ? fmt::format(", {} loops", flags.loops) : std::string());
  if (udp_server)
    fmt::print("faultline echo: udp listening on {}\n", udp_server->address().to_string());
  std::fflush(stdout);

  int signal_number = 0;
  sigwait(&signals, &signal_number);
  fmt::print("faultline echo: {} received, draining\n",
             signal_number == SIGINT ? "SIGINT" : "SIGTERM");
  server->stop();
  auto c = server->counters();
  fmt::print(
      "faultline echo: tcp accepted={} rejected={} idle_closed={} bytes_in={} bytes_out={}\n",
      c.accepted, c.rejected, c.idle_closed, c.bytes_received, c.bytes_sent);
  if (udp_server) {
    udp_server->stop();
    auto u = udp_server->counters();
    fmt::print("faultline echo: udp datagrams={} bytes={}\n", u.datagrams, u.bytes);
  }
  return 0;
}

std::string printable(const std::string& bytes) {
  constexpr std::size_t kShown = 80;
  std::string shown = bytes.substr(0, kShown);
  for (auto& c : shown) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '.';
  }
  if (bytes.size() > kShown) shown += "...";
  return shown;
}

// host_of: the host part of HOST:PORT or [HOST]:PORT, the name a certificate must carry.
std::string host_of(const std::string& to) {
  std::string host = to.substr(0, to.rfind(':'));
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  return host;
}

int run_send_tls(const SendFlags& flags, net::Duration timeout, const std::string& message) {
  if (flags.udp) return usage_error("--tls is for TCP: it cannot go with --udp");
  auto to = net::Address::parse(flags.to);
  if (!to) return usage_error(to.error());
  // Echo is not HTTP: no ALPN.
  auto context = client_tls_context(flags.cacert, flags.insecure, "");
  if (!context) return usage_error(context.error());
  net::TcpDialer tcp;
  tls::TlsDialer dialer(tcp, *context, timeout);
  auto& clock = dialer.clock();
  std::vector<double> rtt_ms;
  auto started = std::chrono::steady_clock::now();
  auto stream = dialer.dial(host_of(flags.to), to->port(), clock.now() + timeout);
  if (!stream) return runtime_error(stream.error());
  auto* tls_stream = static_cast<tls::TlsStream*>(stream->get());
  for (int i = 0; i < flags.repeat; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    auto reply = echo::exchange_over_stream(**stream, message, clock.now() + timeout);
    if (!reply) return runtime_error(reply.error());
    if (*reply != message) {
      return runtime_error(net::Error{net::ErrorKind::bad_data, 0,
                                      fmt::format("echo {}: reply differs from the message "
                                                  "(exchange {}, {} bytes)",
                                                  to->to_string(), i + 1, reply->size())});
    }
    rtt_ms.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  const std::string version = tls_stream->engine().version();
  (*stream)->close();
  double total_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::sort(rtt_ms.begin(), rtt_ms.end());
  fmt::print(
      "echoed {} x {} bytes from {} (tcp, {}{}): {:.0f} exchanges/s; rtt ms min {:.3f} max "
      "{:.3f}\n",
      flags.repeat, message.size(), to->to_string(), version,
      flags.insecure ? ", UNVERIFIED" : ", verified", flags.repeat / total_s, rtt_ms.front(),
      rtt_ms.back());
  return 0;
}

int run_send(const SendFlags& flags) {
  auto to = net::Address::parse(flags.to);
  if (!to) return usage_error(to.error());
  auto timeout = net::parse_duration(flags.timeout);
  if (!timeout) return usage_error(timeout.error());
  std::string message = flags.message;
  if (!flags.size.empty()) {
    auto size = net::parse_size(flags.size);
    if (!size) return usage_error(size.error());
    if (*size > (256u << 20)) return usage_error("--size: at most 256MiB");
    if (message.empty()) message = "x";
    std::string filled;
    filled.reserve(*size);
    while (filled.size() < *size)
      filled += message;
    filled.resize(*size);
    message = std::move(filled);
  }
  if (flags.repeat < 1) return usage_error("--repeat must be at least 1");
  if (message.empty()) return usage_error("MESSAGE is empty (give text, or --size BYTES)");

  if (flags.tls) return run_send_tls(flags, *timeout, message);
  if (!flags.cacert.empty() || flags.insecure)
    return usage_error("--cacert and --insecure need --tls");

  std::vector<double> rtt_ms;
  auto started = std::chrono::steady_clock::now();
  std::optional<echo::TcpEchoClient> tcp_client;
  std::optional<echo::UdpEchoClient> udp_client;
  if (flags.udp) {
    echo::UdpOptions options;
    options.timeout = *timeout;
    options.retries = flags.retries;
    auto client = echo::UdpEchoClient::open(*to, options);
    if (!client) return runtime_error(client.error());
    udp_client.emplace(std::move(*client));
  } else {
    echo::EchoTimeouts timeouts;
    timeouts.connect = *timeout;
    timeouts.operation = *timeout;
    auto client = echo::TcpEchoClient::connect(*to, timeouts);
    if (!client) return runtime_error(client.error());
    tcp_client.emplace(std::move(*client));
  }
  std::string last_reply;
  for (int i = 0; i < flags.repeat; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    net::Result<std::string> reply = [&]() -> net::Result<std::string> {
      if (udp_client) {
        auto exchange = udp_client->exchange(message);
        if (!exchange) return tl::unexpected(exchange.error());
        return exchange->reply;
      }
      return tcp_client->exchange(message);
    }();
    if (!reply) return runtime_error(reply.error());
    if (*reply != message) {
      return runtime_error(net::Error{net::ErrorKind::bad_data, 0,
                                      fmt::format("echo {}: reply differs from the message "
                                                  "(exchange {}, {} bytes)",
                                                  to->to_string(), i + 1, reply->size())});
    }
    rtt_ms.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    last_reply = std::move(*reply);
  }
  double total_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (flags.repeat == 1) {
    fmt::print("echoed {} bytes from {} ({}) in {:.3f} ms: {}\n", last_reply.size(),
               to->to_string(), flags.udp ? "udp" : "tcp", rtt_ms[0], printable(last_reply));
  } else {
    std::sort(rtt_ms.begin(), rtt_ms.end());
    auto at = [&](double q) { return rtt_ms[static_cast<std::size_t>(q * (rtt_ms.size() - 1))]; };
    fmt::print(
        "echoed {} x {} bytes from {} ({}): {:.0f} exchanges/s; rtt ms min {:.3f} "
        "p50 {:.3f} p99 {:.3f} max {:.3f}\n",
        flags.repeat, message.size(), to->to_string(), flags.udp ? "udp" : "tcp",
        flags.repeat / total_s, rtt_ms.front(), at(0.5), at(0.99), rtt_ms.back());
  }
  return 0;
}

int run_demo() {
  echo::EchoServerOptions options;
  options.listen = net::Address::loopback(0);
  auto server = echo::make_echo_server(echo::ServerModel::epoll, options);
  if (auto started = server->start(); !started) return runtime_error(started.error());
  fmt::print("echo server (epoll) listening on {}\n", server->address().to_string());
  auto client = echo::TcpEchoClient::connect(server->address(), echo::EchoTimeouts{});
  if (!client) return runtime_error(client.error());
  const std::string message = "안녕하세요!";
  fmt::print("client sends    {} ({} bytes)\n", message, message.size());
  auto reply = client->exchange(message);
  if (!reply) return runtime_error(reply.error());
  fmt::print("client receives {} ({} bytes): {}\n", *reply, reply->size(),
             *reply == message ? "identical" : "DIFFERENT");
  server->stop();
  return *reply == message ? 0 : 1;
}

}  // namespace

void register_echo_commands(CLI::App& app, int& exit_code) {
  auto* echo = app.add_subcommand("echo", "TCP/UDP echo targets (RFC 862): serve, send, demo");
  echo->require_subcommand(1);

  auto serve_flags = std::make_shared<ServeFlags>();
  auto* serve = echo->add_subcommand(
      "serve",
      "Run the echo server until SIGINT/SIGTERM (then drain and print counters).\n"
      "Port 0 picks a free port; the address is printed.");
  serve->add_option("--tcp", serve_flags->tcp, "TCP listen address HOST:PORT")
      ->capture_default_str();
  serve->add_option("--udp", serve_flags->udp, "also serve UDP on HOST:PORT");
  serve->add_option("--model", serve_flags->model, "server model: epoll or threads")
      ->capture_default_str();
  serve
      ->add_option("--idle-timeout", serve_flags->idle_timeout,
                   "close connections idle this long (e.g. 30s, 500ms)")
      ->capture_default_str();
  serve
      ->add_option("--max-connections", serve_flags->max_connections,
                   "connections beyond this are closed at once (1 to 1000000)")
      ->transform(whole_number_check(1, kMaxConnectionsLimit))
      ->capture_default_str();
  serve
      ->add_option("--max-owed", serve_flags->max_owed,
                   "per-connection backpressure limit (1B to 1GiB, e.g. 1MiB)")
      ->capture_default_str();
  serve
      ->add_option("--loops", serve_flags->loops,
                   "epoll model: event-loop threads sharing the listener (1 to 64; one loop uses "
                   "one core at most)")
      ->transform(whole_number_check(1, 64))
      ->capture_default_str();
  serve->add_option("--tls-cert", serve_flags->tls_cert,
                    "serve TLS with this PEM certificate chain (needs --tls-key; threads model)");
  serve->add_option("--tls-key", serve_flags->tls_key, "the PEM private key for --tls-cert");
  serve->callback([serve_flags, &exit_code] { exit_code = run_serve(*serve_flags); });

  auto send_flags = std::make_shared<SendFlags>();
  auto* send = echo->add_subcommand(
      "send", "Send MESSAGE to an echo server and check that the same bytes come back.");
  send->add_option("MESSAGE", send_flags->message, "the text to send")->required();
  send->add_option("--to", send_flags->to, "server address HOST:PORT")->required();
  send->add_flag("--udp", send_flags->udp, "use UDP datagrams (tagged, with retries)");
  send->add_option("--timeout", send_flags->timeout,
                   "connect/operation timeout (TCP); reply timeout per attempt (UDP)")
      ->capture_default_str();
  send->add_option("--repeat", send_flags->repeat, "exchanges to run; prints rate and latency")
      ->capture_default_str();
  send->add_option("--size", send_flags->size,
                   "repeat MESSAGE to fill this many bytes (e.g. 4MiB)");
  send->add_option("--retries", send_flags->retries, "UDP resends after a lost reply")
      ->capture_default_str();
  send->add_flag("--tls", send_flags->tls,
                 "speak TLS; the certificate is verified against the host in --to");
  send->add_option("--cacert", send_flags->cacert,
                   "with --tls: trust this PEM CA file instead of the system store");
  send->add_flag("--insecure", send_flags->insecure,
                 "with --tls: skip certificate verification (loudly; tests only)");
  send->callback([send_flags, &exit_code] { exit_code = run_send(*send_flags); });

  auto* demo = echo->add_subcommand(
      "demo", "Start the echo server in process and send \"안녕하세요!\" through the client.");
  demo->callback([&exit_code] { exit_code = run_demo(); });
}

}  // namespace faultline::cli
