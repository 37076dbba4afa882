// The user's client under test (--client-cmd): the reference echo client as a
// program passes every scenario that applies to a client; each client mutant
// as a program is killed; the verdicts for a short output, a silent failure
// and a hang; an HTTP client (curl, when present) against the reference server.
#include <gtest/gtest.h>

#include <filesystem>

#include "harness/suites/catalog.h"
#include "harness/suites/client_command.h"
#include "harness/suites/mutants/echo_mutants.h"
#include "harness/suites/suite.h"
#include "harness/suites/workload.h"

namespace faultline::suites {
namespace {

using namespace std::chrono_literals;

const std::string kClientProgram = FAULTLINE_ECHO_CLIENT;

std::vector<ScenarioResult> run_client(Protocol protocol, const std::string& command,
                                       const std::string& globs = "") {
  auto target = builtin_target(protocol);
  SuiteOptions options;
  options.scenarios = globs;
  RunnerOptions runner;
  runner.client_command = command;
  return run_suite(*target, protocol, options, runner);
}

Scenario scenario_named(Protocol protocol, const std::string& name) {
  for (auto& s : catalog(protocol))
    if (s.name == name) return s;
  ADD_FAILURE() << "no scenario " << name;
  return {};
}

TEST(ClientProgram, PlaceholdersAndEnvironmentReachTheProgram) {
  auto run =
      run_client_command("printf '%s %s|%s %s' {host} {port} $FAULTLINE_HOST $FAULTLINE_PORT",
                         net::Address::loopback(4321), "", "", 5s);
  ASSERT_TRUE(run) << run.error().to_string();
  EXPECT_TRUE(run->finished);
  EXPECT_EQ(run->exit_status, 0);
  EXPECT_EQ(run->out, "127.0.0.1 4321|127.0.0.1 4321");
  EXPECT_FALSE(check_client_template("my-client", false));
  EXPECT_TRUE(check_client_template("my-client {host} {port}", false));
  EXPECT_TRUE(check_client_template("curl {url}", true));
}

TEST(ClientProgram, ReferenceEchoClientPassesEveryApplicableScenario) {
  auto results =
      run_client(Protocol::echo_tcp, client_program_command(kClientProgram, "reference"));
  ASSERT_GE(results.size(), 10u);
  for (const auto& r : results) {
    EXPECT_TRUE(r.passed) << r.scenario << ": " << invariant_name(r.broken) << ": " << r.detail
                          << "\n  replay: " << r.replay;
  }
}

TEST(ClientProgram, ReferenceUdpClientPassesTheUdpScenarios) {
  auto results = run_client(Protocol::echo_udp, "'" + kClientProgram + "' --udp {host} {port}");
  ASSERT_EQ(results.size(), catalog(Protocol::echo_udp).size());
  for (const auto& r : results) {
    EXPECT_TRUE(r.passed) << r.scenario << ": " << invariant_name(r.broken) << ": " << r.detail;
  }
}

class ClientMutantProgram : public ::testing::TestWithParam<std::string> {};

TEST_P(ClientMutantProgram, IsKilledThroughTheClientCommandPath) {
  auto results = run_client(Protocol::echo_tcp, client_program_command(kClientProgram, GetParam()));
  std::vector<std::string> killers;
  for (const auto& r : results)
    if (!r.passed) killers.push_back(r.scenario + " (" + r.detail + ")");
  EXPECT_FALSE(killers.empty()) << GetParam() << " as a program survived every scenario";
  for (const auto& k : killers)
    std::cout << GetParam() << " killed by " << k << "\n";
}

INSTANTIATE_TEST_SUITE_P(Mutants, ClientMutantProgram, ::testing::ValuesIn(client_mutant_names()),
                         [](const auto& info) {
                           std::string name = info.param;
                           for (auto& ch : name)
                             if (ch == '-') ch = '_';
                           return name;
                         });

ScenarioResult run_one(const std::string& command, Scenario scenario) {
  auto target = builtin_target(Protocol::echo_tcp);
  RunnerOptions options;
  options.client_command = command;
  Runner runner(*target, Protocol::echo_tcp, options);
  auto result = runner.run(scenario, 1);
  target->stop();
  return result;
}

TEST(ClientProgram, ShortOutputWithExitZeroIsAnIntegrityFailure) {
  auto r = run_one("sh -c 'head -c 5; cat > /dev/null' {host} {port}",
                   scenario_named(Protocol::echo_tcp, "echo-tcp/baseline"));
  EXPECT_FALSE(r.passed);
  EXPECT_EQ(r.broken, Invariant::integrity) << r.detail;
  EXPECT_NE(r.detail.find("exited 0 but its output is wrong"), std::string::npos) << r.detail;
}

TEST(ClientProgram, SilentFailureIsAClarityFailure) {
  auto r = run_one("sh -c 'cat > /dev/null; exit 1' {host} {port}",
                   scenario_named(Protocol::echo_tcp, "echo-tcp/refused"));
  EXPECT_FALSE(r.passed);
  EXPECT_EQ(r.broken, Invariant::clarity) << r.detail;
}

TEST(ClientProgram, FailureWithAMessageWhereTheFaultAllowsNoSuccessPasses) {
  auto r = run_one("sh -c 'cat > /dev/null; echo connection refused >&2; exit 1' {host} {port}",
                   scenario_named(Protocol::echo_tcp, "echo-tcp/refused"));
  EXPECT_TRUE(r.passed) << r.detail;
}

TEST(ClientProgram, HangIsKilledAtTheDeadlineAsALivenessFailure) {
  auto scenario = scenario_named(Protocol::echo_tcp, "echo-tcp/stall");
  scenario.deadline = 2s;
  const auto started = net::MonotonicClock::now();
  auto r = run_one("sh -c 'cat > /dev/null; sleep 60 & wait' {host} {port}", scenario);
  EXPECT_FALSE(r.passed);
  EXPECT_EQ(r.broken, Invariant::liveness) << r.detail;
  EXPECT_NE(r.detail.find("killed"), std::string::npos) << r.detail;
  EXPECT_LT(net::MonotonicClock::now() - started, 8s);
}

TEST(ClientProgram, CurlAgainstTheReferenceHttpServer) {
  if (!std::filesystem::exists("/usr/bin/curl")) GTEST_SKIP() << "curl is not installed";
  auto results = run_client(Protocol::http, "curl -sS --fail --max-time 8 -o - {url}");
  ASSERT_GE(results.size(), 6u);
  for (const auto& r : results) {
    EXPECT_TRUE(r.passed) << r.scenario << ": " << invariant_name(r.broken) << ": " << r.detail
                          << "\n  replay: " << r.replay;
  }
}

TEST(ClientProgram, CurlWithTheTestCaPassesEveryHttpsScenario) {
  if (!std::filesystem::exists("/usr/bin/curl")) GTEST_SKIP() << "curl is not installed";
  auto results =
      run_client(Protocol::https, "curl -sS --fail --max-time 8 --cacert {cacert} -o - {url}");
  ASSERT_GE(results.size(), 6u);
  for (const auto& r : results) {
    EXPECT_TRUE(r.passed) << r.scenario << ": " << invariant_name(r.broken) << ": " << r.detail
                          << "\n  replay: " << r.replay;
  }
}

TEST(ClientProgram, CurlThatSkipsVerificationFailsTheCertificateScenarios) {
  if (!std::filesystem::exists("/usr/bin/curl")) GTEST_SKIP() << "curl is not installed";
  auto results = run_client(Protocol::https, "curl -sS --fail --max-time 8 --insecure -o - {url}",
                            "https/*-certificate");
  ASSERT_EQ(results.size(), 3u);
  for (const auto& r : results) {
    EXPECT_FALSE(r.passed) << r.scenario << " passed with a client that verifies nothing";
    EXPECT_EQ(r.broken, Invariant::clarity) << r.scenario << ": " << r.detail;
  }
}

// The WebSocket direction: `faultline ws send -` as the user's client, the
// reference WebSocket echo server behind the proxy.
TEST(ClientProgram, FaultlineWsSendPassesTheWsEchoClientScenarios) {
  const std::string command = std::string("'") + FAULTLINE_BINARY +
                              "' ws send - --to {url} --echo-only --fragment 3 --timeout 3s";
  auto results = run_client(Protocol::ws_echo, command);
  std::size_t applicable = 0;
  for (const auto& s : catalog(Protocol::ws_echo))
    applicable += applies_to_client_command(s) ? 1 : 0;
  ASSERT_EQ(results.size(), applicable);
  ASSERT_GE(results.size(), 10u);
  for (const auto& r : results) {
    EXPECT_TRUE(r.passed) << r.scenario << ": " << invariant_name(r.broken) << ": " << r.detail
                          << "\n  replay: " << r.replay;
  }
}

// A client that prints what it was sent without speaking WebSocket fails
// where the server is needed: a refused connection must be an error.
TEST(ClientProgram, WsClientThatIgnoresTheServerIsKilled) {
  auto results = run_client(Protocol::ws_echo, "cat; : {url}", "ws-echo/refused,ws-echo/stall");
  ASSERT_EQ(results.size(), 2u);
  for (const auto& r : results) {
    EXPECT_FALSE(r.passed) << r.scenario;
    EXPECT_EQ(r.broken, Invariant::clarity) << r.scenario << ": " << r.detail;
  }
}

}  // namespace
}  // namespace faultline::suites
