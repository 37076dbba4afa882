// cli/http_client_command.cpp: `faultline http get|post|put|patch|delete|head
// URL`: one request through the client session (targets/http/client), printed
// as status line, headers, a blank line and the body (JSON pretty-printed).
//
//   faultline http get 127.0.0.1:8080/get --param key=value
//   faultline http post http://127.0.0.1:8080/post --json '{"name": "Python"}'
//   faultline http get https://localhost:8443/get --cacert pki/ca.pem
//
// https:// URLs verify the server (chain, host name, dates) against the
// system CA store, or --cacert FILE; --insecure turns verification off and
// says so on stderr.
//
// Exit status: 0 for any response (a 404 or a 500 is still a response), 1
// with a one-line error naming its kind when no response came, 2 on bad usage.
// With --fail, a 4xx or 5xx response prints one line on stderr instead of the
// response and exits 22, as curl --fail does.
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "cli/flags.h"
#include "cli/http_commands.h"
#include "cli/tls_flags.h"
#include "targets/http/client/session.h"
#include "targets/net/duration.h"

namespace faultline::cli {
namespace {

namespace client = http::client;

struct HttpClientFlags {
  std::string url;
  std::vector<std::string> params;
  std::vector<std::string> headers;
  std::string json;
  std::string data;
  std::string content_type;
  std::string timeout = "10s";
  std::string total_timeout = "60s";
  int retries = 0;
  int max_redirects = 10;
  bool no_redirects = false;
  bool fail = false;
  std::string cacert;
  bool insecure = false;
};

// The exit status of a 4xx/5xx response under --fail (curl's).
constexpr int kHttpErrorExit = 22;

// Framing headers describe the body the session itself frames; a user's
// value would contradict it (request smuggling, in the worst case).
bool is_framing_header(std::string_view name) {
  auto equals = [name](std::string_view framing) {
    if (name.size() != framing.size()) return false;
    for (std::size_t i = 0; i < name.size(); ++i) {
      char c = name[i];
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      if (c != framing[i]) return false;
    }
    return true;
  };
  return equals("content-length") || equals("transfer-encoding");
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t'))
    text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t'))
    text.remove_suffix(1);
  return text;
}

void print_response(const client::Response& response) {
  fmt::print("HTTP/{}.{} {} {}\n", response.version_major, response.version_minor, response.status,
             response.reason);
  for (const http::Header& header : response.headers) {
    fmt::print("{}: {}\n", header.name, header.value);
  }
  fmt::print("\n");
  if (response.is_json()) {
    if (auto json = response.json()) {
      fmt::print("{}\n", json->dump(2, ' ', false, nlohmann::json::error_handler_t::replace));
      return;
    }
  }
  // Anything else goes out byte for byte.
  std::fflush(stdout);
  std::fwrite(response.body.data(), 1, response.body.size(), stdout);
}

int run_request(const std::string& method, const HttpClientFlags& flags) {
  client::RequestOptions request;
  for (const std::string& param : flags.params) {
    const auto equals = param.find('=');
    if (equals == std::string::npos) {
      return usage_error("--param: expected KEY=VALUE, got '" + param + "'");
    }
    request.params.emplace_back(param.substr(0, equals), param.substr(equals + 1));
  }
  for (const std::string& header : flags.headers) {
    const auto colon = header.find(':');
    if (colon == std::string::npos || trim(std::string_view(header).substr(0, colon)).empty()) {
      return usage_error("--header: expected 'NAME: VALUE', got '" + header + "'");
    }
    const std::string_view name = trim(std::string_view(header).substr(0, colon));
    if (is_framing_header(name)) {
      return usage_error("--header: '" + std::string(name) +
                         "' is set from the body (--json/--data); it cannot be given by hand");
    }
    request.headers.push_back({std::string(trim(std::string_view(header).substr(0, colon))),
                               std::string(trim(std::string_view(header).substr(colon + 1)))});
  }
  if (!flags.json.empty() && !flags.data.empty()) {
    return usage_error("give --json or --data, not both");
  }
  if (!flags.json.empty()) {
    // Parsed with exceptions for the reason and position, caught right here.
    try {
      request.json = nlohmann::json::parse(flags.json);
    } catch (const nlohmann::json::parse_error& error) {
      std::string what = error.what();
      // Drop nlohmann's "[json.exception.parse_error.101] " prefix.
      if (auto bracket = what.find("] "); bracket != std::string::npos) what.erase(0, bracket + 2);
      return usage_error(fmt::format("--json: not valid JSON: {}", what));
    }
    if (request.json.is_null()) {
      // The session takes a null json as "no JSON body": send the text itself.
      request.json = nullptr;
      request.data = flags.json;
      request.content_type = "application/json";
    }
  }
  if (!flags.data.empty()) request.data = flags.data;
  if (!flags.content_type.empty()) request.content_type = flags.content_type;
  if (flags.retries < 0) return usage_error("--retries: must be 0 or more");
  if (flags.max_redirects < 0) return usage_error("--max-redirects: must be 0 or more");
  auto timeout = positive_duration_flag("--timeout", flags.timeout);
  if (!timeout) return usage_error(timeout.error());
  auto total = positive_duration_flag("--total-timeout", flags.total_timeout);
  if (!total) return usage_error(total.error());

  client::SessionOptions options;
  options.timeouts = {.connect = *timeout, .read = *timeout, .total = *total};
  options.retry.max_retries = flags.retries;
  options.max_redirects = flags.max_redirects;
  options.follow_redirects = !flags.no_redirects;
  if (!flags.cacert.empty() || flags.insecure) {
    auto context = client_tls_context(flags.cacert, flags.insecure, "http/1.1");
    if (!context) return usage_error(context.error());
    options.tls = std::move(*context);
  }
  client::Session session(options);

  // A URL without a scheme is taken as http://, as curl does.
  const std::string url =
      flags.url.find("://") == std::string::npos ? "http://" + flags.url : flags.url;
  if (auto resolved = session.resolve_url(url, request.params); !resolved) {
    return usage_error("URL: " + resolved.error().message);
  }
  auto response = session.request(method, url, request);
  if (!response) return runtime_error(response.error());
  if (flags.fail && response->status >= 400) {
    fmt::print(stderr, "faultline: error: http: {} {} {} {}\n", method, url, response->status,
               response->reason);
    return kHttpErrorExit;
  }
  print_response(*response);
  return 0;
}

void add_request_command(CLI::App& http, const std::string& name, const std::string& method,
                         bool with_body, int& exit_code) {
  auto flags = std::make_shared<HttpClientFlags>();
  auto* command = http.add_subcommand(
      name, fmt::format("Send {} URL and print the response (status line, headers, body)", method));
  command
      ->add_option("URL", flags->url,
                   "http://HOST:PORT/PATH or https://HOST:PORT/PATH (http:// may be left out)")
      ->required();
  command->add_option("--param", flags->params, "query parameter KEY=VALUE (repeatable)");
  command->add_option("--header", flags->headers, "request header 'NAME: VALUE' (repeatable)");
  if (with_body) {
    command->add_option("--json", flags->json,
                        "JSON body, sent with Content-Type: application/json");
    command->add_option("--data", flags->data, "raw body text");
    command->add_option("--content-type", flags->content_type, "Content-Type for --data");
  }
  command
      ->add_option("--timeout", flags->timeout,
                   "connect timeout, and the longest the server may stay silent")
      ->capture_default_str();
  command
      ->add_option("--total-timeout", flags->total_timeout,
                   "the whole request, retries and redirects included")
      ->capture_default_str();
  command
      ->add_option("--retries", flags->retries,
                   "retries after connect errors, resets, timeouts and 502/503/504 "
                   "(idempotent methods; backoff with jitter)")
      ->capture_default_str();
  command->add_option("--max-redirects", flags->max_redirects, "redirects to follow at most")
      ->capture_default_str();
  command->add_flag("--no-redirects", flags->no_redirects, "print a 3xx response as is");
  command->add_flag("--fail", flags->fail,
                    "a 4xx/5xx response prints one line on stderr and exits 22, as curl --fail\n"
                    "does (default: any response prints and exits 0)");
  command->add_option("--cacert", flags->cacert,
                      "https: trust this PEM CA file instead of the system store");
  command->add_flag("--insecure", flags->insecure,
                    "https: skip certificate verification (loudly; tests only)");
  command->callback([flags, method, &exit_code] { exit_code = run_request(method, *flags); });
}

}  // namespace

void register_http_client_commands(CLI::App& http, int& exit_code) {
  add_request_command(http, "get", "GET", /*with_body=*/false, exit_code);
  add_request_command(http, "post", "POST", /*with_body=*/true, exit_code);
  add_request_command(http, "put", "PUT", /*with_body=*/true, exit_code);
  add_request_command(http, "patch", "PATCH", /*with_body=*/true, exit_code);
  add_request_command(http, "delete", "DELETE", /*with_body=*/true, exit_code);
  add_request_command(http, "head", "HEAD", /*with_body=*/false, exit_code);
}

}  // namespace faultline::cli
