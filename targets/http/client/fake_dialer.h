// targets/http/client/fake_dialer.h: an in-memory Dialer on a virtual clock,
// for the session's unit tests (session_memory_test.cpp). Test-only.
//
// Each dial takes the next FakeConnection script: the replies it sends, one
// per complete request it receives, and what it does once they run out.
// Waiting costs no real time: a read with nothing to deliver jumps the
// virtual clock to its deadline and times out, as the simulator will.
//
//   FakeDialer dialer({{.replies = {"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"}}});
//   client::Session session(dialer, {.base_url = "http://fake:80"});
//   auto r = session.get("/x");            // r->body == "ok"; dialer.requests()[0] == "GET /x ..."
#pragma once

#include <algorithm>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "targets/net/deadline.h"
#include "targets/net/stream.h"

namespace faultline::http::client::testing {

// VirtualClock: time moves only when someone sleeps or waits.
class VirtualClock final : public net::Clock {
 public:
  net::TimePoint now() const override { return now_; }
  void sleep_until(net::TimePoint when) override {
    sleeps_.push_back(when - now_);
    advance_to(when);
  }
  void advance_to(net::TimePoint when) { now_ = std::max(now_, when); }
  // sleeps: every sleep_until, as a duration from the time it was called.
  const std::vector<net::Duration>& sleeps() const { return sleeps_; }

 private:
  net::TimePoint now_{std::chrono::seconds(1000)};
  std::vector<net::Duration> sleeps_;
};

// FakeEnd: what a connection does when a request arrives and it has no reply
// left (or, with close_after_replies, right after its last reply). A pooled
// connection that meets `close` or `reset` this way is one the server closed
// just after the client checked it: unseen by readable_now().
enum class FakeEnd { close, reset, stall };

struct FakeConnection {
  std::vector<std::string> replies{};  // one per complete request, in order
  FakeEnd end = FakeEnd::close;
  // close_after_replies: send EOF right after the last reply (an idle server
  // close the client can see with readable_now()).
  bool close_after_replies = false;
  std::size_t max_chunk = 1 << 20;  // bytes per read_some, to split responses
  bool refuse = false;              // the dial itself fails: refused
};

namespace detail {

// complete_request_length: the length of the first complete request in
// `bytes` (headers plus Content-Length body), or 0.
inline std::size_t complete_request_length(const std::string& bytes) {
  const std::size_t head_end = bytes.find("\r\n\r\n");
  if (head_end == std::string::npos) return 0;
  std::size_t body = 0;
  std::string head = bytes.substr(0, head_end);
  std::transform(head.begin(), head.end(), head.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (auto at = head.find("\r\ncontent-length:"); at != std::string::npos) {
    body = std::stoul(head.substr(at + 17));
  }
  const std::size_t total = head_end + 4 + body;
  return bytes.size() >= total ? total : 0;
}

}  // namespace detail

class FakeDialer;

// FakeStream: one scripted connection.
class FakeStream final : public net::Stream {
 public:
  FakeStream(FakeDialer& dialer, FakeConnection script, std::size_t index)
      : dialer_(dialer), script_(std::move(script)), index_(index) {}

  net::Status write_all(std::string_view bytes, net::TimePoint deadline) override;
  net::Result<std::size_t> read_some(char* buffer, std::size_t capacity,
                                     net::TimePoint deadline) override;
  bool readable_now() override {
    return !outgoing_.empty() || ended_ == Ended::eof || ended_ == Ended::reset;
  }
  void close() override { closed_ = true; }
  std::string describe() const override { return "fake#" + std::to_string(index_); }

 private:
  enum class Ended { no, eof, reset, stall };
  void end_with(FakeEnd end) {
    ended_ = end == FakeEnd::close   ? Ended::eof
             : end == FakeEnd::reset ? Ended::reset
                                     : Ended::stall;
  }

  FakeDialer& dialer_;
  FakeConnection script_;
  std::size_t index_;
  std::string incoming_;
  std::string outgoing_;
  std::size_t next_reply_ = 0;
  Ended ended_ = Ended::no;
  bool closed_ = false;
};

// FakeDialer: hands out FakeStreams in script order; refuses once they run out.
class FakeDialer final : public net::Dialer {
 public:
  explicit FakeDialer(std::vector<FakeConnection> scripts)
      : scripts_(scripts.begin(), scripts.end()) {}

  net::Result<std::unique_ptr<net::Stream>> dial(const std::string& host, std::uint16_t port,
                                                 net::TimePoint) override {
    dialed_.push_back(host + ":" + std::to_string(port));
    if (scripts_.empty() || scripts_.front().refuse) {
      if (!scripts_.empty()) scripts_.pop_front();
      return net::make_error(net::ErrorKind::refused,
                             "connect " + dialed_.back() + ": Connection refused");
    }
    FakeConnection script = std::move(scripts_.front());
    scripts_.pop_front();
    return std::unique_ptr<net::Stream>(
        std::make_unique<FakeStream>(*this, std::move(script), dialed_.size()));
  }
  net::Clock& clock() override { return clock_; }
  VirtualClock& virtual_clock() { return clock_; }

  // requests: every complete request received, over all connections, in order.
  const std::vector<std::string>& requests() const { return requests_; }
  // dialed: "host:port" of every dial, refused ones too.
  const std::vector<std::string>& dialed() const { return dialed_; }
  void record_request(std::string request) { requests_.push_back(std::move(request)); }

 private:
  VirtualClock clock_;
  std::deque<FakeConnection> scripts_;
  std::vector<std::string> requests_;
  std::vector<std::string> dialed_;
};

inline net::Status FakeStream::write_all(std::string_view bytes, net::TimePoint) {
  if (closed_) return net::make_error(net::ErrorKind::closed, "send to fake: stream closed");
  if (ended_ == Ended::reset) {
    return net::make_error(net::ErrorKind::reset, "send to fake: Connection reset by peer");
  }
  incoming_.append(bytes);
  while (std::size_t length = detail::complete_request_length(incoming_)) {
    dialer_.record_request(incoming_.substr(0, length));
    incoming_.erase(0, length);
    if (ended_ != Ended::no) continue;  // a closed server ignores it
    if (next_reply_ < script_.replies.size()) {
      outgoing_ += script_.replies[next_reply_++];
      if (script_.close_after_replies && next_reply_ == script_.replies.size())
        end_with(script_.end);
    } else {
      end_with(script_.end);
    }
  }
  return {};
}

inline net::Result<std::size_t> FakeStream::read_some(char* buffer, std::size_t capacity,
                                                      net::TimePoint deadline) {
  if (closed_) return net::make_error(net::ErrorKind::closed, "recv from fake: stream closed");
  if (!outgoing_.empty()) {
    const std::size_t n = std::min({capacity, script_.max_chunk, outgoing_.size()});
    std::copy_n(outgoing_.data(), n, buffer);
    outgoing_.erase(0, n);
    return n;
  }
  switch (ended_) {
    case Ended::eof:
      return std::size_t{0};
    case Ended::reset:
      return net::make_error(net::ErrorKind::reset, "recv from fake: Connection reset by peer");
    case Ended::no:
    case Ended::stall:
      break;
  }
  // Nothing will ever come: the wait lasts until the deadline.
  dialer_.virtual_clock().advance_to(deadline);
  return net::make_error(net::ErrorKind::timeout, "recv from fake: timed out");
}

}  // namespace faultline::http::client::testing
