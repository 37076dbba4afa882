#include "cli/flags.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>

#include "targets/net/duration.h"

namespace faultline::cli {

int usage_error(const net::Error& error) {
  return usage_error(error.message);
}

int usage_error(std::string_view message) {
  std::cerr << "faultline: bad usage: " << message << "\n";
  return 2;
}

net::Result<net::Duration> positive_duration_flag(std::string_view flag, const std::string& text) {
  auto parsed = net::parse_duration(text);
  if (!parsed) {
    return net::make_error(net::ErrorKind::invalid_argument,
                           std::string(flag) + ": " + parsed.error().message);
  }
  if (*parsed <= net::Duration::zero()) {
    return net::make_error(net::ErrorKind::invalid_argument,
                           std::string(flag) + ": must be more than 0, got '" + text + "'");
  }
  return *parsed;
}

net::Status check_writable(const std::string& flag, const std::string& path) {
  if (path.empty()) return {};
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  const std::filesystem::path directory = parent.empty() ? std::filesystem::path(".") : parent;
  std::error_code error;
  if (!std::filesystem::is_directory(directory, error)) {
    return net::make_error(
        net::ErrorKind::invalid_argument,
        flag + " '" + path + "': no such directory '" + directory.string() + "'");
  }
  if (::access(directory.c_str(), W_OK) != 0) {
    return net::make_error(net::ErrorKind::invalid_argument,
                           flag + " '" + path + "': directory not writable");
  }
  if (std::filesystem::is_directory(path, error)) {
    return net::make_error(net::ErrorKind::invalid_argument,
                           flag + " '" + path + "': is a directory");
  }
  return {};
}

sigset_t block_shutdown_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
}

net::Status write_atomically(const std::string& path, const std::string& content) {
  const std::filesystem::path target(path);
  const std::filesystem::path temporary =
      target.parent_path() / (target.filename().string() + ".tmp" + std::to_string(::getpid()));
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    if (!out) {
      return net::make_error(net::ErrorKind::io, "cannot write '" + path + "'");
    }
    out << content;
    out.flush();
    if (!out) {
      std::error_code ignored;
      std::filesystem::remove(temporary, ignored);
      return net::make_error(net::ErrorKind::io, "writing '" + path + "' failed");
    }
  }
  std::error_code error;
  std::filesystem::rename(temporary, target, error);
  if (error) {
    std::filesystem::remove(temporary, error);
    return net::make_error(net::ErrorKind::io, "cannot write '" + path + "'");
  }
  return {};
}

int runtime_error(const net::Error& error) {
  std::cerr << "faultline: error: " << error.to_string() << "\n";
  return 1;
}

}  // namespace faultline::cli
