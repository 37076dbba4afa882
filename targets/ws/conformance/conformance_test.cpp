// The conformance table run against our server and our client, and against
// Python's `websockets` (Debian python3-websockets) as server and client when
// it is installed; the per-group tables are printed for the closing note.
#include "targets/ws/conformance/conformance.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <iostream>
#include <set>
#include <thread>

#include <fmt/core.h>
#include <gtest/gtest.h>

#include "targets/net/socket.h"
#include "targets/net/stream.h"
#include "targets/ws/client.h"
#include "targets/ws/echo_server.h"

extern char** environ;

namespace faultline::ws::conformance {
namespace {

using namespace std::chrono_literals;
constexpr auto kCaseTimeout = 3s;
constexpr const char* kPython = "/usr/bin/python3";

// PythonPeer: a python script with pipes on stdin and stdout; closing stdin
// asks it to end, the destructor waits for it (bounded, then SIGKILL).
class PythonPeer {
 public:
  static std::optional<PythonPeer> start(std::vector<std::string> args) {
    int in[2], out[2];
    if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0) return std::nullopt;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in[0], 0);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    std::vector<char*> argv;
    args.insert(args.begin(), kPython);
    for (auto& a : args)
      argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_t pid = 0;
    int spawned = posix_spawn(&pid, kPython, &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(in[0]);
    ::close(out[1]);
    if (spawned != 0) {
      ::close(in[1]);
      ::close(out[0]);
      return std::nullopt;
    }
    PythonPeer peer;
    peer.pid_ = pid;
    peer.stdin_ = net::Fd(in[1]);
    peer.stdout_ = net::Fd(out[0]);
    return peer;
  }
  PythonPeer() = default;
  PythonPeer(PythonPeer&& other) noexcept
      : pid_(std::exchange(other.pid_, -1)),
        stdin_(std::move(other.stdin_)),
        stdout_(std::move(other.stdout_)) {}
  ~PythonPeer() {
    if (pid_ <= 0) return;
    stdin_.reset();
    auto deadline = net::Deadline::after(5s);
    int status = 0;
    while (::waitpid(pid_, &status, WNOHANG) == 0) {
      if (deadline.expired()) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
        break;
      }
      std::this_thread::yield();
    }
  }
  // line: one line of its stdout, within the deadline.
  std::optional<std::string> line(net::Duration limit) {
    auto deadline = net::Deadline::after(limit);
    std::string text;
    char c;
    for (int i = 0; i < 1000; ++i) {
      if (!net::wait_for(stdout_.get(), net::Readiness::readable, deadline, "read"))
        return std::nullopt;
      if (::read(stdout_.get(), &c, 1) != 1) return std::nullopt;
      if (c == '\n') return text;
      text += c;
    }
    return std::nullopt;
  }

 private:
  pid_t pid_ = -1;
  net::Fd stdin_;
  net::Fd stdout_;
};

bool python_websockets_present() {
  if (::access(kPython, X_OK) != 0) return false;
  return std::system("/usr/bin/python3 -c 'import websockets' >/dev/null 2>&1") == 0;
}

std::string script_path(const char* name) {
  return std::string(FAULTLINE_CONFORMANCE_DIR) + "/" + name;
}

std::vector<CaseResult> against_server(const net::Address& address) {
  std::vector<CaseResult> results;
  for (const auto& c : cases()) {
    auto seen = run_against_server(c, address, kCaseTimeout);
    results.push_back({c.id, c.group, judge(c, seen)});
  }
  return results;
}

// against_client: the client under test connects once per case, in order;
// start_client returns a thread to join at the end.
template <typename StartClient>
std::vector<CaseResult> against_client(StartClient start_client) {
  auto listener = net::listen_bound(net::Address::loopback(0)).value();
  auto client = start_client(listener.address, cases().size());
  std::vector<CaseResult> results;
  for (const auto& c : cases()) {
    if (!net::wait_for(listener.fd.get(), net::Readiness::readable, net::Deadline::after(10s),
                       "accept")) {
      results.push_back({c.id, c.group, {Verdict::fail, "the client did not connect"}});
      continue;
    }
    auto accepted = net::accept_connection(listener.fd.get());
    if (!accepted) {
      results.push_back({c.id, c.group, {Verdict::fail, "accept failed"}});
      continue;
    }
    auto seen = run_against_client(c, std::move(*accepted), kCaseTimeout);
    results.push_back({c.id, c.group, judge(c, seen)});
  }
  client.join();
  return results;
}

int count(const std::vector<CaseResult>& results, Verdict verdict) {
  return static_cast<int>(std::count_if(results.begin(), results.end(), [&](const auto& r) {
    return r.judgement.verdict == verdict;
  }));
}

