#include "harness/suites/mutants/ws_mutants.h"

#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <functional>
#include <optional>

#include "targets/echo/connection_threads.h"
#include "targets/net/socket.h"
#include "targets/ws/connection.h"
#include "targets/ws/handshake.h"

namespace faultline::suites {
namespace {

using namespace std::chrono_literals;

enum class Bug {
  utf8_per_frame,
  utf8_per_read,
  accepts_unmasked,
  accepts_fragmented_control,
  no_close_handshake,
  one_read_is_a_frame,
};

struct Named {
  const char* name;
  Bug bug;
};
constexpr Named kMutants[] = {
    {"ws-utf8-per-frame", Bug::utf8_per_frame},
    {"ws-utf8-per-read", Bug::utf8_per_read},
    {"ws-accepts-unmasked", Bug::accepts_unmasked},
    {"ws-accepts-fragmented-control", Bug::accepts_fragmented_control},
    {"ws-no-close-handshake", Bug::no_close_handshake},
    {"ws-one-read-is-a-frame", Bug::one_read_is_a_frame},
};

// HeaderRewriter: passes a client's byte stream through, handing each frame
// header to `edit` on the way (which may change it) and re-encoding it.
class HeaderRewriter {
 public:
  explicit HeaderRewriter(std::function<void(ws::FrameHeader&)> edit) : edit_(std::move(edit)) {}

  std::string rewrite(std::string_view in) {
    std::string out;
    std::size_t i = 0;
    while (i < in.size()) {
      if (payload_left_ > 0) {
        const auto take = std::min<std::uint64_t>(payload_left_, in.size() - i);
        out.append(in.substr(i, take));
        i += take;
        payload_left_ -= take;
        continue;
      }
      header_.push_back(static_cast<unsigned char>(in[i++]));
      if (header_.size() < needed()) continue;
      ws::FrameHeader header = parse();
      edit_(header);
      out += ws::encode_frame_header(header);
      payload_left_ = header.length;
      header_.clear();
    }
    return out;
  }

 private:
  std::size_t needed() const {
    if (header_.size() < 2) return 2;
    const unsigned length7 = header_[1] & 0x7f;
    return 2 + (length7 == 126 ? 2 : length7 == 127 ? 8 : 0) + ((header_[1] & 0x80) ? 4 : 0);
  }
  ws::FrameHeader parse() const {
    ws::FrameHeader header;
    header.fin = (header_[0] & 0x80) != 0;
    header.rsv = static_cast<std::uint8_t>((header_[0] >> 4) & 0x7);
    header.opcode = static_cast<ws::Opcode>(header_[0] & 0x0f);
    header.masked = (header_[1] & 0x80) != 0;
    std::size_t at = 2;
    const unsigned length7 = header_[1] & 0x7f;
    const std::size_t extended = length7 == 126 ? 2 : length7 == 127 ? 8 : 0;
    header.length = extended == 0 ? length7 : 0;
    for (std::size_t k = 0; k < extended; ++k)
      header.length = (header.length << 8) | header_[at++];
    if (header.masked) {
      for (std::size_t k = 0; k < 4; ++k)
        header.mask = (header.mask << 8) | header_[at++];
    }
    return header;
  }

  std::function<void(ws::FrameHeader&)> edit_;
  std::vector<unsigned char> header_;
  std::uint64_t payload_left_ = 0;
};

// Utf8Spy: decodes the same client bytes as the connection, validating text
// the wrong way: each frame (or each read) on its own.
class Utf8Spy final : private ws::FrameSink {
 public:
  explicit Utf8Spy(bool per_frame) : per_frame_(per_frame) {}

  // refuses: the bytes of one read, false if the buggy check refuses them.
  bool refuses(std::string_view bytes) {
    if (!per_frame_) utf8_.reset();
    (void)decoder_.feed(bytes, *this);
    // Per read: a character still open at the end of the read is "invalid".
    if (!per_frame_ && in_text_payload_ && !utf8_.complete()) bad_ = true;
    return bad_;
  }

 private:
  ws::DecodeResult on_frame_header(const ws::FrameHeader& header, std::uint64_t) override {
    if (header.opcode == ws::Opcode::text) message_is_text_ = true;
    if (header.opcode == ws::Opcode::binary) message_is_text_ = false;
    in_text_payload_ = !ws::is_control(header.opcode) && message_is_text_;
    if (per_frame_ && in_text_payload_) utf8_.reset();
    return {};
  }
  ws::DecodeResult on_frame_payload(std::string_view payload, std::uint64_t) override {
    if (in_text_payload_ && utf8_.feed(payload)) bad_ = true;
    return {};
  }
  ws::DecodeResult on_frame_end() override {
    if (per_frame_ && in_text_payload_ && !utf8_.complete()) bad_ = true;
    in_text_payload_ = false;
    return {};
  }

