// cli/integration/usage_cli_test.cpp: argument problems as a user meets them:
// the real binary, one "faultline: bad usage: ..." line and exit status 2 for
// every one of them, help with status 0.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "fuzz/campaign/child_process.h"
#include "targets/ws/echo_server.h"

namespace faultline {
namespace {

struct CliRun {
  int status = -1;
  std::string output;
};

CliRun run(std::vector<std::string> arguments) {
  arguments.insert(arguments.begin(), FAULTLINE_BINARY);
  auto result = fuzz::run_and_capture(arguments, {}, std::chrono::seconds(30));
  EXPECT_TRUE(result) << result.error().to_string();
  if (!result) return {};
  EXPECT_FALSE(result->timed_out);
  return CliRun{result->status, result->output};
}

// BadUsage: arguments, and a part of the one line they must print.
struct BadUsage {
  std::vector<std::string> arguments;
  std::string message_part;
};

void PrintTo(const BadUsage& bad, std::ostream* out) {
  for (const auto& argument : bad.arguments)
    *out << "'" << argument << "' ";
}

class BadUsageCliTest : public ::testing::TestWithParam<BadUsage> {};

TEST_P(BadUsageCliTest, PrintsOneBadUsageLineAndExitsTwo) {
  const CliRun result = run(GetParam().arguments);
  EXPECT_EQ(result.status, 2) << result.output;
  EXPECT_EQ(result.output.rfind("faultline: bad usage: ", 0), 0u) << result.output;
  EXPECT_NE(result.output.find(GetParam().message_part), std::string::npos) << result.output;
  // One line: no usage dump after it.
  EXPECT_EQ(result.output.find('\n'), result.output.size() - 1) << result.output;
}

INSTANTIATE_TEST_SUITE_P(
    Table, BadUsageCliTest,
    ::testing::Values(
        // Typos and unknown flags name the nearest choice.
        BadUsage{{"ech"}, "unknown command 'ech' (did you mean 'echo'?)"},
        BadUsage{{"prox"}, "(did you mean 'proxy'?)"},
        BadUsage{{"echo", "serv"},
                 "faultline echo: unknown command 'serv' (did you mean 'serve'?)"},
        BadUsage{{"--bogus"}, "faultline: unknown option '--bogus'"},
        BadUsage{{"echo", "serve", "--tpc", "127.0.0.1:0"},
                 "unknown option '--tpc' (did you mean '--tcp'?)"},
        // A group without its subcommand names the choices.
        BadUsage{{"bench"}, "faultline bench: missing a subcommand (one of: "},
        BadUsage{{}, "faultline: missing a subcommand (one of: echo, http, proxy, sim, suite"},
        // Seeds are whole numbers from 0 to 2^64-1, nothing else.
        BadUsage{{"sim", "echo", "--seed", "-1"}, "--seed"},
        BadUsage{{"sim", "echo", "--seed", ""}, "got nothing"},
        BadUsage{{"sim", "echo", "--seed", "18446744073709551616"}, "out of range"},
        BadUsage{{"sim", "echo", "--seed", "0x10"}, "expected a whole number"},
        BadUsage{{"proxy", "--upstream", "127.0.0.1:1", "--seed", "-1"}, "--seed"},
        BadUsage{{"proxy", "--upstream", "127.0.0.1:1", "--seed", "18446744073709551616"},
                 "out of range"},
        BadUsage{{"suite", "--seed", "-1"}, "--seed"},
        BadUsage{{"suite", "--seed", "18446744073709551616"}, "out of range"},
        // echo serve's bounds, with the valid range.
        BadUsage{{"echo", "serve", "--max-owed", "0"}, "--max-owed: must be from 1B to 1GiB"},
        BadUsage{{"echo", "serve", "--idle-timeout", "0s"}, "--idle-timeout: must be more than 0"},
        BadUsage{{"echo", "serve", "--max-connections", "-1"}, "1 to 1000000"},
        BadUsage{{"echo", "serve", "--max-connections", "0"}, "1 to 1000000"},
        // faultline shrink --fuzzer and faultline fuzz replay.
        BadUsage{{"shrink", "--fuzzer", "nope", "/dev/null"},
                 "fuzzer 'nope': expected one of the schedule fuzzers (echo_schedule, "
                 "http_client)"},
        BadUsage{{"shrink", "--fuzzer", "echo_schedule"},
                 "--fuzzer echo_schedule takes the reproducer's file"},
        BadUsage{{"shrink", "--fuzzer", "echo_schedule", "/nonexistent/crash-1"},
                 "cannot read the reproducer '/nonexistent/crash-1'"},
        BadUsage{{"shrink", "--fuzzer", "echo_schedule", "/dev/null", "--scenarios", "x"},
                 "leave out the suite run's flags"},
        BadUsage{{"shrink", "/dev/null"}, "a reproducer file goes with --fuzzer NAME"},
        BadUsage{{"shrink", "--fuzzer", "echo_schedule", "/dev/null", "--confirm", "-1"},
                 "--confirm must be within 1..100"},
        BadUsage{{"fuzz", "replay", "echo_schedule", "/nonexistent/crash-1"},
                 "cannot read the reproducer"},
        BadUsage{{"fuzz", "replay", "echo_schedule", "/dev/null", "--network", "moon"},
                 "--network 'moon': expected sim or real"},
        BadUsage{{"fuzz", "replay", "echo_schedule", "/dev/null", "--client-mutant",
                  "one-recv-is-a-message"},
                 "the mutants speak real sockets only; add --network real"},
        BadUsage{{"fuzz", "replay", "echo_schedule", "/dev/null", "--network", "real",
                  "--client-mutant", "nope"},
                 "--client-mutant 'nope': not an echo client mutant (one-recv-is-a-message"},
        BadUsage{{"fuzz", "replay", "http_client", "/dev/null", "--network", "real",
                  "--client-mutant", "one-recv-is-a-message"},
                 "not the HTTP client's"},
        BadUsage{{"fuzz", "replay", "echo_schedule", "/dev/null", "--fault", "latency dealy=1ms"},
                 "dealy"},
        BadUsage{{"fuzz", "replay", "echo_schedule", "/dev/null", "--fault",
                  "http_fail first=1"},
                 "the schedule fuzzers' proxy reads bytes, not HTTP"},
        BadUsage{{"fuzz", "replay", "echo_schedule", "/dev/null", "--deadline", "0s"},
                 "--deadline: must be more than 0"},
        // faultline shrink and suite --network.
        BadUsage{{"shrink"}, "give the failing run as its replay command prints it"},
        BadUsage{{"shrink", "--builtin", "echo-tcp", "--protocol", "echo-tcp", "--scenarios",
                  "echo-tcp/baseline", "--max-attempts", "0"},
                 "--max-attempts must be within 1..10000"},
        BadUsage{{"shrink", "--builtin", "echo-tcp", "--protocol", "echo-tcp", "--scenarios",
                  "echo-tcp/baseline", "--time", "0s"},
                 "--time: must be more than 0, got '0s'"},
        BadUsage{{"suite", "--network", "moon"}, "--network 'moon': expected real or sim"},
        BadUsage{{"suite", "--network", "sim", "--protocol", "http"},
                 "--network sim: protocol 'http' is not supported in the simulator"},
        BadUsage{{"echo", "serve", "--loops", "0"}, "1 to 64"},
        BadUsage{{"echo", "serve", "--loops", "65"}, "1 to 64"},
        BadUsage{{"echo", "serve", "--tcp", "127.0.0.1:0", "--loops", "2", "--model", "threads"},
                 "--loops applies to the epoll model without TLS (got --loops 2 with --model "
                 "threads)"},
        BadUsage{{"echo", "serve", "--tcp", "http://127.0.0.1:0"},
                 "not a URL (did you mean '127.0.0.1:0'?)"},
        BadUsage{{"proxy", "--upstream", "127.0.0.1:1", "--listen", "http://127.0.0.1:0"},
                 "--listen: address 'http://127.0.0.1:0': expected HOST:PORT, not a URL"},
        // The proxy refuses to forward to itself and to expose its control API.
        BadUsage{{"proxy", "--upstream", "127.0.0.1:47011", "--listen", "127.0.0.1:47011"},
                 "would forward to itself"},
        BadUsage{{"proxy", "--upstream", "127.0.0.1:47011", "--listen", "0.0.0.0:47011"},
                 "would forward to itself"},
        BadUsage{{"proxy", "--upstream", "127.0.0.1:1", "--control", "0.0.0.0:0"},
                 "is not a loopback address"},
        BadUsage{{"proxy", "--upstream", "127.0.0.1:1", "--control-token", "t"},
                 "there is no --control API to protect"},
        BadUsage{{"http", "serve", "--listen", "http://127.0.0.1:0"},
                 "--listen: address 'http://127.0.0.1:0': expected HOST:PORT, not a URL (did you "
                 "mean '127.0.0.1:0'?)"},
        // The HTTP client frames the body itself.
        BadUsage{{"http", "get", "127.0.0.1:1/get", "--header", "Content-Length: 5"},
                 "--header: 'Content-Length' is set from the body"},
        BadUsage{{"http", "post", "127.0.0.1:1/post", "--header", "transfer-encoding: chunked"},
                 "'transfer-encoding' is set from the body"},
        // suite: outputs checked before the first scenario, conflicts refused,
        // unknown names answered with the valid ones.
        BadUsage{{"suite", "--json", "/tmp/faultline-ok.json", "--junit", "/nonexistent/dir/x.xml"},
                 "--junit '/nonexistent/dir/x.xml': no such directory '/nonexistent/dir'"},
        BadUsage{{"suite", "--json", "/"}, "--json '/': is a directory"},
        BadUsage{{"suite", "--mutants", "--builtin", "http"}, "leave out --builtin"},
        BadUsage{{"suite", "--mutants", "--target", "127.0.0.1:1", "--scenarios", "x"},
                 "leave out --target"},
        BadUsage{{"suite", "--builtin", "mutant:bogus"},
                 "unknown server mutant 'bogus': expected one of mutant:send-no-loop, "},
        BadUsage{{"suite", "--builtin", "http", "--client-mutant", "bogus"},
                 "expected one of one-recv-is-a-message, "},
        BadUsage{{"suite", "--list", "--protocol", "smtp"}, "smtp"},
        BadUsage{{"suite", "--list", "--protocol", "ws"},
                 "expected echo-tcp, echo-udp, http, echo-tls, https or ws-echo"},
        BadUsage{{"suite", "--builtin", "mutant:ws-bogus"}, "mutant:ws-one-read-is-a-frame"},
        BadUsage{{"suite", "--target", "127.0.0.1:1", "--protocol", "ws-echo", "--cacert", "x"},
                 "--cacert and --insecure need --protocol echo-tls or https"},
        BadUsage{{"suite", "--client-cmd", "my-ws-client", "--protocol", "ws-echo"},
                 "needs {url} (or {host} and {port})"},
        // toxiproxy: no unauthenticated API off loopback unless asked for.
        BadUsage{{"toxiproxy", "--host", "0.0.0.0"}, "add --allow-remote"},
        BadUsage{{"toxiproxy", "--config", "/nonexistent/toxiproxy.json"},
                 "--config: cannot read '/nonexistent/toxiproxy.json'"},
        BadUsage{{"toxiproxy", "--port", "70000"}, "--port: 70000 is not a port"},
        // ws: URLs, sizes and text named in the error.
        BadUsage{{"ws", "send", "hi", "--to", "http://127.0.0.1:1/"},
                 "--to: websocket URL 'http://127.0.0.1:1/': the scheme must be ws:// or wss://"},
        BadUsage{{"ws", "send", "hi", "--to", "ws://127.0.0.1:99999/"}, "websocket URL"},
        BadUsage{{"ws", "send", "hi", "--to", "ws://127.0.0.1:1/#x"}, "a fragment (#...)"},
        BadUsage{{"ws", "send", "hi", "--to", "ws://127.0.0.1:1/", "--fragment", "0"},
                 "--fragment: must be from 1B"},
        BadUsage{{"ws", "send", "\xff", "--to", "ws://127.0.0.1:1/"},
                 "MESSAGE is not valid UTF-8 (byte 0); a text message must be; use --binary"},
        BadUsage{{"ws", "send", std::string("ab\xc0"), "--to", "ws://127.0.0.1:1/"},
                 "MESSAGE is not valid UTF-8 (byte 2)"},
        BadUsage{{"ws", "serve", "--listen", "ws://127.0.0.1:0"}, "--listen"},
        BadUsage{{"ws", "serve", "--max-message", "0"}, "--max-message: must be from 1B"}));

TEST(WsCliTest, SendEchoesTextInOneByteFragmentsAndBinaryThenClosesCleanly) {
  ws::WsEchoServer server;
  ASSERT_TRUE(server.start());
  const std::string url = "ws://" + server.address().to_string() + "/echo";
  const CliRun text = run({"ws", "send", "안녕하세요!", "--to", url, "--fragment", "1"});
  EXPECT_EQ(text.status, 0) << text.output;
  EXPECT_NE(text.output.find("echoed 16 bytes (text, 1-byte fragments) from " + url),
            std::string::npos)
      << text.output;
  EXPECT_NE(text.output.find("closed: peer code 1000 (normal), clean"), std::string::npos)
      << text.output;
  const CliRun binary = run({"ws", "send", "bytes", "--to", url, "--binary"});
  EXPECT_EQ(binary.status, 0) << binary.output;
  EXPECT_NE(binary.output.find("echoed 5 bytes (binary)"), std::string::npos) << binary.output;
  server.stop();
  const CliRun refused = run({"ws", "send", "x", "--to", url, "--timeout", "2s"});
  EXPECT_EQ(refused.status, 1) << refused.output;
  EXPECT_NE(refused.output.find("refused"), std::string::npos) << refused.output;
}

TEST(HelpCliTest, AGroupsHelpPrintsThatGroupsHelpAndExitsZero) {
  const CliRun result = run({"bench", "--help"});
  EXPECT_EQ(result.status, 0) << result.output;
  EXPECT_NE(result.output.find("compare"), std::string::npos) << result.output;
  EXPECT_EQ(result.output.find("bad usage"), std::string::npos) << result.output;
}

TEST(HelpCliTest, TheFailFlagAndItsDefaultAreDocumented) {
  const CliRun result = run({"http", "get", "--help"});
  EXPECT_EQ(result.status, 0) << result.output;
  EXPECT_NE(result.output.find("--fail"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("exits 22"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("default: any response prints and exits 0"), std::string::npos)
      << result.output;
}

TEST(EchoServeCliTest, AnAddressNoInterfaceHasIsCannotAssignRequestedAddress) {
  const CliRun result = run({"echo", "serve", "--tcp", "10.255.255.1:0"});
  EXPECT_EQ(result.status, 1) << result.output;
  EXPECT_NE(result.output.find("faultline: error: address_unavailable: bind 10.255.255.1:0: "
                               "cannot assign requested address"),
            std::string::npos)
      << result.output;
}

class ProfileFileCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = std::filesystem::temp_directory_path() /
            fmt::format("faultline-usage-cli-{}-secret.pem", ::getpid());
    std::ofstream(path_) << "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n";
  }
  void TearDown() override { std::filesystem::remove(path_); }
  std::filesystem::path path_;
};

TEST_F(ProfileFileCliTest, ANonProfileFileIsNamedByLineAndColumnWithoutItsContent) {
  const CliRun result = run({"sim", "echo", "--profile", path_.string()});
  EXPECT_EQ(result.status, 2) << result.output;
  EXPECT_NE(result.output.find(path_.string() + " line 1 column 1: unknown fault name"),
            std::string::npos)
      << result.output;
  EXPECT_EQ(result.output.find("PRIVATE"), std::string::npos) << result.output;
  EXPECT_EQ(result.output.find("MIIE"), std::string::npos) << result.output;
}

TEST(FaultSpecCliTest, ACommentThatSwallowsAClauseSeparatorIsWarnedAbout) {
  const CliRun result = run({"sim", "echo", "--fault", "latency delay=5ms # c; reset after=1B"});
  EXPECT_EQ(result.status, 0) << result.output;
  EXPECT_NE(result.output.find("faultline: warning: --fault column 22: this ';' is inside the "
                               "'#' comment at column 19"),
            std::string::npos)
      << result.output;
}

TEST(SuiteCliTest, ABadOutputPathWritesNoOtherOutputAndRunsNoScenario) {
  const auto json =
      std::filesystem::temp_directory_path() / fmt::format("faultline-usage-{}.json", ::getpid());
  std::filesystem::remove(json);
  const CliRun result = run({"suite", "--builtin", "http", "--scenarios", "http/baseline-get",
                             "--json", json.string(), "--junit", "/nonexistent/dir/x.xml"});
  EXPECT_EQ(result.status, 2) << result.output;
  EXPECT_EQ(result.output.find("http/baseline-get"), std::string::npos) << result.output;
  EXPECT_FALSE(std::filesystem::exists(json));
}

// A run that passes has nothing to shrink: said so, exit 1, no attempt made.
TEST(ShrinkCliTest, APassingRunIsRefusedWithNothingToShrink) {
  const CliRun result = run({"shrink", "--builtin", "echo-tcp:epoll", "--protocol", "echo-tcp",
                             "--scenarios", "echo-tcp/baseline", "--seed", "1"});
  EXPECT_EQ(result.status, 1) << result.output;
  EXPECT_NE(result.output.find("does not fail"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("nothing to shrink"), std::string::npos) << result.output;
  EXPECT_EQ(result.output.find("attempt 1"), std::string::npos) << result.output;
}

// The README's example, in the simulator: three clauses shrink to the one
// that matters, with both replay commands.
TEST(ShrinkCliTest, AFailingProfileShrinksToTheClauseThatMatters) {
  const CliRun result =
      run({"shrink", "--network", "sim", "--builtin", "mutant:utf8-per-read", "--protocol",
           "echo-tcp", "--scenarios", "echo-tcp/slicer-small", "--seed", "1", "--fault",
           "latency delay=20ms; slicer max=7B delay=100us; reset after=1MiB p=10%"});
  EXPECT_EQ(result.status, 0) << result.output;
  EXPECT_NE(result.output.find("smallest profile (1 of 3 clauses"), std::string::npos)
      << result.output;
  EXPECT_NE(result.output.find("\n  slicer max=1B\n"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("replay on real sockets:\n  faultline suite --builtin "
                               "mutant:utf8-per-read"),
            std::string::npos)
      << result.output;
}

// write_reproducer: fuzzer input bytes in a file of their own.
std::filesystem::path write_reproducer(const std::string& name, const std::string& bytes) {
  const auto path = std::filesystem::temp_directory_path() /
                    fmt::format("faultline-reproducer-{}-{}", ::getpid(), name);
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

// echo_schedule_input: [clause count][kind a b flags]... [seed: 8 bytes][message].
std::string echo_schedule_input(const std::string& clauses, std::uint8_t count,
                                const std::string& message) {
  std::string bytes(1, static_cast<char>(count));
  bytes += clauses;
  bytes += std::string("\0\0\0\0\0\0\0\x2a", 8);  // seed 42
  return bytes + message;
}

// Slicer (kind 2, a=0 b=0: one byte a slice), latency (kind 0, a=19: 20ms)
// and a reset after 400000 bytes that never comes (kind 4, a=... ): none
// breaks the reference client.
const std::string kThreeClauses = std::string("\x02\x00\x00\x00", 4) +
                                  std::string("\x00\x13\x00\x00", 4) +
                                  std::string("\x04\xff\x00\x00", 4);

TEST(FuzzReplayCliTest, AnInputThatHoldsPassesInTheSimulatorAndOnRealSockets) {
  const auto path = write_reproducer("holds", echo_schedule_input(kThreeClauses, 3, "hello"));
  for (const char* network : {"sim", "real"}) {
    const CliRun result =
        run({"fuzz", "replay", "echo_schedule", path.string(), "--network", network});
    EXPECT_EQ(result.status, 0) << network << ": " << result.output;
    EXPECT_NE(result.output.find("profile: \"slicer max=1B; latency delay=20ms; reset after=1020B\""
                                 " (the input's schedule)"),
              std::string::npos)
        << result.output;
    EXPECT_NE(result.output.find("outcome: reply \"hello\""), std::string::npos) << result.output;
    EXPECT_NE(result.output.find("every property holds"), std::string::npos) << result.output;
  }
  std::filesystem::remove(path);
}

// The classic bug: one recv() taken as the whole reply. One-byte slices
// break it on real sockets; the replay names the property and replays it.
TEST(FuzzReplayCliTest, AClientMutantBreaksThePropertyAndTheReplayCommandIsPrinted) {
  const auto path = write_reproducer("mutant", echo_schedule_input(kThreeClauses, 3, "hello"));
  const CliRun result =
      run({"fuzz", "replay", "echo_schedule", path.string(), "--network", "real",
           "--client-mutant", "one-recv-is-a-message", "--fault", "slicer max=1B delay=20ms"});
  EXPECT_EQ(result.status, 1) << result.output;
  EXPECT_NE(result.output.find("property broken: the reply differs from the message"),
            std::string::npos)
      << result.output;
  EXPECT_NE(result.output.find("replay on real sockets:\n  faultline fuzz replay echo_schedule '" +
                               path.string() +
                               "' --fault 'slicer max=1B delay=20ms' --network real "
                               "--client-mutant one-recv-is-a-message"),
            std::string::npos)
      << result.output;
  std::filesystem::remove(path);
}

// An HTTP response played by the script's server (sim::PeerServer on real
// sockets) reaches the client on both back ends.
TEST(FuzzReplayCliTest, AnHttpClientInputGetsItsResponseOnBothNetworks) {
  // config 0: GET, no retries, no pool, close after the last piece; no
  // clauses; no pieces: the response goes out whole.
  const std::string input = std::string("\x00\x00\x00", 3) +
                            "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi";
  const auto path = write_reproducer("http", input);
  for (const char* network : {"sim", "real"}) {
    const CliRun result =
        run({"fuzz", "replay", "http_client", path.string(), "--network", network});
    EXPECT_EQ(result.status, 0) << network << ": " << result.output;
    EXPECT_NE(result.output.find("outcome: response 200 \"OK\", 1 headers, body \"hi\""),
              std::string::npos)
        << network << ": " << result.output;
  }
  const CliRun shrink = run({"shrink", "--fuzzer", "http_client_fuzzer", path.string()});
  EXPECT_EQ(shrink.status, 1) << shrink.output;
  EXPECT_NE(shrink.output.find("holds every property in the simulator"), std::string::npos)
      << shrink.output;
  EXPECT_NE(shrink.output.find("nothing to shrink"), std::string::npos) << shrink.output;
  std::filesystem::remove(path);
}

// A schedule outside the fuzzer's bounds (a 13h latency each way outlasts
// the simulator's virtual day): the timeout no clause explains. The shrink
// drops the two clauses that do not matter and narrows the latency to the
// threshold, half a day, then checks it on real sockets.
TEST(ShrinkCliTest, AFuzzerReproducerShrinksInTheSimulatorAndIsCheckedOnRealSockets) {
  const auto path = write_reproducer("shrink", echo_schedule_input(kThreeClauses, 3, "hello"));
  const CliRun result =
      run({"shrink", "--fuzzer", "echo_schedule", path.string(), "--fault",
           "latency delay=13h; slicer max=3B; reset after=100000B", "--deadline", "1s"});
  EXPECT_EQ(result.status, 0) << result.output;
  EXPECT_NE(result.output.find("fails: no fault in the schedule explains the error's kind"),
            std::string::npos)
      << result.output;
  EXPECT_NE(result.output.find("smallest profile (1 of 3 clauses"), std::string::npos)
      << result.output;
  EXPECT_NE(result.output.find("\n  latency delay=43200.3s\n"), std::string::npos)
      << result.output;
  EXPECT_NE(result.output.find("on real sockets: fails the same way"), std::string::npos)
      << result.output;
  EXPECT_NE(result.output.find("replay in the simulator:\n  faultline fuzz replay echo_schedule '" +
                               path.string() + "' --fault 'latency delay=43200.3s'\n"),
            std::string::npos)
      << result.output;
  std::filesystem::remove(path);
}

// On real sockets, with the one-recv client mutant: four clauses, one left.
TEST(ShrinkCliTest, AFuzzerReproducerShrinksOnRealSocketsWithAClientMutant) {
  const auto path = write_reproducer("real", echo_schedule_input(kThreeClauses, 3, "hello"));
  const CliRun result =
      run({"shrink", "--fuzzer", "echo_schedule", path.string(), "--network", "real",
           "--client-mutant", "one-recv-is-a-message", "--fault",
           "latency delay=2ms; slicer max=2B delay=20ms; corrupt rate=1% dir=down; "
           "retransmit rate=10% rto=15ms max=1s dir=up"});
  EXPECT_EQ(result.status, 0) << result.output;
  EXPECT_NE(result.output.find("smallest profile (1 of 4 clauses"), std::string::npos)
      << result.output;
  EXPECT_NE(result.output.find("\n  slicer max="), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("(the simulator cannot host the client mutant"), std::string::npos)
      << result.output;
  std::filesystem::remove(path);
}

TEST(SuiteCliTest, ListFiltersByProtocol) {
  const CliRun result = run({"suite", "--list", "--protocol", "http"});
  EXPECT_EQ(result.status, 0) << result.output;
  EXPECT_NE(result.output.find("http/baseline-get"), std::string::npos) << result.output;
  EXPECT_EQ(result.output.find("echo-tcp/"), std::string::npos) << result.output;
  EXPECT_EQ(result.output.find("echo-udp/"), std::string::npos) << result.output;
}

TEST(SuiteCliTest, AGlobThatMatchesNothingAmongSeveralIsWarnedAbout) {
  const CliRun result = run({"suite", "--list", "--scenarios", "echo-tcp/slicer*,echo-tcp/nope*"});
  EXPECT_EQ(result.status, 0) << result.output;
  EXPECT_NE(result.output.find(
                "faultline: warning: --scenarios glob 'echo-tcp/nope*' matches no scenario"),
            std::string::npos)
      << result.output;
  EXPECT_EQ(result.output.find("'echo-tcp/slicer*' matches no"), std::string::npos)
      << result.output;
  EXPECT_NE(result.output.find("echo-tcp/slicer-1-byte"), std::string::npos) << result.output;
}

TEST(SuiteCliTest, AGlobForAnotherProtocolThanTheTargetsIsWarnedAbout) {
  // --builtin http offers only http/ scenarios: echo-tcp/* selects none of them.
  const CliRun result =
      run({"suite", "--builtin", "http", "--scenarios", "http/baseline-get,echo-tcp/*"});
  EXPECT_EQ(result.status, 0) << result.output;
  EXPECT_NE(result.output.find("glob 'echo-tcp/*' matches no scenario"), std::string::npos)
      << result.output;
  EXPECT_NE(result.output.find("suite: 1 passed"), std::string::npos) << result.output;
}

TEST(SimCliTest, TheSharedLinkPacesTheSimulatedEcho) {
  // 64KiB each way through one 64KiB/s link per direction: about a second.
  const CliRun result = run({"sim", "echo", "--fault", "bandwidth rate=64KiB/s scope=proxy",
                             "--size", "64KiB", "--seed", "7"});
  EXPECT_EQ(result.status, 0) << result.output;
  EXPECT_NE(result.output.find("echoed 65536 bytes in 99"), std::string::npos) << result.output;
  const CliRun again = run({"sim", "echo", "--fault", "bandwidth rate=64KiB/s scope=proxy",
                            "--size", "64KiB", "--seed", "7"});
  EXPECT_EQ(again.output, result.output);  // the same trace hash
}

TEST(SimCliTest, TheReadmeExampleRunsAsDocumented) {
  // The README shows this command and its output line; keep them in step.
  const CliRun result = run(
      {"sim", "echo", "--fault", "slicer max=3B; latency delay=20ms jitter=10ms", "--seed", "7"});
  EXPECT_EQ(result.status, 0) << result.output;
  std::ifstream readme(std::string(FAULTLINE_SOURCE_DIR) + "/README.md");
  const std::string text((std::istreambuf_iterator<char>(readme)),
                         std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("# " + result.output.substr(0, result.output.size() - 1)), std::string::npos)
      << "README.md does not show the current output:\n"
      << result.output;
}

}  // namespace
}  // namespace faultline