TEST(Conformance, TableHasEveryGroupAndUniqueIds) {
  std::set<std::string> ids, groups;
  for (const auto& c : cases()) {
    EXPECT_TRUE(ids.insert(c.id).second) << c.id;
    groups.insert(c.group);
  }
  EXPECT_EQ(groups, (std::set<std::string>{"framing", "ping/pong", "reserved bits", "opcodes",
                                           "fragmentation", "utf-8", "limits", "close handling"}));
  EXPECT_GE(cases().size(), 100u);
}

TEST(Conformance, JudgeTellsPassNonStrictAndFail) {
  Case c{"x", "g", "d", {}, Expect::fail, {"text:good"}, 1002};
  EXPECT_EQ(
      judge(c, {.replies = {"text:good"}, .close_received = true, .close_code = 1002}).verdict,
      Verdict::pass);
  EXPECT_EQ(
      judge(c, {.replies = {"text:good"}, .close_received = true, .close_code = 1000}).verdict,
      Verdict::non_strict);
  EXPECT_EQ(judge(c, {.replies = {}, .tcp_closed = true}).verdict, Verdict::non_strict);
  EXPECT_EQ(judge(c, {.replies = {"text:good", "text:bad"}, .tcp_closed = true}).verdict,
            Verdict::fail);
  EXPECT_EQ(judge(c, {.replies = {"text:good"}, .timed_out = true}).verdict, Verdict::fail);
}

TEST(Conformance, OurServerPassesEveryCase) {
  WsEchoServer server({.close_timeout = 2s, .ping_interval = net::Duration::zero()});
  ASSERT_TRUE(server.start());
  auto results = against_server(server.address());
  std::cout << group_table("faultline ws server", results);
  EXPECT_EQ(count(results, Verdict::pass), static_cast<int>(results.size()))
      << group_table("faultline ws server", results);
}

TEST(Conformance, OurClientPassesEveryCase) {
  auto results = against_client([](const net::Address& address, std::size_t n) {
    return std::thread([address, n] {
      for (std::size_t i = 0; i < n; ++i) {
        net::TcpDialer dialer;
        auto url = WsUrl::parse(fmt::format("ws://{}/{}", address.to_string(), i)).value();
        auto client = Client::connect(dialer, url, {.io_timeout = 3s, .seed = i});
        if (!client) continue;
        // The echo client Autobahn's client tests expect; bounded by the cases' sizes.
        for (int turn = 0; turn < 1000; ++turn) {
          auto message = (*client)->receive();
          if (!message) break;
          if (!(*client)->send(message->opcode, message->payload)) break;
        }
      }
    });
  });
  std::cout << group_table("faultline ws client", results);
  EXPECT_EQ(count(results, Verdict::pass), static_cast<int>(results.size()))
      << group_table("faultline ws client", results);
}

// The tables of a peer are information, not a gate: only that the runner
// worked against it (every framing case passes) is asserted.
TEST(Conformance, PythonWebsocketsServer) {
  if (!python_websockets_present())
    GTEST_SKIP() << "python3-websockets is not installed (apt-get install python3-websockets); "
                    "the peer's column is not measured";
  auto peer = PythonPeer::start({script_path("peer_server.py")});
  ASSERT_TRUE(peer);
  auto port = peer->line(10s);
  ASSERT_TRUE(port) << "the python server printed no port";
  auto results =
      against_server(net::Address::loopback(static_cast<std::uint16_t>(std::stoi(*port))));
  std::cout << group_table("python websockets server", results);
  for (const auto& r : results) {
    if (r.group == "framing") {
      EXPECT_EQ(r.judgement.verdict, Verdict::pass) << r.id;
    }
  }
}

TEST(Conformance, PythonWebsocketsClient) {
  if (!python_websockets_present())
    GTEST_SKIP() << "python3-websockets is not installed (apt-get install python3-websockets); "
                    "the peer's column is not measured";
  std::optional<PythonPeer> peer;
  auto results = against_client([&](const net::Address& address, std::size_t n) {
    auto started = PythonPeer::start(
        {script_path("peer_client.py"), "ws://" + address.to_string(), std::to_string(n)});
    if (started) peer.emplace(std::move(*started));
    return std::thread([] {});
  });
  ASSERT_TRUE(peer);
  std::cout << group_table("python websockets client", results);
  for (const auto& r : results) {
    if (r.group == "framing") {
      EXPECT_EQ(r.judgement.verdict, Verdict::pass) << r.id;
    }
  }
}

}  // namespace
}  // namespace faultline::ws::conformance
