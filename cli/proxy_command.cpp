// cli/proxy_command.cpp: `faultline proxy`: a TCP or UDP fault proxy in front
// of any server, until SIGINT/SIGTERM.
#include <signal.h>

#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <fmt/core.h>

#include "cli/commands.h"
#include "cli/flags.h"
#include "cli/profile_flags.h"
#include "harness/fault/profile.h"
#include "harness/proxy/control_api.h"
#include "harness/proxy/tcp_proxy.h"
#include "harness/proxy/udp_proxy.h"
#include "targets/http/server/server.h"

namespace faultline::cli {
namespace {

struct ProxyFlags {
  std::string listen = "127.0.0.1:0";
  std::string upstream;
  std::vector<std::string> faults;
  std::string profile_file;
  std::uint64_t seed = 1;
  bool udp = false;
  std::string log_file;
  std::string control;
};

int run_proxy(const ProxyFlags& flags) {
  auto listen = net::Address::parse(flags.listen);
  if (!listen) return usage_error("--listen: " + listen.error().message);
  auto upstream = net::Address::parse(flags.upstream);
  if (!upstream) return usage_error("--upstream: " + upstream.error().message);
  auto profile = load_profile(flags.faults, flags.profile_file,
                              flags.udp ? fault::Transport::datagram : fault::Transport::stream);
  if (!profile) return usage_error(profile.error());

  std::shared_ptr<std::ofstream> log;
  if (!flags.log_file.empty()) {
    log = std::make_shared<std::ofstream>(flags.log_file, std::ios::out | std::ios::trunc);
    if (!*log) return usage_error("--log: cannot open '" + flags.log_file + "' for writing");
  }

  sigset_t signals = block_shutdown_signals();

  std::unique_ptr<proxy::TcpProxy> tcp;
  std::unique_ptr<proxy::UdpProxy> udp;
  net::Address bound;
  if (flags.udp) {
    proxy::UdpProxyOptions options;
    options.listen = *listen;
    options.upstream = *upstream;
    options.seed = flags.seed;
    udp = std::make_unique<proxy::UdpProxy>(options, *profile);
    if (auto started = udp->start(); !started) return runtime_error(started.error());
    bound = udp->address();
  } else {
    proxy::ProxyOptions options;
    options.listen = *listen;
    options.upstream = *upstream;
    options.seed = flags.seed;
    tcp = std::make_unique<proxy::TcpProxy>(options, *profile);
    if (log) {
      auto mutex = std::make_shared<std::mutex>();
      tcp->set_event_sink([log, mutex](const std::string& line) {
        std::lock_guard lock(*mutex);
        *log << line << '\n';
        log->flush();
      });
    }
    if (auto started = tcp->start(); !started) return runtime_error(started.error());
    bound = tcp->address();
  }
  fmt::print("faultline proxy: {} {} -> {} seed {} profile \"{}\"\n", flags.udp ? "udp" : "tcp",
             bound.to_string(), upstream->to_string(), flags.seed, profile->to_string());

  // The control API: the reference HTTP server with the API as its handler.
  proxy::ControlApi api;
  std::unique_ptr<http::HttpServer> control;
  if (!flags.control.empty()) {
    auto address = net::Address::parse(flags.control);
    if (!address) return usage_error("--control: " + address.error().message);
    api.add("default", tcp ? proxy::ControlApi::handle_for(*tcp, *upstream)
                           : proxy::ControlApi::handle_for(*udp, *upstream));
    http::HttpServerOptions options;
    options.listen = *address;
    options.handler = api.handler();
    control = std::make_unique<http::HttpServer>(options);
    if (auto started = control->start(); !started) return runtime_error(started.error());
    fmt::print("faultline proxy: control API on http://{}/proxies\n",
               control->address().to_string());
  }
  std::fflush(stdout);

  int signal_number = 0;
  sigwait(&signals, &signal_number);
  if (control) control->stop();
  if (tcp) {
    tcp->stop();
    auto c = tcp->counters();
    fmt::print("faultline proxy: accepted={} refused={} resets_sent={} bytes_up={} bytes_down={}\n",
               c.accepted, c.refused, c.resets_sent, c.bytes_up, c.bytes_down);
  } else {
    udp->stop();
    auto c = udp->counters();
    fmt::print("faultline proxy: sessions={} datagrams_in={} datagrams_out={}\n", c.sessions,
               c.datagrams_in, c.datagrams_out);
  }
  return 0;
}

}  // namespace

net::Result<fault::Profile> load_profile(const std::vector<std::string>& faults,
                                         const std::string& profile_file,
                                         fault::Transport transport) {
  std::string text;
  if (!profile_file.empty()) {
    auto from_file = fault::parse_profile_file(profile_file);
    if (!from_file) return tl::unexpected(from_file.error());
    text = from_file->to_string();
  }
  // One clause source per line, so a '#' comment in one --fault ends with it.
  for (const auto& spec : faults) {
    if (!text.empty() && !spec.empty()) text += "\n";
    text += spec;
  }
  auto profile = fault::parse_profile(text);
  if (!profile) return tl::unexpected(profile.error());
  if (auto valid = profile->validate_for(transport); !valid) return tl::unexpected(valid.error());
  return profile;
}

void register_proxy_command(CLI::App& app, int& exit_code) {
  auto flags = std::make_shared<ProxyFlags>();
  auto* proxy = app.add_subcommand(
      "proxy",
      "Run a TCP (or UDP) fault proxy: point a client at --listen, and the proxy forwards to\n"
      "--upstream through the fault profile. Runs until SIGINT/SIGTERM.\n"
      "Fault spec grammar: harness/fault/README.md, e.g.\n"
      "  --fault 'latency delay=100ms jitter=20ms dir=down' --fault 'slicer min=1B max=64B'");
  proxy->add_option("--listen", flags->listen, "listen address HOST:PORT (port 0 picks one)")
      ->capture_default_str();
  proxy->add_option("--upstream", flags->upstream, "server address HOST:PORT")->required();
  proxy->add_option("--fault", flags->faults, "a fault clause (repeatable; ';' separates clauses)");
  proxy->add_option("--profile", flags->profile_file,
                    "a profile file (one clause per line, # comments)");
  proxy->add_option("--seed", flags->seed, "seed for every random choice a fault makes")
      ->capture_default_str();
  proxy->add_flag("--udp", flags->udp, "proxy UDP datagrams instead of TCP");
  proxy->add_option("--log", flags->log_file, "write the event log (JSON lines) here (TCP)");
  proxy->add_option("--control", flags->control,
                    "serve the HTTP+JSON control API on HOST:PORT (GET /proxies, POST/DELETE\n"
                    "/proxies/default/faults with {\"profile\": \"...\"})");
  proxy->callback([flags, &exit_code] { exit_code = run_proxy(*flags); });
}

}  // namespace faultline::cli
