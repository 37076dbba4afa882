// bench/http_client_bench.cpp: HTTP client requests per second on loopback,
// against the reference server (in process, port 0) on GET /get.
//
// Peers in one run, so results read as ratios:
//   SessionKeepAlive        our Session, pooled connection reused
//   SessionNewConnection    our Session with the pool off: dial, request,
//                           Connection: close, per request
//   CurlKeepAlive           libcurl, one easy handle reused (its own pool):
//                           the client a user would pick instead
//   CurlNewConnection       libcurl with CURLOPT_FRESH_CONNECT + FORBID_REUSE
// items_per_second = complete responses per second (status 200 checked).
#include <benchmark/benchmark.h>

#include <memory>
#include <string>

#ifdef FAULTLINE_HAVE_CURL
#include <curl/curl.h>
#endif

#include "targets/http/client/session.h"
#include "targets/http/server/server.h"

namespace faultline::http {
namespace {

// reference_server: one server for the whole run (started on first use).
const std::string& reference_url() {
  static std::unique_ptr<HttpServer> server;
  static const std::string url = [] {
    HttpServerOptions options;
    options.listen = net::Address::loopback(0);
    server = std::make_unique<HttpServer>(options);
    if (auto started = server->start(); !started) {
      std::fprintf(stderr, "http_client_bench: %s\n", started.error().to_string().c_str());
      std::abort();
    }
    return "http://" + server->address().to_string() + "/get";
  }();
  return url;
}

void run_session(benchmark::State& state, client::SessionOptions options) {
  const std::string& url = reference_url();
  client::Session session(options);
  for (auto _ : state) {
    auto response = session.get(url);
    if (!response || response->status != 200) {
      state.SkipWithError(response ? "status is not 200" : response.error().to_string().c_str());
      break;
    }
    benchmark::DoNotOptimize(response->body.data());
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["connections"] = static_cast<double>(session.counters().connections_opened);
}

void BM_SessionKeepAlive(benchmark::State& state) {
  run_session(state, {});
}

void BM_SessionNewConnection(benchmark::State& state) {
  client::SessionOptions options;
  options.pool.max_idle_per_host = 0;
  run_session(state, options);
}

BENCHMARK(BM_SessionKeepAlive)->UseRealTime();
BENCHMARK(BM_SessionNewConnection)->UseRealTime();

#ifdef FAULTLINE_HAVE_CURL

std::size_t append_body(char* data, std::size_t size, std::size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

void run_curl(benchmark::State& state, bool fresh_connection) {
  const std::string& url = reference_url();
  CURL* curl = curl_easy_init();
  std::string body;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, append_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(curl, CURLOPT_USERAGENT, "faultline/0.1");
  curl_easy_setopt(curl, CURLOPT_TCP_NODELAY, 1L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  if (fresh_connection) {
    curl_easy_setopt(curl, CURLOPT_FRESH_CONNECT, 1L);
    curl_easy_setopt(curl, CURLOPT_FORBID_REUSE, 1L);
  }
  for (auto _ : state) {
    body.clear();
    CURLcode code = curl_easy_perform(curl);
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    if (code != CURLE_OK || status != 200) {
      state.SkipWithError(code != CURLE_OK ? curl_easy_strerror(code) : "status is not 200");
      break;
    }
    benchmark::DoNotOptimize(body.data());
  }
  curl_easy_cleanup(curl);
  state.SetItemsProcessed(state.iterations());
}

void BM_CurlKeepAlive(benchmark::State& state) {
  run_curl(state, false);
}
void BM_CurlNewConnection(benchmark::State& state) {
  run_curl(state, true);
}

BENCHMARK(BM_CurlKeepAlive)->UseRealTime();
BENCHMARK(BM_CurlNewConnection)->UseRealTime();

#endif  // FAULTLINE_HAVE_CURL

}  // namespace
}  // namespace faultline::http

BENCHMARK_MAIN();
