// Process hygiene of --target-cmd: each command runs in its own process
// group and stop() ends the whole group; an early exit is reported with its
// status and stops the suite; a refused target is reported before any
// scenario; every row names the target. Real processes on loopback; the
// server is the faultline binary's own echo server.
#include <signal.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "harness/suites/suite.h"
#include "harness/suites/target.h"
#include "targets/net/socket.h"

namespace faultline::suites {
namespace {

using namespace std::chrono_literals;

const std::string kFaultline = FAULTLINE_BINARY;

bool process_exists(pid_t pid) {
  return ::kill(pid, 0) == 0 || errno != ESRCH;
}

std::filesystem::path temp_file(const std::string& name) {
  return std::filesystem::temp_directory_path() /
         ("faultline-" + std::to_string(::getpid()) + "-" + name);
}

// read_pid waits (bounded) for the command to write its background pid.
pid_t read_pid(const std::filesystem::path& path) {
  auto deadline = net::Deadline::after(10s);
  while (!deadline.expired()) {
    std::ifstream in(path);
    pid_t pid = 0;
    if (in >> pid && pid > 0) return pid;
    (void)net::wait_for(-1, net::Readiness::readable, net::Deadline::after(10ms), "pid file");
  }
  return -1;
}

TEST(CommandTarget, StopEndsEveryProcessTheCommandStarted) {
  auto pid_file = temp_file("bg.pid");
  std::filesystem::remove(pid_file);
  // The classic wrapper: the server in the background, the shell waiting. A
  // SIGTERM to the shell alone would leave the server running.
  auto target = CommandTarget::create("sh -c '" + kFaultline +
                                          " echo serve --tcp 127.0.0.1:{port} & echo $! > " +
                                          pid_file.string() + "; wait'",
                                      Protocol::echo_tcp);
  ASSERT_TRUE(target);
  auto started = (*target)->start();
  ASSERT_TRUE(started) << started.error().to_string();
  pid_t server = read_pid(pid_file);
  ASSERT_GT(server, 0);
  pid_t group = (*target)->process_group();
  ASSERT_GT(group, 0);
  EXPECT_EQ(::getpgid(server), group) << "the server is in the command's process group";
  EXPECT_TRUE(process_exists(server));
  (*target)->stop();
  EXPECT_FALSE(process_exists(server)) << "background server " << server << " left behind";
  EXPECT_FALSE(::kill(-group, 0) == 0) << "process group " << group << " still has members";
  std::filesystem::remove(pid_file);
}

TEST(CommandTarget, EarlyExitIsReportedWithItsStatus) {
  auto target =
      CommandTarget::create("sh -c 'echo no such port >&2; exit 3' {port}", Protocol::echo_tcp);
  ASSERT_TRUE(target);
  auto started = (*target)->start();
  ASSERT_FALSE(started);
  EXPECT_NE(started.error().message.find("exited with status 3 before listening"),
            std::string::npos)
      << started.error().to_string();
}

TEST(CommandTarget, SuiteStopsAtTheFirstTargetThatDidNotStart) {
  auto target = CommandTarget::create("sh -c 'kill -9 $$' {port}", Protocol::echo_tcp);
  ASSERT_TRUE(target);
  SuiteOptions options;
  options.repeat = 3;
  auto results = run_suite(**target, Protocol::echo_tcp, options);
  ASSERT_EQ(results.size(), 1u) << "the suite went on after the target did not start";
  EXPECT_TRUE(results[0].target_down);
  EXPECT_NE(results[0].detail.find("target did not start"), std::string::npos) << results[0].detail;
  EXPECT_NE(results[0].detail.find("killed by signal 9"), std::string::npos) << results[0].detail;
  EXPECT_FALSE(results[0].target.empty());
}

TEST(CommandTarget, RefusedTargetIsReportedBeforeAnyScenario) {
  // A port nothing listens on: bind one, read it, close it.
  std::uint16_t port = 0;
  {
    auto probe = net::listen_tcp(net::Address::loopback(0));
    ASSERT_TRUE(probe);
    port = net::local_address(probe->get())->port();
  }
  AddressTarget target(net::Address::loopback(port));
  auto results = run_suite(target, Protocol::echo_tcp, SuiteOptions{});
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].detail.rfind("target refused: ", 0), 0u) << results[0].detail;
  EXPECT_EQ(results[0].scenario, "(target check)");
  EXPECT_NE(results[0].replay.find("--target 127.0.0.1:"), std::string::npos) << results[0].replay;
}