  bool per_frame_;
  ws::FrameDecoder decoder_{{.role = ws::Role::server}};
  ws::Utf8Validator utf8_;
  bool message_is_text_ = false;
  bool in_text_payload_ = false;
  bool bad_ = false;
};

// WsMutantServer: a thread per connection, the reference handshake and
// Connection, and the bug.
class WsMutantServer final : public echo::EchoServer {
 public:
  explicit WsMutantServer(Bug bug)
      : bug_(bug), threads_(options(), counters_, [this](net::Fd& c) { serve(c); }) {}
  ~WsMutantServer() override { stop(); }
  net::Status start() override { return threads_.start("websocket mutant"); }
  net::Address address() const override { return threads_.address(); }
  void stop() override { threads_.stop(1s); }
  echo::EchoCounters counters() const override { return counters_.snapshot(); }

 private:
  static echo::EchoServerOptions options() {
    echo::EchoServerOptions options;
    options.listen = net::Address::loopback(0);
    return options;
  }

  // read: one read of at most `size` bytes within 30 s; 0 at EOF, an error,
  // a timeout or stop().
  std::size_t read(int fd, char* buffer, std::size_t size) {
    for (;;) {
      pollfd fds[2] = {{fd, POLLIN, 0}, {threads_.stop_event(), POLLIN, 0}};
      const int rc = ::poll(fds, 2, 30000);
      if (rc < 0 && errno == EINTR) continue;
      if (rc <= 0 || fds[1].revents != 0) return 0;
      const ssize_t n = ::recv(fd, buffer, size, 0);
      if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      return n > 0 ? static_cast<std::size_t>(n) : 0;
    }
  }

  void serve(net::Fd& connection_fd) {
    const int fd = connection_fd.get();
    auto send = [fd](std::string_view bytes) {
      return bytes.empty() || net::send_all(fd, bytes, net::Deadline::after(30s)).has_value();
    };
    char buffer[64 * 1024];
    ws::ServerHandshake handshake;
    std::string first;
    for (;;) {
      const auto n = read(fd, buffer, sizeof(buffer));
      if (n == 0) return;
      auto step = handshake.feed(std::string_view(buffer, n));
      if (!send(handshake.take_output()) || *step == ws::HandshakeStep::rejected) return;
      if (*step == ws::HandshakeStep::accepted) break;
    }
    const ws::ConnectionOptions options{.role = ws::Role::server};
    std::optional<ws::Connection> connection(std::in_place, options);
    std::optional<Utf8Spy> spy;
    if (bug_ == Bug::utf8_per_frame || bug_ == Bug::utf8_per_read)
      spy.emplace(bug_ == Bug::utf8_per_frame);
    std::optional<HeaderRewriter> rewriter;
    if (bug_ == Bug::accepts_unmasked) {
      rewriter.emplace([](ws::FrameHeader& header) {
        if (!header.masked) header.masked = true, header.mask = 0;  // a zero key: bytes as sent
      });
    } else if (bug_ == Bug::accepts_fragmented_control) {
      rewriter.emplace([](ws::FrameHeader& header) {
        if (ws::is_control(header.opcode)) header.fin = true;
      });
    }
    std::string bytes = handshake.take_leftover();
    for (;;) {
      if (!bytes.empty()) {
        if (bug_ == Bug::one_read_is_a_frame) connection.emplace(options);
        if (spy && spy->refuses(bytes)) {
          connection->fail(ws::close_code::kInvalidPayload, "invalid UTF-8");
        } else {
          (void)connection->receive(rewriter ? rewriter->rewrite(bytes) : bytes);
        }
      }
      while (auto event = connection->next_event()) {
        if (event->kind == ws::EventKind::close && bug_ == Bug::no_close_handshake) return;
        if (event->kind == ws::EventKind::message) {
          connection->send(event->opcode, event->payload);
          if (!send(connection->take_output())) return;
        }
      }
      const auto state = connection->state();
      const bool ending = state == ws::State::failed || state == ws::State::closed;
      if (ending && bug_ == Bug::no_close_handshake) return;  // no close frame: just TCP
      if (!send(connection->take_output())) return;
      if (ending) break;
      const auto n = read(fd, buffer, sizeof(buffer));
      if (n == 0) return;
      bytes.assign(buffer, n);
    }
    // Our last word went: FIN, then read (bounded) until the peer's FIN.
    (void)net::shutdown_write(fd);
    for (int reads = 0; reads < 64 && read(fd, buffer, sizeof(buffer)) > 0; ++reads) {
    }
  }

  Bug bug_;
  echo::detail::AtomicCounters counters_;
  echo::detail::ConnectionThreads threads_;  // last: its threads use the members above
};

}  // namespace

std::vector<std::string> ws_server_mutant_names() {
  std::vector<std::string> names;
  for (const auto& mutant : kMutants)
    names.emplace_back(mutant.name);
  return names;
}

std::unique_ptr<echo::EchoServer> make_ws_server_mutant(std::string_view name) {
  for (const auto& mutant : kMutants) {
    if (name == mutant.name) return std::make_unique<WsMutantServer>(mutant.bug);
  }
  return nullptr;
}

}  // namespace faultline::suites
