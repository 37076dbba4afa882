#include "harness/suites/mutants/echo_mutants.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <list>
#include <mutex>
#include <set>
#include <thread>

#include "targets/net/socket.h"

namespace faultline::suites {
namespace {

// BlockingServer: the seed's model (an accept loop, a thread per connection)
// with the bug left to `serve`. stop() shuts every socket down, so even a
// mutant stuck in a blocking call returns.
class BlockingServer : public echo::EchoServer {
 public:
  ~BlockingServer() override { stop(); }
  net::Status start() override {
    stop_event_.reset(::eventfd(0, EFD_CLOEXEC));
    auto listener = net::listen_bound(net::Address::loopback(0));
    if (!listener) return tl::unexpected(listener.error());
    listener_ = std::move(listener->fd);
    address_ = listener->address;
    acceptor_ = std::thread([this] { accept_loop(); });
    return {};
  }
  net::Address address() const override { return address_; }
  void stop() override {
    if (!acceptor_.joinable()) return;
    stopping_ = true;
    std::uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(stop_event_.get(), &one, sizeof(one));
    {
      // Before joining: the one-at-a-time mutant serves on the accept thread.
      std::lock_guard lock(mutex_);
      for (int fd : open_)
        ::shutdown(fd, SHUT_RDWR);
    }
    acceptor_.join();
    for (auto& t : threads_)
      t.join();
    threads_.clear();
    listener_.reset();
  }
  echo::EchoCounters counters() const override { return counters_.snapshot(); }

 protected:
  // serve handles one connection; it owns `fd` (and may leak it: that is a bug
  // some mutants carry on purpose).
  virtual void serve(int fd) = 0;
  // inline_serving: serve on the accept thread (one client at a time).
  virtual bool inline_serving() const { return false; }
  // forget: the connection is done (but maybe not closed).
  void forget(int fd) {
    std::lock_guard lock(mutex_);
    open_.erase(fd);
  }
  bool stopping() const { return stopping_; }
  echo::detail::AtomicCounters counters_;

 private:
  void accept_loop() {
    for (;;) {
      pollfd fds[2] = {{listener_.get(), POLLIN, 0}, {stop_event_.get(), POLLIN, 0}};
      if (::poll(fds, 2, -1) < 0 && errno != EINTR) return;
      if (fds[1].revents) return;
      auto accepted = net::accept_connection(listener_.get());
      if (!accepted) continue;
      (void)net::set_nonblocking(accepted->get(), false);
      // A fixed 64 KiB send buffer, as a server under memory pressure has:
      // the bugs below depend on the buffer being full, and loopback's
      // autotuned megabytes would hide them on some runs.
      (void)net::set_buffer_sizes(accepted->get(), 64 * 1024, 0);
      int fd = accepted->release();
      ++counters_.accepted;
      {
        std::lock_guard lock(mutex_);
        open_.insert(fd);
      }
      if (inline_serving()) {
        serve(fd);
      } else {
        threads_.emplace_back([this, fd] { serve(fd); });
      }
    }
  }

