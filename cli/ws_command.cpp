// cli/ws_command.cpp: `faultline ws serve|send`: the WebSocket echo server
// and a one-message client.
#include <signal.h>

#include <chrono>
#include <iostream>
#include <iterator>
#include <memory>
#include <string>

#include <fmt/core.h>

#include "cli/commands.h"
#include "cli/flags.h"
#include "cli/usage.h"
#include "targets/net/duration.h"
#include "targets/net/stream.h"
#include "targets/ws/client.h"
#include "targets/ws/echo_server.h"
#include "targets/ws/utf8.h"

namespace faultline::cli {
namespace {

constexpr std::uint64_t kMaxMessageLimit = std::uint64_t{1} << 30;

struct WsServeFlags {
  std::string listen = "127.0.0.1:9001";
  std::string max_message = "16MiB";
  std::string ping_interval = "30s";
  std::string pong_timeout = "10s";
  std::string close_timeout = "5s";
  std::size_t max_connections = 1024;
  std::vector<std::string> subprotocols;
};

struct WsSendFlags {
  std::string message;
  std::string to;
  bool binary = false;
  std::string fragment;
  std::string timeout = "5s";
  std::vector<std::string> subprotocols;
  bool echo_only = false;
};

// kMaxStdinMessage: the most MESSAGE '-' reads from standard input.
constexpr std::size_t kMaxStdinMessage = 64 << 20;

net::Result<std::uint64_t> size_flag(std::string_view flag, const std::string& text,
                                     std::uint64_t min, std::uint64_t max) {
  auto size = net::parse_size(text);
  if (!size)
    return net::make_error(net::ErrorKind::invalid_argument,
                           fmt::format("{}: {}", flag, size.error().message));
  if (*size < min || *size > max)
    return net::make_error(
        net::ErrorKind::invalid_argument,
        fmt::format("{}: must be from {}B to {}B, got '{}'", flag, min, max, text));
  return *size;
}

int run_serve(const WsServeFlags& flags) {
  auto listen = net::Address::parse(flags.listen);
  if (!listen) return usage_error("--listen: " + listen.error().message);
  auto max_message = size_flag("--max-message", flags.max_message, 1, kMaxMessageLimit);
  if (!max_message) return usage_error(max_message.error());
  auto close_timeout = positive_duration_flag("--close-timeout", flags.close_timeout);
  if (!close_timeout) return usage_error(close_timeout.error());
  auto pong_timeout = positive_duration_flag("--pong-timeout", flags.pong_timeout);
  if (!pong_timeout) return usage_error(pong_timeout.error());
  auto ping_interval = net::parse_duration(flags.ping_interval);
  if (!ping_interval)
    return usage_error("--ping-interval: " + ping_interval.error().message +
                       " (0 turns pings off)");

  ws::WsServerOptions options;
  options.listen = *listen;
  options.limits.max_frame_bytes = *max_message;
  options.limits.max_message_bytes = *max_message;
  options.max_connections = flags.max_connections;
  options.close_timeout = *close_timeout;
  options.ping_interval = *ping_interval;
  options.pong_timeout = *pong_timeout;
  options.subprotocols = flags.subprotocols;

  sigset_t signals = block_shutdown_signals();
  ws::WsEchoServer server(options);
  if (auto started = server.start(); !started) return runtime_error(started.error());
  fmt::print("faultline ws: listening on ws://{}/\n", server.address().to_string());
  std::fflush(stdout);

  int signal_number = 0;
  sigwait(&signals, &signal_number);
  fmt::print("faultline ws: {} received, closing connections (1001)\n",
             signal_number == SIGINT ? "SIGINT" : "SIGTERM");
  std::fflush(stdout);
  server.stop();
  auto c = server.counters();
  fmt::print(
      "faultline ws: accepted={} rejected={} handshakes={} refused={} messages={} "
      "protocol_errors={} clean_closes={} close_timeouts={} pings={} pong_timeouts={} "
      "abnormal_closes={}\n",
      c.accepted, c.rejected, c.handshakes, c.handshakes_refused, c.messages, c.protocol_errors,
      c.clean_closes, c.close_timeouts, c.pings_sent, c.pong_timeouts, c.abnormal_closes);
  std::fflush(stdout);
  return 0;
}

std::string printable(std::string_view bytes) {
  constexpr std::size_t kShown = 80;
  std::string shown(bytes.substr(0, kShown));
  for (auto& c : shown) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '.';
  }
  if (bytes.size() > kShown) shown += "...";
  return shown;
}

int run_send(WsSendFlags flags) {
  if (flags.message == "-") {
    // The message from standard input, as `faultline suite --client-cmd` gives it.
    std::string input;
    char chunk[64 * 1024];
    while (std::cin.read(chunk, sizeof(chunk)) || std::cin.gcount() > 0) {
      input.append(chunk, static_cast<std::size_t>(std::cin.gcount()));
      if (input.size() > kMaxStdinMessage)
        return usage_error(fmt::format("MESSAGE '-': standard input holds more than {} bytes",
                                       kMaxStdinMessage));
    }
    flags.message = std::move(input);
  }
  auto url = ws::WsUrl::parse(flags.to);
  if (!url) return usage_error("--to: " + url.error().message);
  if (url->secure) return usage_error("--to: wss:// is not supported yet; use ws://");
  auto timeout = positive_duration_flag("--timeout", flags.timeout);
  if (!timeout) return usage_error(timeout.error());
  std::size_t fragment = 0;
  if (!flags.fragment.empty()) {
    auto size = size_flag("--fragment", flags.fragment, 1, kMaxMessageLimit);
    if (!size) return usage_error(size.error());
    fragment = static_cast<std::size_t>(*size);
  }
  const ws::Opcode opcode = flags.binary ? ws::Opcode::binary : ws::Opcode::text;
  if (!flags.binary) {
    if (auto bad = ws::first_invalid_utf8(flags.message))
      return usage_error(fmt::format(
          "MESSAGE is not valid UTF-8 (byte {}); a text message must be; use --binary", *bad));
  }

  ws::ClientOptions options;
  options.connect_timeout = *timeout;
  options.io_timeout = *timeout;
  options.close_timeout = *timeout;
  options.subprotocols = flags.subprotocols;
  net::TcpDialer dialer;
  const auto started = std::chrono::steady_clock::now();
  auto client = ws::Client::connect(dialer, *url, options);
  if (!client) return runtime_error(client.error());
  if (auto sent = (*client)->send(opcode, flags.message, fragment); !sent)
    return runtime_error(sent.error());
  auto reply = (*client)->receive();
  if (!reply) return runtime_error(reply.error());
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  if (reply->opcode != opcode || reply->payload != flags.message) {
    return runtime_error(net::Error{
        net::ErrorKind::bad_data, 0,
        fmt::format("websocket {}: the reply differs from the message ({} of {} bytes, {} not {})",
                    url->to_string(), reply->opcode == opcode ? "same type" : "other type",
                    reply->payload.size(), ws::opcode_name(reply->opcode),
                    ws::opcode_name(opcode))});
  }
  auto closed = (*client)->close();
  if (!closed) return runtime_error(closed.error());
  if (flags.echo_only) {
    std::fwrite(reply->payload.data(), 1, reply->payload.size(), stdout);
    std::fflush(stdout);
    if (!closed->clean || closed->peer_code != ws::close_code::kNormal) {
      return runtime_error(net::Error{
          net::ErrorKind::bad_data, 0,
          fmt::format("websocket {}: echoed, but the closing handshake failed: peer code {} ({}){}",
                      url->to_string(), closed->peer_code, ws::close_code_name(closed->peer_code),
                      closed->clean ? "" : ", not clean")});
    }
    return 0;
  }
  fmt::print("echoed {} bytes ({}{}) from {} in {:.3f} ms: {}\n", reply->payload.size(),
             ws::opcode_name(opcode),
             fragment ? fmt::format(", {}-byte fragments", fragment) : std::string(),
             url->to_string(), ms, flags.binary ? "(binary)" : printable(reply->payload));
  fmt::print("closed: peer code {} ({}), {}\n", closed->peer_code,
             ws::close_code_name(closed->peer_code),
             closed->clean ? "clean" : "the server did not close its side in time");
  return 0;
}

}  // namespace

