#include "harness/suites/target.h"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "targets/net/socket.h"

namespace faultline::suites {

using namespace std::chrono_literals;

std::optional<std::size_t> count_open_fds(pid_t pid) {
  std::error_code error;
  std::filesystem::path dir = pid == 0
                                  ? std::filesystem::path("/proc/self/fd")
                                  : std::filesystem::path("/proc/" + std::to_string(pid) + "/fd");
  std::size_t count = 0;
  for (auto it = std::filesystem::directory_iterator(dir, error);
       !error && it != std::filesystem::directory_iterator(); it.increment(error)) {
    ++count;
  }
  if (error) return std::nullopt;
  return count;
}

std::optional<std::size_t> resident_bytes_of(pid_t pid) {
  std::ifstream statm("/proc/" + std::to_string(pid) + "/statm");
  std::size_t size_pages = 0;
  std::size_t resident_pages = 0;
  if (!(statm >> size_pages >> resident_pages)) return std::nullopt;
  const long page = ::sysconf(_SC_PAGESIZE);
  return resident_pages * static_cast<std::size_t>(page > 0 ? page : 4096);
}

net::Status InProcessTarget::start() {
  if (server_) return {};
  server_ = factory_();
  auto started = server_->start();
  if (!started) server_.reset();
  return started;
}

void InProcessTarget::stop() {
  if (!server_) return;
  server_->stop();
  server_.reset();
}

std::optional<std::size_t> InProcessTarget::open_fds() const {
  return count_open_fds(0);
}

net::Result<std::unique_ptr<CommandTarget>> CommandTarget::create(std::string command_template,
                                                                  Protocol protocol) {
  if (command_template.find("{port}") == std::string::npos) {
    return net::make_error(net::ErrorKind::invalid_argument,
                           "--target-cmd '" + command_template +
                               "': needs a {port} placeholder for the port faultline picks");
  }
  return std::unique_ptr<CommandTarget>(new CommandTarget(std::move(command_template), protocol));
}

namespace {

std::string describe_exit(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    const char* name = ::strsignal(WTERMSIG(status));
    return "was killed by signal " + std::to_string(WTERMSIG(status)) +
           (name ? std::string(" (") + name + ")" : "");
  }
  return "ended with wait status " + std::to_string(status);
}

}  // namespace

bool ProcessGroup::alive() {
  if (leader_ <= 0) return false;
  int status = 0;
  pid_t r = ::waitpid(leader_, &status, WNOHANG);
  if (r == leader_) {
    exit_ = describe_exit(status);
    leader_ = -1;
    return false;
  }
  return true;
}

net::Status ProcessGroup::spawn(const std::string& command, const std::string& what,
                                std::array<int, 3> stdio,
                                const std::vector<std::string>& environment) {
  // Orphans of the command (`server &` under a shell that exits) are
  // reparented to us, not to init, so stop() can reap the whole group.
  ::prctl(PR_SET_CHILD_SUBREAPER, 1);
  exit_.clear();
  // Everything the child needs is built before fork(): after it, in a
  // threaded process, only async-signal-safe calls are allowed.
  const std::string exec_command = "exec " + command;
  std::vector<std::string> variables;
  for (char** entry = environ; entry && *entry; ++entry) {
    std::string_view text(*entry);
    bool replaced = false;
    for (const auto& extra : environment) {
      auto name = extra.substr(0, extra.find('=') + 1);
      if (text.substr(0, name.size()) == name) replaced = true;
    }
    if (!replaced) variables.emplace_back(text);
  }
  variables.insert(variables.end(), environment.begin(), environment.end());
  std::vector<char*> envp;
  for (auto& v : variables)
    envp.push_back(v.data());
  envp.push_back(nullptr);
  const char* argv[] = {"sh", "-c", exec_command.c_str(), nullptr};
  pid_t pid = ::fork();
  if (pid < 0) return net::from_errno(errno, "fork for " + what);
  if (pid == 0) {
    // Its own process group, so stop() signals everything it starts. `exec`
    // so the shell becomes the command: its pid is the one whose descriptors
    // we count.
    ::setpgid(0, 0);
    for (int i = 0; i < 3; ++i) {
      if (stdio[static_cast<std::size_t>(i)] >= 0) ::dup2(stdio[static_cast<std::size_t>(i)], i);
    }
    ::execve("/bin/sh", const_cast<char* const*>(argv), envp.data());
    ::_exit(127);
  }
  ::setpgid(pid, pid);  // also here: whichever runs first, the group exists before a signal
  leader_ = pid;
  group_ = pid;
  return {};
}

