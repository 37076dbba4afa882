#include "cli/schedule_case.h"

#include <fstream>
#include <iterator>

#include "cli/profile_flags.h"
#include "fuzz/schedule_real.h"
#include "harness/suites/mutants/echo_mutants.h"
#include "harness/suites/target.h"

namespace faultline::cli {
namespace {

constexpr std::size_t kMaxReproducerBytes = 1 << 20;

}  // namespace

const fault::Profile& ScheduleCase::profile() const {
  return std::visit([](const auto& c) -> const fault::Profile& { return c.schedule.profile; },
                    data);
}

std::string ScheduleCase::summary() const {
  if (const auto* echo = std::get_if<fuzz::EchoCase>(&data)) {
    return "seed " + std::to_string(echo->seed) + ", message \"" + fuzz::escape(echo->message, 64) +
           "\"";
  }
  const auto& http = std::get<fuzz::HttpClientCase>(data);
  return fuzz::http_method(http) + ", response \"" + fuzz::escape(http.response, 64) + "\"";
}

std::string schedule_fuzzer_names() {
  return "echo_schedule, http_client";
}

net::Result<ScheduleCase> load_schedule_case(std::string fuzzer, const std::string& path) {
  if (fuzzer.ends_with("_fuzzer")) fuzzer.resize(fuzzer.size() - 7);
  if (fuzzer != "echo_schedule" && fuzzer != "http_client") {
    return net::make_error(net::ErrorKind::invalid_argument,
                           "fuzzer '" + fuzzer + "': expected one of the schedule fuzzers (" +
                               schedule_fuzzer_names() + ")");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return net::make_error(net::ErrorKind::invalid_argument, "cannot read the reproducer '" + path +
                                                                 "' (no such file, or unreadable)");
  }
  std::string bytes;
  bytes.resize(kMaxReproducerBytes + 1);
  in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (in.bad()) {
    return net::make_error(net::ErrorKind::io, "reading the reproducer '" + path + "' failed");
  }
  bytes.resize(static_cast<std::size_t>(in.gcount()));
  if (bytes.size() > kMaxReproducerBytes) {
    return net::make_error(net::ErrorKind::invalid_argument,
                           "the reproducer '" + path + "' is over 1MiB: not a fuzzer input");
  }
  ScheduleCase loaded{fuzzer, path, fuzz::EchoCase{}};
  if (fuzzer == "echo_schedule") {
    auto echo = fuzz::read_echo_case(bytes);
    if (!echo) return tl::unexpected(echo.error());
    loaded.data = std::move(*echo);
  } else {
    auto http = fuzz::read_http_client_case(bytes);
    if (!http) return tl::unexpected(http.error());
    loaded.data = std::move(*http);
  }
  return loaded;
}

net::Result<fault::Profile> case_profile(const ScheduleCase& loaded,
                                         const std::vector<std::string>& faults,
                                         const std::string& profile_file, bool given) {
  if (!given) return loaded.profile();
  auto profile = load_profile(faults, profile_file, fault::Transport::stream);
  if (!profile) return tl::unexpected(profile.error());
  if (profile->has_http_faults()) {
    return net::make_error(net::ErrorKind::invalid_argument,
                           "the schedule fuzzers' proxy reads bytes, not HTTP: leave out the "
                           "http_* clauses");
  }
  return profile;
}

net::Status set_client_mutant(ScheduleCase& loaded, const std::string& name, CaseNetwork network) {
  if (name.empty()) return {};
  std::string names;
  for (const auto& known : suites::client_mutant_names())
    names += (names.empty() ? "" : ", ") + known;
  if (!suites::client_mutant(name)) {
    return net::make_error(
        net::ErrorKind::invalid_argument,
        "--client-mutant '" + name + "': not an echo client mutant (" + names + ")");
  }
  if (!std::holds_alternative<fuzz::EchoCase>(loaded.data)) {
    return net::make_error(net::ErrorKind::invalid_argument,
                           "--client-mutant: the echo client mutants replace the echo_schedule "
                           "fuzzer's client, not the HTTP client's");
  }
  if (network != CaseNetwork::real) {
    return net::make_error(net::ErrorKind::invalid_argument,
                           "--client-mutant: the mutants speak real sockets only; add "
                           "--network real");
  }
  loaded.client_mutant = name;
  return {};
}

fuzz::CaseRun run_schedule_case(const ScheduleCase& loaded, const fault::Profile& profile,
                                CaseNetwork network, net::Duration deadline) {
  if (const auto* echo = std::get_if<fuzz::EchoCase>(&loaded.data)) {
    if (network == CaseNetwork::sim) return fuzz::run_echo_case(*echo, profile);
    fuzz::EchoClient client;
    if (auto mutant = suites::client_mutant(loaded.client_mutant); mutant) {
      client = [run = mutant->run](const net::Address& server, const std::string& message,
                                   net::Duration limit) -> net::Result<std::string> {
        echo::EchoTimeouts timeouts{limit, limit, limit};
        auto replies = run(server, {message}, timeouts);
        if (!replies) return tl::unexpected(replies.error());
        return replies->empty() ? std::string() : replies->front();
      };
    }
    return fuzz::run_echo_case_real(*echo, profile, deadline, client);
  }
  const auto& http = std::get<fuzz::HttpClientCase>(loaded.data);
  return network == CaseNetwork::sim ? fuzz::run_http_client_case(http, profile)
                                     : fuzz::run_http_client_case_real(http, profile);
}

std::string replay_schedule_command(const ScheduleCase& loaded, const fault::Profile& profile,
                                    CaseNetwork network) {
  return "faultline fuzz replay " + loaded.fuzzer + " " + suites::shell_quote(loaded.path) +
         " --fault " + suites::shell_quote(profile.is_empty() ? "" : profile.to_string()) +
         (network == CaseNetwork::real ? " --network real" : "") +
         (loaded.client_mutant.empty() ? "" : " --client-mutant " + loaded.client_mutant);
}

}  // namespace faultline::cli
