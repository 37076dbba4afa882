#include "fuzz/campaign/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

extern char** environ;

namespace faultline::fuzz {
namespace {

// exit_status: waitpid's status as one number (128 + signal when killed).
int exit_status(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 255;
}

}  // namespace

net::Result<ChildProcess> ChildProcess::start(const std::vector<std::string>& argv,
                                              const Environment& environment,
                                              const std::filesystem::path& log_path) {
  if (argv.empty()) return net::make_error(net::ErrorKind::invalid_argument, "empty command");
  int log = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log < 0) return net::from_errno(errno, "open " + log_path.string());
  net::Fd log_fd(log);
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return net::from_errno(errno, "pipe");
  net::Fd read_end(pipe_fds[0]);
  net::Fd write_end(pipe_fds[1]);

  // Everything the child needs is built before fork(): after it, only
  // async-signal-safe calls.
  std::vector<std::string> env_strings;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string_view text(*entry);
    const std::string_view name = text.substr(0, text.find('='));
    bool replaced = false;
    for (const auto& [key, value] : environment)
      replaced = replaced || key == name;
    if (!replaced) env_strings.emplace_back(text);
  }
  for (const auto& [key, value] : environment)
    env_strings.push_back(key + "=" + value);
  std::vector<char*> env_pointers;
  for (std::string& entry : env_strings)
    env_pointers.push_back(entry.data());
  env_pointers.push_back(nullptr);
  std::vector<std::string> args = argv;
  std::vector<char*> arg_pointers;
  for (std::string& arg : args)
    arg_pointers.push_back(arg.data());
  arg_pointers.push_back(nullptr);

  const pid_t pid = ::fork();
  if (pid < 0) return net::from_errno(errno, "fork");
  if (pid == 0) {
    ::dup2(write_end.get(), STDOUT_FILENO);
    ::dup2(write_end.get(), STDERR_FILENO);
    int null = ::open("/dev/null", O_RDONLY);
    if (null >= 0) ::dup2(null, STDIN_FILENO);
    ::execvpe(arg_pointers[0], arg_pointers.data(), env_pointers.data());
    const char* message = "faultline: cannot execute the fuzzer: ";
    (void)!::write(STDERR_FILENO, message, std::strlen(message));
    (void)!::write(STDERR_FILENO, arg_pointers[0], std::strlen(arg_pointers[0]));
    (void)!::write(STDERR_FILENO, "\n", 1);
    ::_exit(127);
  }
  return ChildProcess(pid, std::move(read_end), std::move(log_fd));
}

ChildProcess::ChildProcess(pid_t pid, net::Fd output, net::Fd log)
    : pid_(pid), output_(std::move(output)), log_(std::move(log)) {}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      output_(std::move(other.output_)),
      log_(std::move(other.log_)),
      partial_(std::move(other.partial_)),
      status_(std::exchange(other.status_, std::nullopt)) {}

ChildProcess& ChildProcess::operator=(ChildProcess&& other) noexcept {
  if (this != &other) {
    if (pid_ > 0 && !status_) {
      kill();
      wait();
    }
    pid_ = std::exchange(other.pid_, -1);
    output_ = std::move(other.output_);
    log_ = std::move(other.log_);
    partial_ = std::move(other.partial_);
    status_ = std::exchange(other.status_, std::nullopt);
  }
  return *this;
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0 && !status_) {
    kill();
    wait();
  }
}

std::optional<std::vector<std::string>> ChildProcess::read_lines(
    std::chrono::milliseconds timeout) {
  if (!output_) return std::nullopt;
  std::vector<std::string> lines;
  pollfd poll_fd{output_.get(), POLLIN, 0};
  const int ready = ::poll(&poll_fd, 1, static_cast<int>(timeout.count()));
  if (ready <= 0) return lines;  // timeout, or EINTR: the caller polls again
  char buffer[64 * 1024];
  const ssize_t n = ::read(output_.get(), buffer, sizeof buffer);
  if (n <= 0) {
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) return lines;
    output_.reset();
    if (!partial_.empty()) lines.push_back(std::exchange(partial_, {}));
    return lines;
  }
  if (log_) (void)!::write(log_.get(), buffer, static_cast<std::size_t>(n));
  partial_.append(buffer, static_cast<std::size_t>(n));
  std::size_t start = 0;
  for (std::size_t newline; (newline = partial_.find('\n', start)) != std::string::npos;
       start = newline + 1) {
    lines.push_back(partial_.substr(start, newline - start));
  }
  partial_.erase(0, start);
  return lines;
}

void ChildProcess::interrupt() {
  if (pid_ > 0 && !status_) ::kill(pid_, SIGINT);
}

void ChildProcess::kill() {
  if (pid_ > 0 && !status_) ::kill(pid_, SIGKILL);
}

int ChildProcess::wait() {
  if (status_) return *status_;
  if (pid_ <= 0) return 255;
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0) {
    if (errno != EINTR) {
      status_ = 255;
      return *status_;
    }
  }
  status_ = exit_status(status);
  return *status_;
}

net::Result<RunResult> run_and_capture(const std::vector<std::string>& argv,
                                       const Environment& environment,
                                       std::chrono::seconds timeout) {
  auto child = ChildProcess::start(argv, environment, "/dev/null");
  if (!child) return tl::unexpected(child.error());
  RunResult result;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (auto lines = child->read_lines(std::chrono::milliseconds(200))) {
    for (const std::string& line : *lines)
      result.output += line + "\n";
    if (std::chrono::steady_clock::now() > deadline) {
      result.timed_out = true;
      child->kill();
      break;
    }
  }
  result.status = child->wait();
  return result;
}

}  // namespace faultline::fuzz
