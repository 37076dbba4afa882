// cli/toxiproxy_command.cpp: `faultline toxiproxy`: Toxiproxy's HTTP API on
// faultline's proxies, until SIGINT/SIGTERM, so Toxiproxy's client libraries
// and tests work against faultline unchanged.
#include <signal.h>

#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include <fmt/core.h>

#include "cli/commands.h"
#include "cli/flags.h"
#include "harness/proxy/toxiproxy_api.h"
#include "targets/http/server/server.h"

namespace faultline::cli {
namespace {

struct ToxiproxyFlags {
  std::string host = "127.0.0.1";
  int port = 8474;
  std::string config;
  std::uint64_t seed = 1;
  bool allow_remote = false;
};

int run_toxiproxy(const ToxiproxyFlags& flags) {
  if (flags.port < 0 || flags.port > 65535) {
    return usage_error(fmt::format("--port: {} is not a port (0 to 65535)", flags.port));
  }
  const bool bracket = flags.host.find(':') != std::string::npos && flags.host.front() != '[';
  auto listen = net::Address::parse((bracket ? "[" + flags.host + "]" : flags.host) + ":" +
                                    std::to_string(flags.port));
  if (!listen) return usage_error("--host: " + listen.error().message);
  const std::string host = listen->host();
  if (host.rfind("127.", 0) != 0 && host != "::1" && !flags.allow_remote) {
    return usage_error(
        "--host " + flags.host +
        " is not a loopback address: Toxiproxy's API has no authentication, so anyone who "
        "can reach it can drive the proxies; add --allow-remote to serve it there anyway");
  }
  proxy::ToxiproxyApi api(flags.seed);
  if (!flags.config.empty()) {
    std::ifstream in(flags.config);
    if (!in) return usage_error("--config: cannot read '" + flags.config + "'");
    std::ostringstream text;
    text << in.rdbuf();
    if (auto loaded = api.load_config(text.str()); !loaded) {
      return usage_error("--config '" + flags.config + "': " + loaded.error().message);
    }
  }
  sigset_t signals = block_shutdown_signals();
  http::HttpServer server(api.server_options(*listen));
  if (auto started = server.start(); !started) return runtime_error(started.error());
  fmt::print("faultline toxiproxy: API on http://{} (seed {})\n", server.address().to_string(),
             flags.seed);
  std::fflush(stdout);
  int signal_number = 0;
  sigwait(&signals, &signal_number);
  server.stop();
  api.stop_all();
  return 0;
}

}  // namespace

void register_toxiproxy_command(CLI::App& app, int& exit_code) {
  auto flags = std::make_shared<ToxiproxyFlags>();
  auto* command = app.add_subcommand(
      "toxiproxy",
      "Serve Toxiproxy's HTTP API (v2) on faultline's proxies and fault engine: Toxiproxy's\n"
      "client libraries and tests work unchanged against this port. Until SIGINT/SIGTERM.");
  command->add_option("--host", flags->host, "address the API listens on")->capture_default_str();
  command->add_option("--port", flags->port, "port the API listens on")->capture_default_str();
  command->add_option("--config", flags->config,
                      "Toxiproxy's JSON config file (a list of proxies; each may carry "
                      "\"toxics\")");
  command
      ->add_option("--seed", flags->seed,
                   "seed of every fault (each proxy's from seed and name): a run replays")
      ->capture_default_str();
  command->add_flag("--allow-remote", flags->allow_remote,
                    "serve the API on a non-loopback --host (it has no authentication)");
  command->callback([flags, &exit_code] { exit_code = run_toxiproxy(*flags); });
}

}  // namespace faultline::cli
