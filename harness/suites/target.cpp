#include "harness/suites/target.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

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

bool CommandTarget::alive() {
  if (pid_ <= 0) return false;
  int status = 0;
  pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    pid_ = -1;
    return false;
  }
  return true;
}

net::Status CommandTarget::start() {
  if (alive()) return {};
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
  pid_t pid = ::fork();
  if (pid < 0) return net::from_errno(errno, "fork for --target-cmd");
  if (pid == 0) {
    // `exec` so the shell becomes the target: its pid is the one we signal
    // and whose descriptors we count.
    std::string exec_command = "exec " + command_;
    ::execl("/bin/sh", "sh", "-c", exec_command.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  pid_ = pid;
  // Wait for the port: TCP accepts a connection; UDP cannot be probed without
  // the protocol, so a live process after a short grace is taken as ready.
  auto deadline = net::Deadline::after(10s);
  while (!deadline.expired()) {
    if (!alive()) {
      return net::make_error(net::ErrorKind::refused, "--target-cmd '" + command_ +
                                                          "' exited before listening on port " +
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
  if (!alive()) return;
  ::kill(pid_, SIGTERM);
  auto deadline = net::Deadline::after(3s);
  while (!deadline.expired()) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return;
    }
    net::wait_for(-1, net::Readiness::readable, net::Deadline::after(10ms), "exit wait");
  }
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

std::optional<std::size_t> CommandTarget::open_fds() const {
  if (pid_ <= 0) return std::nullopt;
  return count_open_fds(pid_);
}

std::string CommandTarget::replay_flags() const {
  std::string quoted = "'";
  for (char c : template_) {
    if (c == '\'')
      quoted += "'\\''";
    else
      quoted += c;
  }
  return "--target-cmd " + quoted + "'";
}

}  // namespace faultline::suites
