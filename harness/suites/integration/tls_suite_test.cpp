// The echo-tls and https catalogs against the built-in TLS targets (every
// scenario must pass), and the TLS mutants (each must be killed by some
// echo-tls scenario). One test per scenario and per mutant, so ctest spreads them.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "harness/suites/catalog.h"
#include "harness/suites/mutants/tls_mutants.h"
#include "harness/suites/suite.h"
#include "harness/suites/suite_pki.h"

namespace faultline::suites {
namespace {

std::vector<Scenario> tls_scenarios() {
  auto all = catalog(Protocol::echo_tls);
  for (auto& s : catalog(Protocol::https))
    all.push_back(s);
  return all;
}

std::string test_name(std::string name) {
  for (auto& ch : name) {
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  }
  return name;
}

class TlsReferenceTargetTest : public ::testing::TestWithParam<Scenario> {};

TEST_P(TlsReferenceTargetTest, PassesTheScenario) {
  const Scenario& scenario = GetParam();
  auto target = builtin_target(scenario.protocol);
  Runner runner(*target, scenario.protocol);
  auto result = runner.run(scenario, 1);
  target->stop();
  EXPECT_TRUE(result.passed) << invariant_name(result.broken) << ": " << result.detail
                             << "\n  replay: " << result.replay;
}

INSTANTIATE_TEST_SUITE_P(Catalog, TlsReferenceTargetTest, ::testing::ValuesIn(tls_scenarios()),
                         [](const auto& info) { return test_name(info.param.name); });

class TlsMutantTest : public ::testing::TestWithParam<std::string> {};

TEST_P(TlsMutantTest, IsKilledByAtLeastOneScenario) {
  const auto& name = GetParam();
  std::unique_ptr<Target> target;
  RunnerOptions options;
  if (auto client = tls_client_mutant(name)) {
    target = builtin_target(Protocol::echo_tls);
    options.echo_client = *client;
  } else {
    target = std::make_unique<InProcessTarget>("mutant:" + name, [name] {
      std::shared_ptr<echo::EchoServer> server(make_tls_server_mutant(name));
      return InProcessTarget::Server{[server] { return server->start(); },
                                     [server] { return server->address(); },
                                     [server] { server->stop(); }};
    });
  }
  Runner runner(*target, Protocol::echo_tls, options);
  std::vector<std::string> killed_by;
  for (const auto& scenario : catalog(Protocol::echo_tls)) {
    auto result = runner.run(scenario, 1);
    if (!result.passed) {
      killed_by.push_back(scenario.name);
      std::cout << name << " killed by " << scenario.name << " (" << invariant_name(result.broken)
                << ": " << result.detail << ")\n";
      break;
    }
  }
  target->stop();
  EXPECT_FALSE(killed_by.empty()) << name << " survived every echo-tls scenario";
}

std::vector<std::string> all_tls_mutants() {
  auto names = tls_server_mutant_names();
  for (auto& n : tls_client_mutant_names())
    names.push_back(n);
  return names;
}

INSTANTIATE_TEST_SUITE_P(Mutants, TlsMutantTest, ::testing::ValuesIn(all_tls_mutants()),
                         [](const auto& info) { return test_name(info.param); });

// The PEM files a --client-cmd reads live as long as the process that wrote
// them: a child writes them under a private TMPDIR, exits, and leaves nothing.
TEST(SuitePkiDirectoryTest, IsWrittenUnderTmpdirAndRemovedAtExit) {
  auto parent = std::filesystem::temp_directory_path() /
                ("faultline-pki-test-" + std::to_string(::getpid()));
  std::filesystem::remove_all(parent);
  ASSERT_TRUE(std::filesystem::create_directory(parent));
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::close(pipe_fds[0]);
    ::setenv("TMPDIR", parent.c_str(), 1);
    auto directory = suite_pki_directory();
    const std::string line = directory ? *directory : "error: " + directory.error().to_string();
    (void)!::write(pipe_fds[1], line.data(), line.size());
    ::close(pipe_fds[1]);
    const bool ok = directory && std::filesystem::exists(*directory + "/ca.pem");
    std::exit(ok ? 0 : 1);  // runs static destructors, as a normal exit does
  }
  ::close(pipe_fds[1]);
  std::string written;
  char buffer[512];
  for (ssize_t n; (n = ::read(pipe_fds[0], buffer, sizeof(buffer))) > 0;)
    written.append(buffer, static_cast<std::size_t>(n));
  ::close(pipe_fds[0]);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << written;
  EXPECT_EQ(written.rfind(parent.string() + "/faultline-pki-", 0), 0u) << written;
  EXPECT_FALSE(std::filesystem::exists(written)) << written << " was left behind";
  EXPECT_TRUE(std::filesystem::is_empty(parent));
  std::filesystem::remove_all(parent);
}

}  // namespace
}  // namespace faultline::suites
