#include "harness/suites/client_command.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include "harness/suites/target.h"
#include "targets/net/fd.h"
#include "targets/net/socket.h"

namespace faultline::suites {
namespace {

using namespace std::chrono_literals;

constexpr std::size_t kMaxErr = 64 * 1024;

void replace_all(std::string& text, std::string_view from, const std::string& to) {
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
}

}  // namespace

std::string substitute_placeholders(std::string command, const net::Address& address,
                                    const std::string& url, const std::string& cacert) {
  replace_all(command, "{host}", address.host());
  replace_all(command, "{port}", std::to_string(address.port()));
  replace_all(command, "{url}", url);
  replace_all(command, "{cacert}", cacert);
  return command;
}

net::Status check_client_template(const std::string& command, bool http) {
  if (command.find("$FAULTLINE_") != std::string::npos ||
      command.find("${FAULTLINE_") != std::string::npos) {
    return {};
  }
  bool named = http ? command.find("{url}") != std::string::npos ||
                          (command.find("{host}") != std::string::npos &&
                           command.find("{port}") != std::string::npos)
                    : command.find("{host}") != std::string::npos &&
                          command.find("{port}") != std::string::npos;
  if (named) return {};
  return net::make_error(net::ErrorKind::invalid_argument,
                         "--client-cmd '" + command + "': needs " +
                             (http ? "{url} (or {host} and {port})" : "{host} and {port}") +
                             " (or the FAULTLINE_HOST/PORT/URL environment variables) to know "
                             "where to connect");
}

net::Result<ClientRun> run_client_command(const std::string& command_template,
                                          const net::Address& address, const std::string& url,
                                          const std::string& input, net::Duration deadline,
                                          std::size_t max_out, const std::string& cacert) {
  int in_pipe[2], out_pipe[2], err_pipe[2];
  if (::pipe2(in_pipe, O_CLOEXEC) < 0) return net::from_errno(errno, "pipe");
  net::Fd in_read(in_pipe[0]), in_write(in_pipe[1]);
  if (::pipe2(out_pipe, O_CLOEXEC) < 0) return net::from_errno(errno, "pipe");
  net::Fd out_read(out_pipe[0]), out_write(out_pipe[1]);
  if (::pipe2(err_pipe, O_CLOEXEC) < 0) return net::from_errno(errno, "pipe");
  net::Fd err_read(err_pipe[0]), err_write(err_pipe[1]);

  const auto command = substitute_placeholders(command_template, address, url, cacert);
  ProcessGroup process;
  const auto started = net::MonotonicClock::now();
  std::vector<std::string> environment = {"FAULTLINE_HOST=" + address.host(),
                                          "FAULTLINE_PORT=" + std::to_string(address.port()),
                                          "FAULTLINE_URL=" + url};
  if (!cacert.empty()) environment.push_back("FAULTLINE_CACERT=" + cacert);
  auto spawned = process.spawn(command, "--client-cmd",
                               {in_read.get(), out_write.get(), err_write.get()}, environment);
  if (!spawned) return tl::unexpected(spawned.error());
  in_read.reset();
  out_write.reset();
  err_write.reset();
  for (int fd : {in_write.get(), out_read.get(), err_read.get()})
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);

  ClientRun run;
  std::size_t written = 0;
  if (input.empty()) in_write.reset();
  const auto until = net::Deadline::after(deadline);
  char buffer[64 * 1024];
  // Bounded: every turn waits on the deadline, which ends the loop.
  while (out_read || err_read) {
    if (until.expired()) break;
    pollfd fds[3];
    nfds_t count = 0;
    if (in_write) fds[count++] = {in_write.get(), POLLOUT, 0};
    if (out_read) fds[count++] = {out_read.get(), POLLIN, 0};
    if (err_read) fds[count++] = {err_read.get(), POLLIN, 0};
    int rc = ::poll(fds, count, until.poll_timeout_ms());
    if (rc < 0 && errno != EINTR) return net::from_errno(errno, "poll on --client-cmd pipes");
    for (nfds_t i = 0; rc > 0 && i < count; ++i) {
      if (!fds[i].revents) continue;
      int fd = fds[i].fd;
      if (in_write && fd == in_write.get()) {
        ssize_t n = ::write(fd, input.data() + written, input.size() - written);
        if (n > 0) written += static_cast<std::size_t>(n);
        // EPIPE: the client stopped reading stdin; that is its business.
        if ((n < 0 && errno != EAGAIN && errno != EINTR) || written == input.size()) {
          in_write.reset();
        }
        continue;
      }
      ssize_t n = ::read(fd, buffer, sizeof(buffer));
      if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
      const bool is_out = out_read && fd == out_read.get();
      if (n <= 0) {
        (is_out ? out_read : err_read).reset();
        continue;
      }
      std::string& sink = is_out ? run.out : run.err;
      std::size_t bound = is_out ? max_out : kMaxErr;
      std::size_t take =
          std::min(static_cast<std::size_t>(n), bound - std::min(bound, sink.size()));
      sink.append(buffer, take);
      if (is_out && take < static_cast<std::size_t>(n)) run.out_truncated = true;
    }
  }
  in_write.reset();
  // Both pipes closed (or the deadline): the leader exits now, or is made to.
  while (process.alive() && !until.expired()) {
    (void)net::wait_for(-1, net::Readiness::readable, net::Deadline::after(5ms), "client exit");
  }
  run.finished = !process.alive() && process.exit_description().rfind("exited", 0) == 0;
  if (run.finished) {
    const auto& how = process.exit_description();
    run.exit_status = std::stoi(how.substr(how.rfind(' ') + 1));
    run.how = how;
  } else if (!process.alive()) {
    run.how = process.exit_description();
  } else {
    run.how = "was still running at the deadline and was killed";
    process.kill_group(SIGKILL);  // no grace for a client past its deadline
  }
  process.stop();  // the group: a leader that exited may have left children
  run.elapsed = net::MonotonicClock::now() - started;
  return run;
}

}  // namespace faultline::suites