void ProcessGroup::kill_group(int signal) {
  if (group_ > 0) ::kill(-group_, signal);
}

bool ProcessGroup::group_empty() {
  if (group_ <= 0) return true;
  // Reap whatever of the group is our child (the leader, adopted orphans).
  for (int i = 0; i < 1024; ++i) {
    int status = 0;
    pid_t r = ::waitpid(-group_, &status, WNOHANG);
    if (r <= 0) break;
    if (r == leader_) {
      exit_ = describe_exit(status);
      leader_ = -1;
    }
  }
  return ::kill(-group_, 0) < 0 && errno == ESRCH;
}

void ProcessGroup::stop() {
  if (group_ <= 0) return;
  // SIGTERM to the whole group, then SIGKILL to whatever is left after 3 s.
  ::kill(-group_, SIGTERM);
  for (int signal : {SIGTERM, SIGKILL}) {
    if (signal == SIGKILL) ::kill(-group_, SIGKILL);
    auto deadline = net::Deadline::after(signal == SIGTERM ? 3s : 2s);
    while (!group_empty() && !deadline.expired()) {
      net::wait_for(-1, net::Readiness::readable, net::Deadline::after(10ms), "exit wait");
    }
    if (group_empty()) break;
  }
  leader_ = -1;
  group_ = -1;
}

bool CommandTarget::alive() {
  return process_.alive();
}

net::Status CommandTarget::start() {
  if (alive()) return {};
  process_.stop();  // what a dead leader left running in its group
  // Pick a free port: bind port 0, read it, release it for the command.
  std::uint16_t port = 0;
  {
    auto probe = protocol_ == Protocol::echo_udp ? net::bind_udp(net::Address::loopback(0))
                                                 : net::listen_tcp(net::Address::loopback(0));
    if (!probe) return tl::unexpected(probe.error());
    port = net::local_address(probe->get())->port();
  }
  command_ = template_;
  for (auto at = command_.find("{port}"); at != std::string::npos; at = command_.find("{port}")) {
    command_.replace(at, 6, std::to_string(port));
  }
  address_ = net::Address::loopback(port);
  if (auto spawned = process_.spawn(command_, "--target-cmd"); !spawned) return spawned;
  // Wait for the port: TCP accepts a connection; UDP cannot be probed without
  // the protocol, so a live process after a short grace is taken as ready.
  auto deadline = net::Deadline::after(10s);
  while (!deadline.expired()) {
    if (!alive()) {
      auto how = process_.exit_description();
      process_.stop();  // whatever it started in the background goes too
      return net::make_error(net::ErrorKind::refused, "--target-cmd '" + command_ + "' " + how +
                                                          " before listening on port " +
                                                          std::to_string(port));
    }
    if (protocol_ == Protocol::echo_udp) {
      net::wait_for(-1, net::Readiness::readable, net::Deadline::after(200ms), "udp grace");
      return {};
    }
    auto probe = net::connect_tcp(address_, net::Deadline::after(200ms));
    if (probe) return {};
    // Refused: not listening yet. Wait a little on nothing, bounded by the deadline.
    net::wait_for(-1, net::Readiness::readable, net::Deadline::after(20ms), "listen wait");
  }
  stop();
  return net::make_error(net::ErrorKind::timeout, "--target-cmd '" + command_ +
                                                      "' did not listen on port " +
                                                      std::to_string(port) + " within 10s");
}

void CommandTarget::stop() {
  process_.stop();
}

std::optional<std::size_t> CommandTarget::open_fds() const {
  if (process_.pid() <= 0) return std::nullopt;
  return count_open_fds(process_.pid());
}

std::optional<std::size_t> CommandTarget::resident_bytes() const {
  if (process_.pid() <= 0) return std::nullopt;
  return resident_bytes_of(process_.pid());
}

std::string shell_quote(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) {
    if (c == '\'')
      quoted += "'\\''";
    else
      quoted += c;
  }
  return quoted + "'";
}

std::string CommandTarget::replay_flags() const {
  return "--target-cmd " + shell_quote(template_);
}

}  // namespace faultline::suites