TEST(CommandTarget, EveryRowNamesTheTarget) {
  auto target =
      CommandTarget::create(kFaultline + " echo serve --tcp 127.0.0.1:{port}", Protocol::echo_tcp);
  ASSERT_TRUE(target);
  SuiteOptions options;
  options.scenarios = "echo-tcp/baseline,echo-tcp/refused";
  auto results = run_suite(**target, Protocol::echo_tcp, options);
  ASSERT_EQ(results.size(), 2u);
  for (const auto& r : results) {
    EXPECT_TRUE(r.passed) << r.scenario << ": " << r.detail;
    EXPECT_NE(r.target.find("echo serve --tcp 127.0.0.1:"), std::string::npos) << r.target;
    EXPECT_EQ(r.target.find("{port}"), std::string::npos) << r.target;
  }
}

// run_hygiene runs the reset-storm scenario against `command`.
ScenarioResult run_hygiene(const std::string& command) {
  auto target = CommandTarget::create(command, Protocol::echo_tcp);
  EXPECT_TRUE(target);
  if (!target) return {};
  SuiteOptions options;
  options.scenarios = "echo-tcp/hygiene-resets";
  auto results = run_suite(**target, Protocol::echo_tcp, options);
  EXPECT_EQ(results.size(), 1u);
  return results.empty() ? ScenarioResult{} : results.front();
}

TEST(CommandTarget, HygieneReportsTheResidentMemoryOfAWellBehavedServer) {
  auto result = run_hygiene(kFaultline + " echo serve --tcp 127.0.0.1:{port}");
  EXPECT_TRUE(result.passed) << result.detail;
  EXPECT_NE(result.detail.find("resident memory "), std::string::npos) << result.detail;
}

TEST(CommandTarget, HygieneCatchesAServerThatKeepsMemoryPerResetConnection) {
  if (std::system("command -v python3 >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "python3 is not installed: the leaking server is a python3 script";
  }
  // An echo server that keeps 256 KiB for every connection it ever served,
  // closing every descriptor properly: only its memory tells.
  auto script = temp_file("leaky-echo.py");
  std::ofstream(script) << "import socketserver, sys\n"
                        << "kept = []\n"
                        << "class Handler(socketserver.BaseRequestHandler):\n"
                        << "    def handle(self):\n"
                        << "        kept.append(b'k' * 262144)\n"
                        << "        try:\n"
                        << "            while True:\n"
                        << "                data = self.request.recv(65536)\n"
                        << "                if not data:\n"
                        << "                    return\n"
                        << "                self.request.sendall(data)\n"
                        << "        except OSError:\n"
                        << "            return\n"
                        << "class Server(socketserver.ThreadingTCPServer):\n"
                        << "    allow_reuse_address = True\n"
                        << "    daemon_threads = True\n"
                        << "    request_queue_size = 128\n"
                        << "Server(('127.0.0.1', int(sys.argv[1])), Handler).serve_forever()\n";
  auto result = run_hygiene("python3 " + script.string() + " {port}");
  std::filesystem::remove(script);
  EXPECT_FALSE(result.passed) << result.detail;
  EXPECT_EQ(result.broken, Invariant::hygiene) << result.detail;
  EXPECT_NE(result.detail.find("resident memory grew from"), std::string::npos) << result.detail;
}

// `faultline ws serve` as a --target-cmd: the ws-echo scenarios through the
// proxy, the WebSocket ones (a violation, a silent peer) included.
TEST(CommandTarget, WsServeCommandPassesTheWsEchoScenarios) {
  auto target = CommandTarget::create(kFaultline +
                                          " ws serve --listen 127.0.0.1:{port} --ping-interval 2s "
                                          "--pong-timeout 3s --close-timeout 2s",
                                      Protocol::ws_echo);
  ASSERT_TRUE(target);
  SuiteOptions options;
  options.scenarios =
      "ws-echo/baseline,ws-echo/slicer-1-byte,ws-echo/unmasked-frame,ws-echo/pong-missing";
  auto results = run_suite(**target, Protocol::ws_echo, options);
  ASSERT_EQ(results.size(), 4u);
  for (const auto& r : results) {
    EXPECT_TRUE(r.passed) << r.scenario << ": " << invariant_name(r.broken) << ": " << r.detail;
    EXPECT_NE(r.target.find("ws serve --listen 127.0.0.1:"), std::string::npos) << r.target;
  }
}

}  // namespace
}  // namespace faultline::suites
