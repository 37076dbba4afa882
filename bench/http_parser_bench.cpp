// bench/http_parser_bench.cpp: our llhttp wrapper against raw llhttp, on the
// same bytes in the same run, so the results read as a ratio.
//
//   raw llhttp:   llhttp_execute with no callbacks at all (the floor: pure scanning)
//   RawSpans:     llhttp_execute with the least a consumer of the message
//                 needs: callbacks that keep (pointer, length) of the target,
//                 each header name and value, and the body (no checks, no
//                 joining of split tokens): the floor for any zero-copy API
//   Wrapper:      http::Parser::next(), owned Messages (every string copied)
//   View:         http::Parser::next_view() with borrow_input: MessageViews
//                 into the input, nothing copied (the zero-copy path)
//   Sink:         (16 KiB response) next_view() with a body sink that only
//                 counts the body's bytes
//
// alloc_bytes_per_msg: bytes the process allocated (operator new) per
// parsed message in the timed loop (alloc_counter.h).
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

#include "bench/alloc_counter.h"
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

// Spans: what the RawSpans callbacks keep of the last message.
struct Spans {
  std::string_view target;
  std::string_view names[32];
  std::string_view values[32];
  std::size_t lines = 0;
  std::string_view body;
};

Spans& spans_of(llhttp_t* parser) {
  return *static_cast<Spans*>(parser->data);
}

void run_raw_spans(benchmark::State& state, llhttp_type_t type, const std::string& input,
                   int messages_per_input) {
  llhttp_settings_t settings{};
  settings.on_message_begin = [](llhttp_t* p) {
    spans_of(p).lines = 0;
    return 0;
  };
  settings.on_url = [](llhttp_t* p, const char* at, std::size_t n) {
    spans_of(p).target = std::string_view(at, n);
    return 0;
  };
  settings.on_header_field = [](llhttp_t* p, const char* at, std::size_t n) {
    Spans& spans = spans_of(p);
    spans.names[spans.lines % 32] = std::string_view(at, n);
    return 0;
  };
  settings.on_header_value = [](llhttp_t* p, const char* at, std::size_t n) {
    Spans& spans = spans_of(p);
    spans.values[spans.lines % 32] = std::string_view(at, n);
    return 0;
  };
  settings.on_header_value_complete = [](llhttp_t* p) {
    ++spans_of(p).lines;
    return 0;
  };
  settings.on_body = [](llhttp_t* p, const char* at, std::size_t n) {
    spans_of(p).body = std::string_view(at, n);
    return 0;
  };
  Spans spans;
  llhttp_t parser;
  llhttp_init(&parser, type, &settings);
  parser.data = &spans;
  for (auto _ : state) {
    llhttp_errno_t status = llhttp_execute(&parser, input.data(), input.size());
    if (status != HPE_OK) {
      state.SkipWithError(llhttp_errno_name(status));
      break;
    }
    benchmark::DoNotOptimize(spans);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(input.size()));
  state.SetItemsProcessed(state.iterations() * messages_per_input);
}

enum class Pop { owned, view, view_with_sink };

void run_wrapper(benchmark::State& state, MessageType type, const std::string& input,
                 int messages_per_input, Pop pop = Pop::owned) {
  faultline::http::ParserOptions options;
  options.limits.max_pending_messages = static_cast<std::size_t>(messages_per_input) + 1;
  options.borrow_input = pop != Pop::owned;
  Parser parser(type, options);
  std::uint64_t sunk = 0;
  if (pop == Pop::view_with_sink) {
    parser.set_body_sink([&sunk](std::string_view piece, bool) { sunk += piece.size(); });
  }
  const faultline::bench::AllocCount before = faultline::bench::alloc_count();
  for (auto _ : state) {
    if (auto fed = parser.feed(input); !fed) {
      state.SkipWithError(fed.error().to_string().c_str());
      break;
    }
    if (pop == Pop::owned) {
      while (std::optional<Message> message = parser.next())
        benchmark::DoNotOptimize(message);
    } else {
      while (std::optional<faultline::http::MessageView> message = parser.next_view())
        benchmark::DoNotOptimize(message);
    }
  }
  const faultline::bench::AllocCount spent = faultline::bench::alloc_count() - before;
  benchmark::DoNotOptimize(sunk);
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(input.size()));
  state.SetItemsProcessed(state.iterations() * messages_per_input);
  const double messages = static_cast<double>(state.iterations()) * messages_per_input;
  state.counters["alloc_bytes_per_msg"] = static_cast<double>(spent.bytes) / messages;
  state.counters["allocs_per_msg"] = static_cast<double>(spent.calls) / messages;
}

void BM_PipelinedGet_RawLlhttp(benchmark::State& state) {
  const int count = static_cast<int>(state.range(0));
  run_raw(state, HTTP_REQUEST, pipelined_gets(count), count);
}

void BM_PipelinedGet_RawSpans(benchmark::State& state) {
  const int count = static_cast<int>(state.range(0));
  run_raw_spans(state, HTTP_REQUEST, pipelined_gets(count), count);
}

void BM_PipelinedGet_Wrapper(benchmark::State& state) {
  const int count = static_cast<int>(state.range(0));
  run_wrapper(state, MessageType::request, pipelined_gets(count), count);
}

void BM_PipelinedGet_View(benchmark::State& state) {
  const int count = static_cast<int>(state.range(0));
  run_wrapper(state, MessageType::request, pipelined_gets(count), count, Pop::view);
}

void BM_Response16KiB_RawLlhttp(benchmark::State& state) {
  run_raw(state, HTTP_RESPONSE, response_with_body(16 * 1024), 1);
}

void BM_Response16KiB_RawSpans(benchmark::State& state) {
  run_raw_spans(state, HTTP_RESPONSE, response_with_body(16 * 1024), 1);
}

void BM_Response16KiB_Wrapper(benchmark::State& state) {
  run_wrapper(state, MessageType::response, response_with_body(16 * 1024), 1);
}

void BM_Response16KiB_View(benchmark::State& state) {
  run_wrapper(state, MessageType::response, response_with_body(16 * 1024), 1, Pop::view);
}

void BM_Response16KiB_Sink(benchmark::State& state) {
  run_wrapper(state, MessageType::response, response_with_body(16 * 1024), 1,
              Pop::view_with_sink);
}

BENCHMARK(BM_PipelinedGet_RawLlhttp)->Arg(1)->Arg(16)->Arg(128);
BENCHMARK(BM_PipelinedGet_RawSpans)->Arg(1)->Arg(16)->Arg(128);
BENCHMARK(BM_PipelinedGet_Wrapper)->Arg(1)->Arg(16)->Arg(128);
BENCHMARK(BM_PipelinedGet_View)->Arg(1)->Arg(16)->Arg(128);
BENCHMARK(BM_Response16KiB_RawLlhttp);
BENCHMARK(BM_Response16KiB_RawSpans);
BENCHMARK(BM_Response16KiB_Wrapper);
BENCHMARK(BM_Response16KiB_View);
BENCHMARK(BM_Response16KiB_Sink);

}  // namespace

BENCHMARK_MAIN();