void register_ws_commands(CLI::App& app, int& exit_code) {
  auto* ws = app.add_subcommand("ws", "WebSocket (RFC 6455) echo server and client: serve, send");
  ws->require_subcommand(1);

  auto serve_flags = std::make_shared<WsServeFlags>();
  auto* serve = ws->add_subcommand(
      "serve",
      "Run the WebSocket echo server (text back as text, binary as binary) until\n"
      "SIGINT/SIGTERM, then close every connection with 1001 and print counters.\n"
      "Port 0 picks a free port; the URL is printed.");
  serve->add_option("--listen", serve_flags->listen, "listen address HOST:PORT")
      ->capture_default_str();
  serve
      ->add_option("--max-message", serve_flags->max_message,
                   "largest frame and message (1B to 1GiB); over it: close 1009")
      ->capture_default_str();
  serve
      ->add_option("--ping-interval", serve_flags->ping_interval,
                   "ping a connection silent this long (0: no keepalive)")
      ->capture_default_str();
  serve
      ->add_option("--pong-timeout", serve_flags->pong_timeout,
                   "close (1001) a connection whose pong does not come in time")
      ->capture_default_str();
  serve
      ->add_option("--close-timeout", serve_flags->close_timeout,
                   "how long a peer has to answer a close and to close its side")
      ->capture_default_str();
  serve
      ->add_option("--max-connections", serve_flags->max_connections,
                   "connections beyond this are closed at once (1 to 1000000)")
      ->transform(whole_number_check(1, 1'000'000))
      ->capture_default_str();
  serve->add_option("--subprotocol", serve_flags->subprotocols,
                    "a subprotocol to accept (repeatable, in order of preference)");
  serve->callback([serve_flags, &exit_code] { exit_code = run_serve(*serve_flags); });

  auto send_flags = std::make_shared<WsSendFlags>();
  auto* send = ws->add_subcommand(
      "send",
      "Open a WebSocket to URL, send MESSAGE, check that the same message comes back,\n"
      "and close (close frames both ways).");
  send->add_option("MESSAGE", send_flags->message,
                   "the message (UTF-8 text unless --binary); - reads it from standard input")
      ->required();
  send->add_option("--to", send_flags->to, "server URL ws://HOST:PORT/path")->required();
  send->add_flag("--binary", send_flags->binary, "send a binary message instead of text");
  send->add_option("--fragment", send_flags->fragment,
                   "send the message in frames of this many payload bytes (e.g. 1, 4KiB)");
  send->add_option("--timeout", send_flags->timeout, "connect, reply and close timeout")
      ->capture_default_str();
  send->add_option("--subprotocol", send_flags->subprotocols,
                   "a subprotocol to offer (repeatable)");
  send->add_flag("--echo-only", send_flags->echo_only,
                 "write only the echoed message's bytes to stdout (for scripts and\n"
                 "faultline suite --client-cmd); a close that is not clean fails");
  send->callback([send_flags, &exit_code] { exit_code = run_send(*send_flags); });
}

}  // namespace faultline::cli
