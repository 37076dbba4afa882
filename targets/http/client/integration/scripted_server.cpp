#include "targets/http/client/integration/scripted_server.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <stdexcept>

#include "targets/net/address.h"
#include "targets/net/socket.h"

namespace faultline::http::client::testing {
namespace {

// body_length: the Content-Length of a request head (0 when none).
std::size_t body_length(std::string_view head) {
  std::string lower(head);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  auto at = lower.find("\r\ncontent-length:");
  if (at == std::string::npos) return 0;
  return std::stoul(lower.substr(at + 17));
}

}  // namespace

bool ScriptedConnection::wait(short events) {
  if (!fd_) return false;
  pollfd fds[2] = {{fd_.get(), events, 0}, {server_.wake_.get(), POLLIN, 0}};
  const int timeout_ms =
      static_cast<int>(std::chrono::milliseconds(kScriptedServerMaxWait).count());
  for (;;) {
    int rc = ::poll(fds, 2, timeout_ms);
    if (rc < 0 && errno == EINTR) continue;
    if (rc <= 0 || (fds[1].revents & POLLIN)) return false;
    return true;
  }
}

std::optional<std::string> ScriptedConnection::read_request() {
  for (;;) {
    if (auto head_end = buffered_.find("\r\n\r\n"); head_end != std::string::npos) {
      const std::size_t total = head_end + 4 + body_length(buffered_.substr(0, head_end));
      if (buffered_.size() >= total) {
        std::string request = buffered_.substr(0, total);
        buffered_.erase(0, total);
        server_.record(request);
        return request;
      }
    }
    if (!wait(POLLIN)) return std::nullopt;
    char chunk[16384];
    ssize_t n = ::recv(fd_.get(), chunk, sizeof chunk, 0);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (n <= 0) return std::nullopt;
    buffered_.append(chunk, static_cast<std::size_t>(n));
  }
}

bool ScriptedConnection::send(std::string_view bytes) {
  while (!bytes.empty()) {
    if (!fd_) return false;
    ssize_t n = ::send(fd_.get(), bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n > 0) {
      bytes.remove_prefix(static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      if (!wait(POLLOUT)) return false;
      continue;
    }
    return false;
  }
  return true;
}

void ScriptedConnection::close() {
  fd_.reset();
}

void ScriptedConnection::reset() {
  if (!fd_) return;
  (void)net::set_linger_reset(fd_.get());
  fd_.reset();
}

void ScriptedConnection::stall() {
  // Drain whatever comes until EOF: the client closing ends the stall.
  char chunk[4096];
  while (wait(POLLIN)) {
    ssize_t n = ::recv(fd_.get(), chunk, sizeof chunk, 0);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) return;
  }
}

ScriptedServer::ScriptedServer(Script script) : script_(std::move(script)) {
  auto listener = net::listen_tcp(net::Address::loopback(0));
  if (!listener) throw std::runtime_error(listener.error().to_string());
  listener_ = std::move(*listener);
  port_ = net::local_address(listener_.get()).value().port();
  wake_ = net::Fd(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!wake_) throw std::runtime_error("eventfd failed");
  acceptor_ = std::thread([this] { accept_loop(); });
}

ScriptedServer::~ScriptedServer() {
  stop();
}

std::string ScriptedServer::url(std::string_view path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + std::string(path);
}

std::vector<std::string> ScriptedServer::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

void ScriptedServer::record(std::string request) {
  std::lock_guard lock(mutex_);
  requests_.push_back(std::move(request));
}

void ScriptedServer::stop() {
  if (stopping_.exchange(true)) return;
  const std::uint64_t one = 1;
  (void)!::write(wake_.get(), &one, sizeof one);
  if (acceptor_.joinable()) acceptor_.join();
  std::vector<std::thread> connections;
  {
    std::lock_guard lock(mutex_);
    connections.swap(connections_);
  }
  for (std::thread& t : connections)
    t.join();
}

void ScriptedServer::accept_loop() {
  for (;;) {
    pollfd fds[2] = {{listener_.get(), POLLIN, 0}, {wake_.get(), POLLIN, 0}};
    int rc = ::poll(fds, 2, -1);
    if (rc < 0 && errno == EINTR) continue;
    if (rc < 0 || (fds[1].revents & POLLIN)) return;
    auto fd = net::accept_connection(listener_.get());
    if (!fd) continue;
    const int index = accepted_++;
    std::lock_guard lock(mutex_);
    connections_.emplace_back([this, index, fd = std::move(*fd)]() mutable {
      ScriptedConnection connection(*this, std::move(fd), index);
      script_(connection);
    });
  }
}

}  // namespace faultline::http::client::testing
