// bench/http_parser_bench.cpp: our llhttp wrapper against raw llhttp, on the
// same bytes in the same run, so the results read as a ratio.
//
//   raw llhttp:   llhttp_execute with no callbacks at all (the floor: pure scanning)
//   our wrapper:  http::Parser building owned Messages and popping them
//
// Inputs: a browser-like GET with 11 headers, pipelined N times in one buffer,
// and a response with a 16 KiB Content-Length body. Both parsers live across
// iterations, as on a keep-alive connection.
//
//   build/bench/http_parser_bench --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>
#include <llhttp.h>

#include <cstdlib>
#include <string>

#include "targets/http/parser.h"

namespace {

using faultline::http::Message;
using faultline::http::MessageType;
using faultline::http::Parser;

const std::string kBrowserGet =
    "GET /search?q=faultline&lang=en HTTP/1.1\r\n"
    "Host: www.example.com\r\n"
    "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/115.0\r\n"
    "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;"
    "q=0.8\r\n"
    "Accept-Language: en-US,en;q=0.5\r\n"
    "Accept-Encoding: gzip, deflate, br\r\n"
    "Referer: https://www.example.com/\r\n"
    "Connection: keep-alive\r\n"
    "Cookie: session=0123456789abcdef; theme=dark; consent=yes\r\n"
    "Upgrade-Insecure-Requests: 1\r\n"
    "Sec-Fetch-Dest: document\r\n"
    "Sec-Fetch-Mode: navigate\r\n"
    "\r\n";

std::string pipelined_gets(int count) {
  std::string out;
  for (int i = 0; i < count; ++i)
    out += kBrowserGet;
  return out;
}

std::string response_with_body(std::size_t body_size) {
  std::string body(body_size, 'x');
  for (std::size_t i = 0; i < body.size(); i += 64)
    body[i] = '\n';  // a text-like body
  return "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " +
         std::to_string(body_size) + "\r\nCache-Control: no-cache\r\n\r\n" + body;
}

void run_raw(benchmark::State& state, llhttp_type_t type, const std::string& input,
             int messages_per_input) {
  llhttp_settings_t settings{};  // every callback null
  llhttp_t parser;
  llhttp_init(&parser, type, &settings);
  for (auto _ : state) {
    llhttp_errno_t status = llhttp_execute(&parser, input.data(), input.size());
    if (status != HPE_OK) {
      state.SkipWithError(llhttp_errno_name(status));
      break;
    }
    benchmark::DoNotOptimize(parser.status_code);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(input.size()));
  state.SetItemsProcessed(state.iterations() * messages_per_input);
}

void run_wrapper(benchmark::State& state, MessageType type, const std::string& input,
                 int messages_per_input) {
  faultline::http::ParserOptions options;
  options.limits.max_pending_messages = static_cast<std::size_t>(messages_per_input) + 1;
  Parser parser(type, options);
  for (auto _ : state) {
    if (auto fed = parser.feed(input); !fed) {
      state.SkipWithError(fed.error().to_string().c_str());
      break;
    }
    while (std::optional<Message> message = parser.next())
      benchmark::DoNotOptimize(message);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(input.size()));
  state.SetItemsProcessed(state.iterations() * messages_per_input);
}

void BM_PipelinedGet_RawLlhttp(benchmark::State& state) {
  const int count = static_cast<int>(state.range(0));
  run_raw(state, HTTP_REQUEST, pipelined_gets(count), count);
}

void BM_PipelinedGet_Wrapper(benchmark::State& state) {
  const int count = static_cast<int>(state.range(0));
  run_wrapper(state, MessageType::request, pipelined_gets(count), count);
}

void BM_Response16KiB_RawLlhttp(benchmark::State& state) {
  run_raw(state, HTTP_RESPONSE, response_with_body(16 * 1024), 1);
}

void BM_Response16KiB_Wrapper(benchmark::State& state) {
  run_wrapper(state, MessageType::response, response_with_body(16 * 1024), 1);
}

BENCHMARK(BM_PipelinedGet_RawLlhttp)->Arg(1)->Arg(16)->Arg(128);
BENCHMARK(BM_PipelinedGet_Wrapper)->Arg(1)->Arg(16)->Arg(128);
BENCHMARK(BM_Response16KiB_RawLlhttp);
BENCHMARK(BM_Response16KiB_Wrapper);

}  // namespace

BENCHMARK_MAIN();
