// cli/proxy_command.cpp: `faultline proxy`: a TCP or UDP fault proxy in front
// of any server, until SIGINT/SIGTERM.
#include <signal.h>

#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <fmt/core.h>

#include "cli/commands.h"
#include "cli/flags.h"
#include "cli/profile_flags.h"
#include "harness/fault/profile.h"
#include "harness/proxy/control_api.h"
#include "harness/proxy/self_forwarding.h"
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
  std::string protocol = "tcp";
  std::string log_file;
  std::string control;
  std::string control_token;
  std::string control_token_file;
};

// control_address: "PORT" alone means 127.0.0.1:PORT (loopback by default).
net::Result<net::Address> control_address(const std::string& text) {
  const bool port_only = !text.empty() && text.find_first_not_of("0123456789") == std::string::npos;
  auto address = net::Address::parse(port_only ? "127.0.0.1:" + text : text);
  if (!address) return tl::unexpected(address.error());
  return address;
}

bool is_loopback(const net::Address& address) {
  const std::string host = address.host();
  return host.rfind("127.", 0) == 0 || host == "::1";
}

// control_token: from --control-token or the first line of --control-token-file.
net::Result<std::string> control_token(const ProxyFlags& flags) {
  if (!flags.control_token.empty() && !flags.control_token_file.empty()) {
    return net::make_error(net::ErrorKind::invalid_argument,
                           "give --control-token or --control-token-file, not both");
  }
  if (flags.control_token_file.empty()) return flags.control_token;
  std::ifstream in(flags.control_token_file);
  if (!in) {
    return net::make_error(net::ErrorKind::invalid_argument,
                           "--control-token-file: cannot read '" + flags.control_token_file + "'");
  }
  std::string token;
  std::getline(in, token);
  while (!token.empty() && (token.back() == '\r' || token.back() == ' '))
    token.pop_back();
  if (token.empty() || token.size() > 4096) {
    return net::make_error(net::ErrorKind::invalid_argument,
                           "--control-token-file: the first line must hold the token (1 to 4096 "
                           "bytes)");
  }
  return token;
}

int run_proxy(const ProxyFlags& flags) {
  auto listen = net::Address::parse(flags.listen);
  if (!listen) return usage_error("--listen: " + listen.error().message);
  auto upstream = net::Address::parse(flags.upstream);
  if (!upstream) return usage_error("--upstream: " + upstream.error().message);
  if (auto self = proxy::check_not_self_forwarding(*listen, *upstream); !self) {
    return usage_error("--listen: " + self.error().message);
  }
  std::optional<net::Address> control_at;
  auto token = control_token(flags);
  if (!token) return usage_error(token.error());
  if (!flags.control.empty()) {
    auto address = control_address(flags.control);
    if (!address) return usage_error("--control: " + address.error().message);
    if (!is_loopback(*address) && token->empty()) {
      return usage_error("--control: " + address->to_string() +
                         " is not a loopback address: anyone who reaches it could change the "
                         "faults; give --control-token or --control-token-file (or bind "
                         "127.0.0.1)");
    }
    control_at = *address;
  } else if (!token->empty()) {
    return usage_error("--control-token: there is no --control API to protect");
  }
  auto profile = load_profile(flags.faults, flags.profile_file,
                              flags.udp ? fault::Transport::datagram : fault::Transport::stream);
  if (!profile) return usage_error(profile.error());
  const bool http_aware = flags.protocol == "http";
  if (http_aware && flags.udp) return usage_error("--protocol http: HTTP runs over TCP, not --udp");
  if (auto http = profile->validate_http(http_aware); !http) return usage_error(http.error());

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
    options.http_aware = http_aware;
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
  fmt::print("faultline proxy: {} {} -> {} seed {} profile \"{}\"\n",
             flags.udp ? "udp" : (http_aware ? "http" : "tcp"), bound.to_string(),
             upstream->to_string(), flags.seed, profile->to_string());

  // The control API: the reference HTTP server with the API as its handler.
  proxy::ControlApi api;
  std::unique_ptr<http::HttpServer> control;
  if (control_at) {
    api.add("default", tcp ? proxy::ControlApi::handle_for(*tcp, *upstream)
                           : proxy::ControlApi::handle_for(*udp, *upstream));
    if (!token->empty()) api.require_token(*token);
    control = std::make_unique<http::HttpServer>(api.server_options(*control_at));
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
    fmt::print(
        "faultline proxy: accepted={} upstream_failed={} refuse_windows={} resets_sent={} "
        "bytes_up={} bytes_down={}\n",
        c.accepted, c.upstream_failed, c.refuse_windows, c.resets_sent, c.bytes_up, c.bytes_down);
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
    for (const std::string& warning : fault::profile_warnings(spec, fault::SpecSource{"--fault"}))
      std::cerr << "faultline: warning: " << warning << "\n";
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
  proxy
      ->add_option("--protocol", flags->protocol,
                   "tcp (bytes) or http: read HTTP/1.1 both ways, for the http_* faults "
                   "(http_abort, http_fail, http_delay, http_header, http_truncate, "
                   "http_slow_head)")
      ->check(CLI::IsMember({"tcp", "http"}));
  proxy->add_option("--log", flags->log_file, "write the event log (JSON lines) here (TCP)");
  proxy->add_option("--control", flags->control,
                    "serve the HTTP+JSON control API on PORT (127.0.0.1) or HOST:PORT (GET\n"
                    "/proxies, POST/DELETE /proxies/default/faults: see README); a non-loopback\n"
                    "HOST needs a token");
  proxy->add_option("--control-token", flags->control_token,
                    "require \"Authorization: Bearer TOKEN\" on every control request "
                    "(visible in ps: prefer --control-token-file)");
  proxy->add_option("--control-token-file", flags->control_token_file,
                    "read the control token from the first line of this file");
  proxy->callback([flags, &exit_code] { exit_code = run_proxy(*flags); });
}

}  // namespace faultline::cli