  net::Fd listener_;
  net::Fd stop_event_;
  net::Address address_;
  std::thread acceptor_;
  std::list<std::thread> threads_;
  std::mutex mutex_;
  std::set<int> open_;
  std::atomic<bool> stopping_{false};
};

// close_connection: what a correct serve() does at the end.
void close_fd(int fd) {
  ::close(fd);
}

// SendNoLoop: non-blocking writes with no loop and no buffering: whatever one
// send() does not take is lost.
class SendNoLoop final : public BlockingServer {
  void serve(int fd) override {
    (void)net::set_nonblocking(fd, true);
    char buffer[64 * 1024];
    for (;;) {
      pollfd entry{fd, POLLIN, 0};
      if (::poll(&entry, 1, 30000) <= 0) break;
      ssize_t n = ::recv(fd, buffer, sizeof(buffer), 0);
      if (n < 0 && errno == EAGAIN) continue;
      if (n <= 0) break;
      ::send(fd, buffer, static_cast<std::size_t>(n),
             MSG_NOSIGNAL);  // BUG: partial or EAGAIN ignored
    }
    forget(fd);
    close_fd(fd);
  }
};

// Utf8PerRead: decodes each read as UTF-8 on its own, as a text-mode server
// does, replacing what does not decode: a character split across reads is
// mangled.
class Utf8PerRead final : public BlockingServer {
  void serve(int fd) override {
    char buffer[4096];
    for (;;) {
      ssize_t n = ::recv(fd, buffer, sizeof(buffer), 0);
      if (n <= 0) break;
      auto text = decode_utf8_replacing(std::string_view(buffer, static_cast<std::size_t>(n)));
      if (!net::send_all(fd, text, net::Deadline::after(std::chrono::seconds(30)))) break;
    }
    forget(fd);
    close_fd(fd);
  }
};

// OneClientAtATime: serves each connection to the end on the accept thread.
class OneClientAtATime final : public BlockingServer {
  bool inline_serving() const override { return true; }
  void serve(int fd) override {
    char buffer[64 * 1024];
    for (;;) {
      ssize_t n = ::recv(fd, buffer, sizeof(buffer), 0);
      if (n <= 0) break;
      if (!net::send_all(fd, std::string_view(buffer, static_cast<std::size_t>(n)),
                         net::Deadline::after(std::chrono::seconds(30)))) {
        break;
      }
    }
    forget(fd);
    close_fd(fd);
  }
};

// HalfCloseDropsOwed: buffers replies and writes them as the socket allows
// (correctly), but on the peer's FIN closes at once: the owed bytes are lost.
class HalfCloseDropsOwed final : public BlockingServer {
  void serve(int fd) override {
    (void)net::set_nonblocking(fd, true);
    std::string owed;
    char buffer[64 * 1024];
    for (;;) {
      pollfd entry{
          fd,
          static_cast<short>((owed.size() < (1 << 20) ? POLLIN : 0) | (owed.empty() ? 0 : POLLOUT)),
          0};
      if (::poll(&entry, 1, 30000) <= 0) break;
      if (entry.revents & (POLLIN | POLLHUP | POLLERR)) {
        ssize_t n = ::recv(fd, buffer, sizeof(buffer), 0);
        if (n == 0) break;  // BUG: FIN means "close now", whatever is still owed
        if (n < 0 && errno != EAGAIN) break;
        if (n > 0) owed.append(buffer, static_cast<std::size_t>(n));
      }
      if (!owed.empty()) {
        ssize_t n = ::send(fd, owed.data(), owed.size(), MSG_NOSIGNAL);
        if (n > 0)
          owed.erase(0, static_cast<std::size_t>(n));
        else if (n < 0 && errno != EAGAIN)
          break;
      }
    }
    forget(fd);
    close_fd(fd);
  }
};

// LeaksFdOnReset: correct until a connection is reset; then it returns
// without closing the descriptor.
class LeaksFdOnReset final : public BlockingServer {
  void serve(int fd) override {
    char buffer[64 * 1024];
    for (;;) {
      ssize_t n = ::recv(fd, buffer, sizeof(buffer), 0);
      if (n < 0) {
        forget(fd);
        return;  // BUG: fd never closed on ECONNRESET
      }
      if (n == 0) break;
      auto sent = net::send_all(fd, std::string_view(buffer, static_cast<std::size_t>(n)),
                                net::Deadline::after(std::chrono::seconds(30)));
      if (!sent) {
        forget(fd);
        return;  // BUG: the same on a failed send
      }
    }
    forget(fd);
    close_fd(fd);
  }
};

// one_recv_is_a_message: a client that takes one recv() as the whole reply.
net::Result<std::vector<std::string>> one_recv_is_a_message(
    const net::Address& address, const std::vector<std::string>& messages,
    const echo::EchoTimeouts& timeouts) {
  auto fd = net::connect_tcp(address, net::Deadline::after(timeouts.connect));
  if (!fd) return tl::unexpected(fd.error());
  std::vector<std::string> replies;
  for (const auto& message : messages) {
    auto deadline = net::Deadline::after(timeouts.operation);
    if (auto sent = net::send_all(fd->get(), message, deadline); !sent) {
      return tl::unexpected(sent.error());
    }
    std::string reply(message.size() + 1024, '\0');
    auto n = net::recv_some(fd->get(), reply.data(), reply.size(), deadline);  // BUG: one read
    if (!n) return tl::unexpected(n.error());
    reply.resize(*n);
    replies.push_back(std::move(reply));
  }
  return replies;
}

// no_timeouts: a client with blocking I/O and no deadline anywhere.
net::Result<std::vector<std::string>> no_timeouts(const net::Address& address,
                                                  const std::vector<std::string>& messages,
                                                  const echo::EchoTimeouts&) {
  auto fd = net::connect_tcp(address, net::Deadline::never());  // BUG: no connect timeout
  if (!fd) return tl::unexpected(fd.error());
  (void)net::set_nonblocking(fd->get(), false);
  std::vector<std::string> replies;
  for (const auto& message : messages) {
    if (auto sent = net::send_all(fd->get(), message, net::Deadline::never()); !sent) {
      return tl::unexpected(sent.error());
    }
    std::string reply(message.size(), '\0');
    std::size_t got = 0;
    while (got < reply.size()) {
      ssize_t n =
          ::recv(fd->get(), reply.data() + got, reply.size() - got, 0);  // BUG: may block forever
      if (n < 0) return net::from_errno(errno, "recv");
      if (n == 0) return net::make_error(net::ErrorKind::closed, "recv: peer closed");
      got += static_cast<std::size_t>(n);
    }
    replies.push_back(std::move(reply));
  }
  return replies;
}

// tutorial_client: the client of the classic socket tutorial: no timeout
// anywhere, one send() of the message, one recv(1024) taken as the reply and
// decoded as UTF-8 (undecodable bytes replaced, as errors="replace" does).
net::Result<std::vector<std::string>> tutorial_client(const net::Address& address,
                                                      const std::vector<std::string>& messages,
                                                      const echo::EchoTimeouts&) {
  auto fd = net::connect_tcp(address, net::Deadline::never());  // BUG: no connect timeout
  if (!fd) return tl::unexpected(fd.error());
  (void)net::set_nonblocking(fd->get(), false);
  std::vector<std::string> replies;
  for (const auto& message : messages) {
    ssize_t sent = ::send(fd->get(), message.data(), message.size(), MSG_NOSIGNAL);  // BUG: once
    if (sent < 0) return net::from_errno(errno, "send");
    char buffer[1024];
    ssize_t n = ::recv(fd->get(), buffer, sizeof(buffer), 0);  // BUG: one recv, no timeout
    if (n < 0) return net::from_errno(errno, "recv");
    replies.push_back(decode_utf8_replacing(std::string_view(buffer, static_cast<std::size_t>(n))));
  }
  return replies;
}

}  // namespace

std::string decode_utf8_replacing(std::string_view bytes) {
  std::string out;
  std::size_t i = 0;
  while (i < bytes.size()) {
    auto c = static_cast<unsigned char>(bytes[i]);
    std::size_t length = c < 0x80         ? 1
                         : (c >> 5) == 6  ? 2
                         : (c >> 4) == 14 ? 3
                         : (c >> 3) == 30 ? 4
                                          : 0;
    bool complete = length != 0 && i + length <= bytes.size();
    for (std::size_t k = 1; complete && k < length; ++k) {
      complete = (static_cast<unsigned char>(bytes[i + k]) & 0xc0) == 0x80;
    }
    if (complete) {
      out.append(bytes.substr(i, length));
      i += length;
    } else {
      out.append("\xef\xbf\xbd");  // U+FFFD REPLACEMENT CHARACTER
      i += 1;
    }
  }
  return out;
}

std::vector<std::string> server_mutant_names() {
  return {"send-no-loop", "utf8-per-read", "one-client-at-a-time", "half-close-drops-owed",
          "leaks-fd-on-reset"};
}

std::vector<std::string> client_mutant_names() {
  return {"one-recv-is-a-message", "no-timeouts", "tutorial-client"};
}

std::unique_ptr<echo::EchoServer> make_server_mutant(std::string_view name) {
  if (name == "send-no-loop") return std::make_unique<SendNoLoop>();
  if (name == "utf8-per-read") return std::make_unique<Utf8PerRead>();
  if (name == "one-client-at-a-time") return std::make_unique<OneClientAtATime>();
  if (name == "half-close-drops-owed") return std::make_unique<HalfCloseDropsOwed>();
  if (name == "leaks-fd-on-reset") return std::make_unique<LeaksFdOnReset>();
  return nullptr;
}

std::optional<EchoClientUnderTest> client_mutant(std::string_view name) {
  if (name == "one-recv-is-a-message")
    return EchoClientUnderTest{std::string(name), one_recv_is_a_message};
  if (name == "no-timeouts") return EchoClientUnderTest{std::string(name), no_timeouts};
  if (name == "tutorial-client") return EchoClientUnderTest{std::string(name), tutorial_client};
  return std::nullopt;
}

}  // namespace faultline::suites
