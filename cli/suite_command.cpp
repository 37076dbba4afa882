// cli/suite_command.cpp: `faultline suite`: the failure-mode suites against the
// built-in targets, any server by address or by command line, and the mutants.
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/core.h>

#include "cli/commands.h"
#include "cli/flags.h"
#include "cli/profile_flags.h"
#include "cli/suite_plans.h"
#include "cli/tls_flags.h"
#include "harness/suites/catalog.h"
#include "harness/suites/client_command.h"
#include "harness/suites/http_requests.h"
#include "harness/suites/mutants/echo_mutants.h"
#include "harness/suites/mutants/http_mutants.h"
#include "harness/suites/mutants/tls_mutants.h"
#include "harness/suites/mutants/ws_mutants.h"
#include "harness/suites/report.h"
#include "harness/suites/sim_suite.h"
#include "harness/suites/suite.h"
#include "harness/suites/tls_echo_client.h"

namespace faultline::cli {
namespace {


constexpr suites::Protocol kAllProtocols[] = {suites::Protocol::echo_tcp,
                                              suites::Protocol::echo_udp, suites::Protocol::http,
                                              suites::Protocol::echo_tls, suites::Protocol::https,
                                              suites::Protocol::ws_echo};

bool is_tls(suites::Protocol protocol) {
  return protocol == suites::Protocol::echo_tls || protocol == suites::Protocol::https;
}

// sibling_program: the path of `name` next to this executable ("" if absent).
std::string sibling_program(const std::string& name) {
  std::error_code error;
  auto self = std::filesystem::read_symlink("/proc/self/exe", error);
  if (error) return "";
  auto path = self.parent_path() / name;
  return std::filesystem::exists(path, error) ? path.string() : "";
}

// join_names: "a, b, c", each name after `prefix`.
std::string join_names(const std::vector<std::string>& names, std::string_view prefix = "") {
  std::string out;
  for (const auto& name : names) {
    if (!out.empty()) out += ", ";
    out += prefix;
    out += name;
  }
  return out;
}

// all_names: `a` then `b`.
std::vector<std::string> all_names(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// check_before_running: what can be known wrong before the first scenario
// runs: an output path that could not be written, and --mutants mixed with a
// flag it would ignore. A usage error costs nothing; a run of minutes whose
// report is then lost costs a great deal.
net::Status check_before_running(const SuiteFlags& flags) {
  for (const auto& [flag, path] :
       {std::pair<std::string, std::string>{"--junit", flags.junit}, {"--json", flags.json}}) {
    if (auto ok = check_writable(flag, path); !ok) return ok;
  }
  if (flags.mutants) {
    std::vector<std::string> conflicting;
    auto refuse = [&](bool given, const char* flag) {
      if (given) conflicting.emplace_back(flag);
    };
    refuse(!flags.target.empty(), "--target");
    refuse(!flags.target_cmd.empty(), "--target-cmd");
    refuse(!flags.builtin.empty(), "--builtin");
    refuse(!flags.protocol.empty(), "--protocol");
    refuse(!flags.client_cmd.empty(), "--client-cmd");
    refuse(!flags.client_mutant.empty(), "--client-mutant");
    refuse(!flags.requests.empty() || !flags.requests_file.empty(), "--request(s)");
    refuse(!flags.junit.empty(), "--junit");
    refuse(!flags.json.empty(), "--json");
    refuse(flags.list, "--list");
    refuse(flags.repeat != 1, "--repeat");
    refuse(flags.rerun_failures != 0, "--rerun-failures");
    refuse(!flags.faults.empty() || !flags.profile_file.empty(), "--fault/--profile");
    refuse(flags.network != "real", "--network");
    if (!conflicting.empty()) {
      return net::make_error(
          net::ErrorKind::invalid_argument,
          "--mutants runs the in-tree catalogs against every in-tree mutant and prints the "
          "kill table; it takes only --seed and --scenarios: leave out " +
              join_names(conflicting));
    }
  }
  return {};
}

// warn_unmatched_globs: a --scenarios glob that matches none of `scenarios`
// is named on stderr (the others still run).
void warn_unmatched_globs(const std::vector<suites::Scenario>& scenarios,
                          const std::string& globs) {
  for (const auto& glob : suites::unmatched_globs(scenarios, globs)) {
    std::cerr << "faultline: warning: --scenarios glob '" << glob << "' matches no scenario"
              << (scenarios.empty() ? "" : " (see faultline suite --list)") << "\n";
  }
}


}  // namespace

net::Result<std::vector<Plan>> make_plans(const SuiteFlags& flags) {
  std::vector<Plan> plans;
  std::optional<suites::Protocol> protocol;
  if (!flags.protocol.empty()) {
    auto parsed = suites::parse_protocol(flags.protocol);
    if (!parsed) return tl::unexpected(parsed.error());
    protocol = *parsed;
  }
  int sources = !flags.target.empty() + !flags.target_cmd.empty() + !flags.builtin.empty();
  if (sources > 1) {
    return net::make_error(net::ErrorKind::invalid_argument,
                           "give one of --target, --target-cmd and --builtin");
  }
  if (!flags.client_cmd.empty()) {
    // The user's client against the reference server of --protocol.
    if (!protocol) {
      return net::make_error(net::ErrorKind::invalid_argument,
                             "--client-cmd needs --protocol (echo-tcp, echo-udp, http, echo-tls, "
                             "https or ws-echo)");
    }
    if (sources > 0 || !flags.client_mutant.empty()) {
      return net::make_error(net::ErrorKind::invalid_argument,
                             "--client-cmd runs against the reference server: leave out --target, "
                             "--target-cmd, --builtin and --client-mutant");
    }
    if (auto ok = suites::check_client_template(
            flags.client_cmd, *protocol == suites::Protocol::http ||
                                  *protocol == suites::Protocol::https ||
                                  *protocol == suites::Protocol::ws_echo);
        !ok) {
      return tl::unexpected(ok.error());
    }
    Plan plan{suites::builtin_target(*protocol), *protocol, {}};
    plan.runner.client_command = flags.client_cmd;
    plans.push_back(std::move(plan));
    return plans;
  }
  if (!flags.target.empty() || !flags.target_cmd.empty()) {
    if (!protocol) {
      return net::make_error(net::ErrorKind::invalid_argument,
                             "--protocol (echo-tcp, echo-udp, http, echo-tls, https or ws-echo) is "
                             "required with --target and --target-cmd");
    }
    Plan plan{nullptr, *protocol, {}};
    if (is_tls(*protocol)) {
      // The user's server: its certificate chains to --cacert (or the system
      // store), or --insecure says not to check.
      auto context = client_tls_context(flags.cacert, flags.insecure,
                                        *protocol == suites::Protocol::https ? "http/1.1" : "");
      if (!context) return tl::unexpected(context.error());
      plan.runner.tls_client = *context;
      plan.runner.echo_client = suites::tls_echo_client(*context);
    }
    if (!flags.target.empty()) {
      auto address = net::Address::parse(flags.target);
      if (!address) return tl::unexpected(address.error());
      plan.target = std::make_unique<suites::AddressTarget>(*address);
    } else {
      auto command = suites::CommandTarget::create(flags.target_cmd, *protocol);
      if (!command) return tl::unexpected(command.error());
      plan.target = std::move(*command);
    }
    plans.push_back(std::move(plan));
  } else if (!flags.builtin.empty()) {
    std::string name = flags.builtin;
    if (name.rfind("mutant:", 0) == 0) {
      auto mutant = name.substr(7);
      // Each protocol's server mutants: the first set that knows the name.
      using Make = std::unique_ptr<echo::EchoServer> (*)(std::string_view);
      const std::pair<suites::Protocol, Make> sets[] = {
          {suites::Protocol::echo_tcp, suites::make_server_mutant},
          {suites::Protocol::echo_tls, suites::make_tls_server_mutant},
          {suites::Protocol::ws_echo, suites::make_ws_server_mutant},
      };
      auto found = std::find_if(std::begin(sets), std::end(sets),
                                [&](const auto& set) { return set.second(mutant) != nullptr; });
      if (found == std::end(sets)) {
        return net::make_error(
            net::ErrorKind::invalid_argument,
            "unknown server mutant '" + mutant + "': expected one of " +
                join_names(all_names(all_names(suites::server_mutant_names(),
                                               suites::tls_server_mutant_names()),
                                     suites::ws_server_mutant_names()),
                           "mutant:"));
      }
      plans.push_back({std::make_unique<suites::InProcessTarget>(
                           name,
                           [mutant, make = found->second] {
                             std::shared_ptr<echo::EchoServer> server(make(mutant));
                             return suites::InProcessTarget::Server{
                                 [server] { return server->start(); },
                                 [server] { return server->address(); },
                                 [server] { server->stop(); }};
                           }),
                       found->first,
                       {}});
    } else if (name == "echo-tcp:epoll" || name == "echo-tcp:threads" || name == "echo-tcp") {
      auto model = name == "echo-tcp:threads" ? "threads" : "epoll";
      plans.push_back({suites::builtin_target(suites::Protocol::echo_tcp, model),
                       suites::Protocol::echo_tcp,
                       {}});
    } else if (name == "echo-udp") {
      plans.push_back(
          {suites::builtin_target(suites::Protocol::echo_udp), suites::Protocol::echo_udp, {}});
    } else if (name == "http" || name == "echo-tls" || name == "https" || name == "ws-echo") {
      auto p = suites::parse_protocol(name).value();
      plans.push_back({suites::builtin_target(p), p, {}});
    } else {
      return net::make_error(net::ErrorKind::invalid_argument,
                             "--builtin '" + name +
                                 "': expected echo-tcp:epoll, echo-tcp:threads, echo-udp, http, "
                                 "echo-tls, https, ws-echo or mutant:NAME");
    }
  } else {
    // Every built-in target (or those of --protocol).
    for (auto p : kAllProtocols) {
      if (protocol && *protocol != p) continue;
      plans.push_back({suites::builtin_target(p), p, {}});
    }
  }
  if (!flags.requests.empty() || !flags.requests_file.empty()) {
    // The user's HTTP service, by the requests it should answer.
    if (!protocol || *protocol != suites::Protocol::http || plans.size() != 1) {
      return net::make_error(net::ErrorKind::invalid_argument,
                             "--request and --requests need --protocol http and one target "
                             "(--target, --target-cmd or --builtin http)");
    }
    auto differential = std::make_shared<suites::HttpDifferential>();
    std::string replay;
    for (const auto& text : flags.requests) {
      auto spec = suites::parse_request_spec(text);
      if (!spec) return tl::unexpected(spec.error());
      differential->requests.push_back(std::move(*spec));
      replay += " --request " + suites::shell_quote(text);
    }
    if (!flags.requests_file.empty()) {
      auto specs = suites::parse_requests_file(flags.requests_file);
      if (!specs) return tl::unexpected(specs.error());
      for (auto& spec : *specs)
        differential->requests.push_back(std::move(spec));
      replay += " --requests " + suites::shell_quote(flags.requests_file);
    }
    for (const auto& name : flags.volatile_headers) {
      differential->volatile_headers.push_back(name);
      replay += " --volatile-header " + suites::shell_quote(name);
    }
    plans.front().runner.http_requests = std::move(differential);
    plans.front().runner.replay_extra += replay;
  } else if (!flags.volatile_headers.empty()) {
    return net::make_error(net::ErrorKind::invalid_argument,
                           "--volatile-header goes with --request or --requests");
  }
  if ((!flags.cacert.empty() || flags.insecure) &&
      (flags.target.empty() && flags.target_cmd.empty())) {
    return net::make_error(net::ErrorKind::invalid_argument,
                           "--cacert and --insecure are for your own TLS server (--target or "
                           "--target-cmd with --protocol echo-tls or https); the built-in targets "
                           "use the test PKI");
  }
  if ((!flags.cacert.empty() || flags.insecure) && protocol && !is_tls(*protocol)) {
    return net::make_error(net::ErrorKind::invalid_argument,
                           "--cacert and --insecure need --protocol echo-tls or https");
  }
  if (!flags.client_mutant.empty() && flags.client_mutant != "reference") {
    http::client::SessionOptions probe;
    if (suites::apply_http_client_mutant(flags.client_mutant, probe)) {
      for (auto& plan : plans) {
        plan.runner.http_client = flags.client_mutant;
        plan.runner.replay_extra = " --client-mutant " + flags.client_mutant;
      }
      return plans;
    }
  }
  if (!flags.client_mutant.empty()) {
    auto client = suites::client_mutant(flags.client_mutant);
    if (!client) client = suites::tls_client_mutant(flags.client_mutant);
    if (!client) {
      return net::make_error(
          net::ErrorKind::invalid_argument,
          "unknown client mutant '" + flags.client_mutant + "': expected one of " +
              join_names(all_names(
                  all_names(suites::client_mutant_names(), suites::tls_client_mutant_names()),
                  suites::http_client_mutant_names())));
    }
    for (auto& plan : plans) {
      plan.runner.echo_client = *client;
      plan.runner.replay_extra = " --client-mutant " + flags.client_mutant;
    }
  }
  return plans;
}


net::Result<std::optional<fault::Profile>> profile_override(const SuiteFlags& flags,
                                                            suites::Protocol protocol) {
  if (flags.faults.empty() && flags.profile_file.empty()) return std::nullopt;
  auto profile = load_profile(flags.faults, flags.profile_file,
                              protocol == suites::Protocol::echo_udp ? fault::Transport::datagram
                                                                     : fault::Transport::stream);
  if (!profile) return tl::unexpected(profile.error());
  return std::optional<fault::Profile>(std::move(*profile));
}

bool plan_sim_hosts(const Plan& plan) {
  const std::string prefix = "--builtin ";
  const auto flags = plan.target ? plan.target->replay_flags() : "";
  return flags.rfind(prefix, 0) == 0 && plan.runner.client_command.empty() &&
         plan.runner.echo_client.name == "reference" && plan.runner.http_client == "reference" &&
         !plan.runner.http_requests && suites::sim_target(flags.substr(prefix.size()));
}

std::string replay_profile_flags(const fault::Profile& profile) {
  return " --fault " + suites::shell_quote(profile.to_string());
}

namespace {

// write_reports writes every report asked for; one that fails (the disk
// filled during the run) does not stop the others from being written.
int write_reports(const SuiteFlags& flags, const std::vector<suites::ScenarioResult>& results) {
  int rc = 0;
  auto write = [&](const std::string& path, const std::string& content, const char* what) {
    if (path.empty()) return;
    if (auto written = suites::write_file_atomically(path, content); !written) {
      rc = runtime_error(written.error());
      return;
    }
    fmt::print("wrote {} to {}\n", what, path);
  };
  write(flags.junit, suites::to_junit(results), "JUnit XML");
  write(flags.json, suites::to_json(results), "JSON");
  return rc;
}

// name_sim_replays: each failure on real sockets that the simulator can host
// also names its --network sim replay.
void name_sim_replays(const Plan& plan, std::vector<suites::ScenarioResult>& results) {
  if (!plan_sim_hosts(plan)) return;
  for (auto& result : results) {
    if (result.passed || result.target_down) continue;
    auto scenario = suites::select(suites::catalog(plan.protocol), result.scenario);
    if (scenario.size() != 1 || !suites::sim_refusal(scenario.front()).empty()) continue;
    const std::string head = "faultline suite ";
    if (result.replay.rfind(head, 0) == 0) {
      result.other_replay = head + "--network sim " + result.replay.substr(head.size());
    }
  }
}

// run_sim_suite_command: `faultline suite --network sim`.
int run_sim_suite_command(const SuiteFlags& flags, suites::SuiteOptions options,
                          const suites::ResultSink& print_row) {
  std::vector<std::string> refused;
  auto refuse = [&](bool given, const char* flag) {
    if (given) refused.emplace_back(flag);
  };
  refuse(!flags.target.empty(), "--target");
  refuse(!flags.target_cmd.empty(), "--target-cmd");
  refuse(!flags.client_cmd.empty(), "--client-cmd");
  refuse(!flags.client_mutant.empty(), "--client-mutant");
  refuse(!flags.requests.empty() || !flags.requests_file.empty(), "--request(s)");
  refuse(!flags.cacert.empty() || flags.insecure, "--cacert/--insecure");
  refuse(flags.rerun_failures != 0, "--rerun-failures");
  if (!refused.empty()) {
    return usage_error("--network sim runs the built-in echo-tcp targets in the simulator; leave "
                       "out " + join_names(refused));
  }
  if (!flags.protocol.empty() && flags.protocol != "echo-tcp") {
    return usage_error("--network sim: protocol '" + flags.protocol +
                       "' is not supported in the simulator (it hosts echo-tcp only: its "
                       "targets' cores run as simulated servers; the others need real sockets)");
  }
  const std::string builtin = flags.builtin.empty() ? "echo-tcp" : flags.builtin;
  auto target = suites::sim_target(builtin);
  if (!target) {
    return usage_error("--network sim: --builtin '" + builtin +
                       "' cannot run in the simulator; it hosts " +
                       join_names(suites::sim_target_names()));
  }
  auto override = profile_override(flags, suites::Protocol::echo_tcp);
  if (!override) return usage_error(override.error());
  std::string replay_extra;
  if (*override) {
    options.profile = (*override)->to_string();
    replay_extra = replay_profile_flags(**override);
  }
  auto selected = suites::select(suites::catalog(suites::Protocol::echo_tcp), flags.scenarios);
  warn_unmatched_globs(suites::catalog(suites::Protocol::echo_tcp), flags.scenarios);
  std::size_t hosted = 0;
  for (const auto& scenario : selected) {
    if (auto why = suites::sim_refusal(scenario); !why.empty()) {
      fmt::print("SKIP  {:<28} not in the simulator: {}\n", scenario.name, why);
    } else {
      ++hosted;
    }
  }
  if (hosted == 0) {
    return usage_error("--scenarios '" + flags.scenarios +
                       "' matches no scenario the simulator hosts (echo-tcp exchange and large "
                       "workloads)");
  }
  fmt::print("== {} on the simulated network (echo-tcp), seed {}{}\n", builtin, flags.seed,
             flags.repeat > 1 ? fmt::format(", {} repeats", flags.repeat) : "");
  std::fflush(stdout);
  auto results = suites::run_sim_suite(*target, options, replay_extra, print_row);
  suites::print_summary(results, std::cout);
  if (int rc = write_reports(flags, results); rc != 0) return rc;
  return suites::count(results).failed == 0 ? 0 : 1;
}

int run_suite_command(const SuiteFlags& flags) {
  if (flags.repeat < 1) return usage_error("--repeat must be at least 1");
  if (flags.rerun_failures < 0 || flags.rerun_failures > 100) {
    return usage_error("--rerun-failures must be within 0..100");
  }
  if (auto ok = check_before_running(flags); !ok) return usage_error(ok.error());
  if (flags.network != "real" && flags.network != "sim") {
    return usage_error("--network '" + flags.network + "': expected real or sim");
  }
  if (flags.list) {
    std::optional<suites::Protocol> only;
    if (!flags.protocol.empty()) {
      auto parsed = suites::parse_protocol(flags.protocol);
      if (!parsed) return usage_error(parsed.error());
      only = *parsed;
    }
    std::vector<suites::Scenario> listed;
    for (auto p : kAllProtocols) {
      if (only && *only != p) continue;
      auto part = suites::catalog(p);
      listed.insert(listed.end(), part.begin(), part.end());
    }
    warn_unmatched_globs(listed, flags.scenarios);
    for (const auto& s : suites::select(listed, flags.scenarios)) {
      fmt::print("{:<28} {:<40} {}\n", s.name, s.profile.empty() ? "(no faults)" : s.profile,
                 s.description);
    }
    return 0;
  }
  suites::SuiteOptions options{flags.scenarios, flags.seed, flags.repeat, flags.rerun_failures,
                               std::nullopt};
  auto print_row = [](const suites::ScenarioResult& r) {
    std::cout << suites::format_row(r) << std::endl;
  };
  if (flags.mutants) {
    fmt::print(
        "kill table: the echo-tcp and http catalogs against every in-tree mutant, the echo-tls "
        "catalog against every TLS mutant, the ws-echo catalog against every WebSocket mutant "
        "(seed {})\n",
        flags.seed);
    auto client_program = sibling_program("faultline-echo-client");
    if (client_program.empty()) {
      fmt::print(
          "(faultline-echo-client is not next to faultline: the client mutants run in "
          "process only)\n");
    }
    if (!flags.scenarios.empty()) {
      fmt::print(
          "(only the scenarios matching --scenarios run: a mutant that survives them may "
          "still be killed by one left out)\n");
    }
    auto rows = suites::kill_table(options, false, print_row, client_program);
    std::cout << '\n';
    suites::print_kill_table(rows, std::cout);
    // Every mutant killed, and the control (the reference client as a program) not.
    bool all_killed = std::all_of(rows.begin(), rows.end(), [](const auto& r) {
      return r.mutant == "reference" ? r.killed_by.empty() : !r.killed_by.empty();
    });
    return all_killed ? 0 : 1;
  }
  if (flags.network == "sim") return run_sim_suite_command(flags, options, print_row);
  auto plans = make_plans(flags);
  if (!plans) return usage_error(plans.error());
  {
    std::vector<suites::Scenario> offered;
    for (const auto& plan : *plans) {
      auto part = suites::catalog(plan.protocol);
      offered.insert(offered.end(), part.begin(), part.end());
    }
    warn_unmatched_globs(offered, flags.scenarios);
  }
  std::vector<suites::ScenarioResult> results;
  for (auto& plan : *plans) {
    if (suites::select(suites::catalog(plan.protocol), flags.scenarios).empty()) continue;
    std::string what = plan.target->describe();
    if (!plan.runner.client_command.empty()) {
      what =
          "client '" + plan.runner.client_command + "' against the reference " + what + " server";
    } else if (plan.runner.http_requests) {
      what += fmt::format(", {} requests checked against their answers with no fault",
                          plan.runner.http_requests->requests.size());
    }
    fmt::print("== {} ({}), seed {}{}\n", what, suites::protocol_name(plan.protocol), flags.seed,
               flags.repeat > 1 ? fmt::format(", {} repeats", flags.repeat) : "");
    std::fflush(stdout);
    auto plan_options = options;
    auto override = profile_override(flags, plan.protocol);
    if (!override) return usage_error(override.error());
    if (*override) {
      plan_options.profile = (*override)->to_string();
      plan.runner.replay_extra += replay_profile_flags(**override);
    }
    auto part =
        suites::run_suite(*plan.target, plan.protocol, plan_options, plan.runner, print_row);
    name_sim_replays(plan, part);
    results.insert(results.end(), part.begin(), part.end());
  }
  if (results.empty())
    return usage_error("--scenarios '" + flags.scenarios + "' matches no scenario");
  suites::print_summary(results, std::cout);
  if (int rc = write_reports(flags, results); rc != 0) return rc;
  // Flaky scenarios (a same-seed rerun passed) do not fail the run, as in
  // Maven Surefire; they are listed, counted and marked in the JUnit XML.
  return suites::count(results).failed == 0 ? 0 : 1;
}

}  // namespace

void add_run_flags(CLI::App& command, SuiteFlags& flags) {
  command.add_option("--target", flags.target, "a running server HOST:PORT (needs --protocol)");
  command.add_option("--target-cmd", flags.target_cmd,
                     "a command that starts the server; {port} is replaced by a free port");
  command.add_option("--builtin", flags.builtin,
                     "echo-tcp:epoll, echo-tcp:threads, echo-udp, http, echo-tls, https, ws-echo, "
                     "or mutant:NAME");
  command.add_option("--protocol", flags.protocol,
                     "echo-tcp, echo-udp, http, echo-tls, https or ws-echo");
  command.add_option("--scenarios,--scenario", flags.scenarios,
                     "comma-separated globs, e.g. 'echo-tcp/slicer*'");
  command.add_option("--seed", flags.seed, "seed for every fault (run i of --repeat uses seed+i)")
      ->capture_default_str();
  command.add_option(
      "--client-cmd", flags.client_cmd,
      "your client program, against the reference server of --protocol behind the fault proxy:\n"
      "'CMD {host} {port}' (echo: message on stdin, reply to stdout) or 'CMD {url}' (http: body\n"
      "to stdout; ws-echo: stdin sent as one text message, the echo to stdout); exit 0 on success, "
      "non-zero with a message on stderr on failure");
  command.add_option("--request", flags.requests,
                     "with --protocol http: a request your service answers, 'METHOD PATH' or\n"
                     "'METHOD PATH @body-file' (repeatable); each is checked against its answer\n"
                     "with no fault (status, body, headers but Date)");
  command.add_option("--requests", flags.requests_file,
                     "a file of such requests, one per line, # comments");
  command.add_option("--volatile-header", flags.volatile_headers,
                     "a response header that may differ between two answers (repeatable)");
  command.add_option("--client-mutant", flags.client_mutant,
                     "drive the scenarios with a buggy client (one-recv-is-a-message, no-timeouts, "
                     "tutorial-client; echo-tls: tls-skips-verification, tls-eof-is-end-of-reply, "
                     "tls-no-handshake-timeout)");
  command.add_option("--cacert", flags.cacert,
                     "echo-tls/https with --target or --target-cmd: the PEM CA your server's "
                     "certificate chains to (default: the system store)");
  command.add_flag("--insecure", flags.insecure,
                   "echo-tls/https with --target or --target-cmd: do not verify your server's "
                   "certificate (loudly)");
  command.add_option("--fault", flags.faults,
                     "a fault clause (repeatable): this profile replaces each selected scenario's "
                     "own");
  command.add_option("--profile", flags.profile_file,
                     "a profile file that replaces each selected scenario's profile");
  command.add_option("--network", flags.network,
                     "real (loopback sockets through the fault proxy) or sim (the simulated "
                     "network, virtual time; echo-tcp built-in targets only)")
      ->capture_default_str();
}

void register_suite_command(CLI::App& app, int& exit_code) {
  auto flags = std::make_shared<SuiteFlags>();
  auto* suite = app.add_subcommand(
      "suite",
      "Run the failure-mode suites: each scenario puts a fault proxy in front of the target and\n"
      "checks integrity, liveness, isolation, hygiene and clarity. With no target: every\n"
      "built-in target. Exit status 1 when any scenario fails.");
  add_run_flags(*suite, *flags);
  suite->add_option("--repeat", flags->repeat, "run the selection this many times")
      ->capture_default_str();
  suite
      ->add_option("--rerun-failures", flags->rerun_failures,
                   "rerun a failed scenario N times with its seed and N times with fresh seeds, "
                   "and classify it: flaky (a same-seed rerun passed; does not fail the run), "
                   "seed-dependent or consistent")
      ->capture_default_str();
  suite->add_option("--junit", flags->junit, "write JUnit XML here");
  suite->add_option("--json", flags->json, "write JSON here");
  suite->add_flag("--list", flags->list, "list the scenarios and exit");
  suite->add_flag("--mutants", flags->mutants,
                  "run the echo-tcp catalog against every in-tree mutant (echo-tls against the\n"
                  "TLS mutants, ws-echo against the WebSocket mutants) and print the kill table");
  suite->callback([flags, &exit_code] { exit_code = run_suite_command(*flags); });
}

}  // namespace faultline::cli
