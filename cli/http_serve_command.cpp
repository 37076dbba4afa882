// cli/http_serve_command.cpp: `faultline http serve`: the reference HTTP/1.1
// server with the httpbin-like endpoints, until SIGINT/SIGTERM; HTTPS with
// --tls-cert FILE --tls-key FILE.
#include <signal.h>

#include <charconv>
#include <cstdio>
#include <memory>
#include <string>

#include <fmt/core.h>

#include "cli/flags.h"
#include "cli/http_commands.h"
#include "cli/tls_flags.h"
#include "targets/http/server/server.h"
#include "targets/net/duration.h"

namespace faultline::cli {
namespace {

struct HttpServeFlags {
  std::string listen = "127.0.0.1:8080";
  std::string idle_timeout = "60s";
  std::string header_timeout = "10s";
  std::string body_timeout = "60s";
  std::string max_connections = "1024";
  std::string max_body = "8MiB";
  std::string tls_cert;
  std::string tls_key;
};

int run_serve(const HttpServeFlags& flags) {
  auto listen = net::Address::parse(flags.listen);
  if (!listen) return usage_error("--listen: " + listen.error().message);
  auto idle = positive_duration_flag("--idle-timeout", flags.idle_timeout);
  if (!idle) return usage_error(idle.error());
  auto header = positive_duration_flag("--header-timeout", flags.header_timeout);
  if (!header) return usage_error(header.error());
  auto body = positive_duration_flag("--body-timeout", flags.body_timeout);
  if (!body) return usage_error(body.error());
  std::size_t max_connections = 0;
  const std::string& count = flags.max_connections;
  auto [end, ec] = std::from_chars(count.data(), count.data() + count.size(), max_connections);
  if (ec != std::errc() || end != count.data() + count.size() || max_connections == 0) {
    return usage_error("--max-connections: expected a whole number of at least 1, got '" + count +
                       "'");
  }
  auto max_body = net::parse_size(flags.max_body);
  if (!max_body) return usage_error("--max-body: " + max_body.error().message);
  auto tls_context = server_tls_context(flags.tls_cert, flags.tls_key);
  if (!tls_context) return usage_error(tls_context.error());

  http::HttpServerOptions options;
  options.listen = *listen;
  options.max_connections = max_connections;
  options.session.idle_timeout = *idle;
  options.session.header_timeout = *header;
  options.session.body_timeout = *body;
  options.session.limits.max_body_bytes = *max_body;
  options.tls = std::move(*tls_context);

  sigset_t signals = block_shutdown_signals();
  http::HttpServer server(options);
  if (auto started = server.start(); !started) return runtime_error(started.error());
  fmt::print("faultline http: listening on {}://{}\n", options.tls ? "https" : "http",
             server.address().to_string());
  std::fflush(stdout);

  int signal_number = 0;
  sigwait(&signals, &signal_number);
  fmt::print("faultline http: {} received, draining\n",
             signal_number == SIGINT ? "SIGINT" : "SIGTERM");
  std::fflush(stdout);
  server.stop();
  auto c = server.counters();
  fmt::print(
      "faultline http: connections accepted={} rejected={}; requests={}; responses 1xx={} "
      "2xx={} 3xx={} 4xx={} 5xx={}; parse_errors={}; timeouts idle={} header={} body={} "
      "send={}; bytes_in={} bytes_out={}\n",
      c.connections_accepted, c.connections_rejected, c.requests, c.responses_1xx, c.responses_2xx,
      c.responses_3xx, c.responses_4xx, c.responses_5xx, c.parse_errors, c.idle_timeouts,
      c.header_timeouts, c.body_timeouts, c.send_timeouts, c.bytes_received, c.bytes_sent);
  std::fflush(stdout);
  return 0;
}

}  // namespace

void register_http_serve_command(CLI::App& http, int& exit_code) {
  auto flags = std::make_shared<HttpServeFlags>();
  auto* serve = http.add_subcommand(
      "serve",
      "Run the reference HTTP/1.1 server (httpbin-like endpoints: /get /post /put /patch\n"
      "/delete /anything /headers /status/N /delay/S /bytes/N?seed=S /stream/N /chunked/N\n"
      "/redirect/N /redirect-to) until SIGINT/SIGTERM, then drain and print counters.\n"
      "Port 0 picks a free port; the URL is printed.");
  serve->add_option("--listen", flags->listen, "listen address HOST:PORT")
      ->type_name("HOST:PORT")
      ->capture_default_str();
  serve
      ->add_option("--idle-timeout", flags->idle_timeout,
                   "close keep-alive connections with no request for this long")
      ->type_name("DURATION")
      ->capture_default_str();
  serve
      ->add_option("--header-timeout", flags->header_timeout,
                   "a request's header section must complete this long after its first byte "
                   "(else 408)")
      ->type_name("DURATION")
      ->capture_default_str();
  serve
      ->add_option("--body-timeout", flags->body_timeout,
                   "a request's body must complete this long after its header section (else 408)")
      ->type_name("DURATION")
      ->capture_default_str();
  serve
      ->add_option("--max-connections", flags->max_connections,
                   "connections beyond this get 503 and are closed")
      ->type_name("N")
      ->capture_default_str();
  serve->add_option("--max-body", flags->max_body, "largest request body (else 413), e.g. 1MiB")
      ->type_name("SIZE")
      ->capture_default_str();
  serve->add_option("--tls-cert", flags->tls_cert,
                    "serve HTTPS with this PEM certificate chain (needs --tls-key)")
      ->type_name("FILE");
  serve->add_option("--tls-key", flags->tls_key, "the PEM private key for --tls-cert")
      ->type_name("FILE");
  // Unknown flags come here too (rather than failing in CLI11 with its own
  // exit code), so every bad flag exits 2 with its name.
  serve->allow_extras();
  serve->callback([flags, serve, &exit_code] {
    if (auto extras = serve->remaining(); !extras.empty()) {
      exit_code = usage_error("http serve: unexpected argument '" + extras.front() + "'");
      return;
    }
    exit_code = run_serve(*flags);
  });
}

}  // namespace faultline::cli
