// harness/suites/target.h: the thing under test, reachable at an address.
//
// In process (the built-in servers and the mutants), at an address someone
// else runs (--target HOST:PORT), or a program faultline starts itself
// (--target-cmd 'my-server --port {port}': it picks a free port, starts the
// command in its own process group, waits for the port, and stops the whole
// group with SIGTERM, then SIGKILL).
//
//   auto target = suites::CommandTarget::create("my-echo --port {port}", Protocol::echo_tcp);
//   target->start();  ...  target->address();  ...  target->stop();
#pragma once

#include <sys/types.h>

#include <array>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "harness/suites/scenario.h"
#include "targets/net/address.h"
#include "targets/net/error.h"

namespace faultline::suites {

// Target: see the file comment.
class Target {
 public:
  virtual ~Target() = default;
  // start makes the target reachable (idempotent; restarts a dead process).
  virtual net::Status start() = 0;
  virtual net::Address address() const = 0;
  virtual void stop() = 0;
  virtual std::string describe() const = 0;
  // open_fds: the target's open file descriptors, where that can be measured.
  virtual std::optional<std::size_t> open_fds() const { return std::nullopt; }
  // resident_bytes: the target's resident memory (RSS), where it is a process
  // of its own whose memory the suite can read.
  virtual std::optional<std::size_t> resident_bytes() const { return std::nullopt; }
  // replay_flags: how the faultline command line names this target.
  virtual std::string replay_flags() const = 0;
};

// InProcessTarget: a server object in this process, made by a factory.
class InProcessTarget final : public Target {
 public:
  struct Server {
    std::function<net::Status()> start;
    std::function<net::Address()> address;
    std::function<void()> stop;
  };
  InProcessTarget(std::string name, std::function<Server()> factory)
      : name_(std::move(name)), factory_(std::move(factory)) {}
  ~InProcessTarget() override { stop(); }
  net::Status start() override;
  net::Address address() const override { return server_ ? server_->address() : net::Address(); }
  void stop() override;
  std::string describe() const override { return name_; }
  std::optional<std::size_t> open_fds() const override;
  std::string replay_flags() const override { return "--builtin " + name_; }

 private:
  std::string name_;
  std::function<Server()> factory_;
  std::optional<Server> server_;
};

// AddressTarget: a server someone else runs.
class AddressTarget final : public Target {
 public:
  explicit AddressTarget(net::Address address) : address_(address) {}
  net::Status start() override { return {}; }
  net::Address address() const override { return address_; }
  void stop() override {}
  std::string describe() const override { return address_.to_string(); }
  std::string replay_flags() const override { return "--target " + address_.to_string(); }

 private:
  net::Address address_;
};

// ProcessGroup: a shell command run in its own process group, so that stop()
// ends everything it started (`sh -c 'server & wait'` included): SIGTERM to
// the group, SIGKILL after 3 s, every member reaped (this process becomes a
// child subreaper, so orphaned members are its to reap).
class ProcessGroup {
 public:
  ProcessGroup() = default;
  ~ProcessGroup() { stop(); }
  ProcessGroup(const ProcessGroup&) = delete;
  ProcessGroup& operator=(const ProcessGroup&) = delete;

  // spawn runs `/bin/sh -c 'exec COMMAND'`; `what` names it in errors.
  // `stdio` (-1: inherit) become the command's stdin, stdout and stderr;
  // `environment` entries ("NAME=value") are added to this process's.
  net::Status spawn(const std::string& command, const std::string& what,
                    std::array<int, 3> stdio = {-1, -1, -1},
                    const std::vector<std::string>& environment = {});
  // kill_group sends `signal` to every member now.
  void kill_group(int signal);
  // alive: the leader still runs (reaps it, and records how it ended, if not).
  bool alive();
  // exit_description: how the leader ended ("exited with status 3", "was
  // killed by signal 9 (Killed)"); "" while it runs.
  const std::string& exit_description() const { return exit_; }
  void stop();
  pid_t pid() const { return leader_; }
  pid_t group() const { return group_; }

 private:
  bool group_empty();
  pid_t leader_ = -1;
  pid_t group_ = -1;
  std::string exit_;
};

// CommandTarget: a program started from a command template with {port}.
class CommandTarget final : public Target {
 public:
  static net::Result<std::unique_ptr<CommandTarget>> create(std::string command_template,
                                                            Protocol protocol);
  ~CommandTarget() override { stop(); }
  net::Status start() override;
  net::Address address() const override { return address_; }
  void stop() override;
  std::string describe() const override { return command_.empty() ? template_ : command_; }
  std::optional<std::size_t> open_fds() const override;
  std::optional<std::size_t> resident_bytes() const override;
  std::string replay_flags() const override;
  // process_group: the command's process group id (-1 when not running).
  pid_t process_group() const { return process_.group(); }

 private:
  CommandTarget(std::string command_template, Protocol protocol)
      : template_(std::move(command_template)), protocol_(protocol) {}
  bool alive();

  std::string template_;
  std::string command_;
  Protocol protocol_;
  net::Address address_;
  ProcessGroup process_;
};

// shell_quote: `text` in single quotes for a shell command line.
std::string shell_quote(const std::string& text);

// count_open_fds counts /proc/<pid>/fd entries (pid 0: this process).
std::optional<std::size_t> count_open_fds(pid_t pid);

// resident_bytes_of: process `pid`'s resident set size, from /proc/<pid>/statm.
std::optional<std::size_t> resident_bytes_of(pid_t pid);

}  // namespace faultline::suites
