// fuzz/http_client_fuzzer.cpp: the whole http::client::Session against a
// server that answers with fuzzer bytes, in the simulated network, through
// a fuzzer-chosen fault schedule.
//
// Input: [config][schedule (fuzz/fault_schedule.h), up to 3 clauses]
//        [script: pieces, then (size, delay) per piece][response bytes: the rest]
//   config  bits 0-1 method (GET, HEAD, POST with a body, DELETE); bits 2-3
//           max_retries (0-3); bit 4 follow redirects; bit 5 a keep-alive pool
//           (else Connection: close); bits 6-7 what the server does after
//           its last piece: 0 close, 1 nothing (the client must time out),
//           2 reset, 3 close and answer before the request arrives
//   script  bits 0-3 the number of pieces the response goes out in (the last
//           one takes the rest); per piece a size byte and a delay byte (ms)
// Every connection (retries and redirects open more) gets the same script.
//
// Properties: the request ends in a response or in an error whose kind is a
// named client error and whose message names the method; a response respects
// the session limits (small here, so memory stays bounded); the call ends
// inside the total timeout in virtual time; the same input gives the same
// outcome and the same simulation trace.
// Dictionary: corpus/dict/http.dict
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "fuzz/fault_schedule.h"
#include "harness/sim/network.h"
#include "targets/http/client/session.h"

namespace {

namespace fuzz = faultline::fuzz;
namespace sim = faultline::sim;
namespace net = faultline::net;
namespace client = faultline::http::client;
using std::chrono::milliseconds;

enum class Ending { close, stay_open, reset, close_early };

// Script: what the fuzzed server sends on each connection.
struct Script {
  std::vector<std::string> pieces;
  std::vector<milliseconds> delays;  // before each piece
  Ending ending = Ending::close;
};

// ScriptedPeer: sends the script's pieces, each after its delay, once the
// request's first bytes arrive (or at once for Ending::close_early).
class ScriptedPeer final : public sim::Peer {
 public:
  explicit ScriptedPeer(std::shared_ptr<const Script> script) : script_(std::move(script)) {}

  void on_open(sim::Endpoint& endpoint) override {
    if (script_->ending == Ending::close_early) start(endpoint);
  }
  void on_data(sim::Endpoint& endpoint, std::string_view) override { start(endpoint); }
  void on_end(sim::Endpoint&, faultline::fault::EndKind) override { ended_ = true; }

 private:
  void start(sim::Endpoint& endpoint) {
    if (started_) return;
    started_ = true;
    send_from(endpoint, 0);
  }
  void send_from(sim::Endpoint& endpoint, std::size_t index) {
    if (ended_) return;
    if (index == script_->pieces.size()) {
      if (script_->ending == Ending::reset) endpoint.reset();
      if (script_->ending == Ending::close || script_->ending == Ending::close_early) {
        endpoint.close();
      }
      return;
    }
    endpoint.after(script_->delays[index], [this, &endpoint, index] {
      if (ended_) return;
      endpoint.send(script_->pieces[index]);
      send_from(endpoint, index + 1);
    });
  }

  std::shared_ptr<const Script> script_;
  bool started_ = false;
  bool ended_ = false;
};

struct Outcome {
  net::Result<client::Response> result;
  net::TimePoint elapsed{};
  std::uint64_t trace_hash = 0;
};

constexpr const char* kMethods[] = {"GET", "HEAD", "POST", "DELETE"};
constexpr net::Duration kTotalTimeout = std::chrono::seconds(10);

client::SessionOptions session_options(std::uint8_t config) {
  client::SessionOptions options;
  options.base_url = "http://server";
  options.timeouts.connect = std::chrono::seconds(1);
  options.timeouts.read = std::chrono::seconds(2);
  options.timeouts.total = kTotalTimeout;
  options.retry.max_retries = (config >> 2) & 0x03;
  options.retry.backoff_base = milliseconds(10);
  options.retry.backoff_max = milliseconds(200);
  options.follow_redirects = (config & 0x10) != 0;
  options.max_redirects = 3;
  options.limits.max_header_bytes = 512;
  options.limits.max_header_count = 16;
  options.limits.max_body_bytes = 1024;
  options.limits.max_informational = 4;
  if ((config & 0x20) == 0) options.pool.max_idle_per_host = 0;
  return options;
}

Outcome run(std::uint8_t config, const fuzz::Schedule& schedule,
            const std::shared_ptr<const Script>& script) {
  sim::Network network(/*seed=*/1, schedule.profile);
  network.listen("server", 80, [script] { return std::make_unique<ScriptedPeer>(script); });
  client::Session session(network.dialer(), session_options(config));
  const net::TimePoint start = network.now();
  client::RequestOptions request;
  const char* method = kMethods[config & 0x03];
  if (method == std::string_view("POST")) request.data = "hello";
  Outcome outcome{session.request(method, "/fuzz", request), network.now() - start, 0};
  outcome.trace_hash = network.trace_hash();
  return outcome;
}

std::string describe(const Outcome& outcome) {
  std::string out;
  if (outcome.result) {
    const client::Response& r = *outcome.result;
    out = "response " + std::to_string(r.status) + " \"" + fuzz::escape(r.reason) + "\", " +
          std::to_string(r.headers.size()) + " headers, body \"" + fuzz::escape(r.body, 64) +
          "\", " + std::to_string(r.history.size()) + " redirects";
  } else {
    out = "error " + outcome.result.error().to_string();
  }
  return out + ", " + std::to_string(outcome.elapsed.count()) + "ns virtual, trace " +
         std::to_string(outcome.trace_hash);
}

bool is_client_error(net::ErrorKind kind) {
  using net::ErrorKind;
  switch (kind) {
    case ErrorKind::timeout:
    case ErrorKind::refused:
    case ErrorKind::reset:
    case ErrorKind::closed:
    case ErrorKind::too_large:
    case ErrorKind::bad_data:
    case ErrorKind::too_many_redirects:
    case ErrorKind::invalid_argument:  // a redirect to https
      return true;
    default:
      return false;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::FuzzInput input(data, size);
  const std::uint8_t config = input.byte();
  const fuzz::Schedule schedule = fuzz::read_schedule(input, 3, "http_client_fuzzer");
  auto script = std::make_shared<Script>();
  script->ending = static_cast<Ending>(config >> 6);
  const int pieces = input.byte() % 16;
  std::vector<std::pair<std::uint8_t, std::uint8_t>> shape;
  for (int i = 0; i < pieces; ++i) {
    const std::uint8_t piece_size = input.byte();
    shape.emplace_back(piece_size, input.byte());
  }
  const std::string_view response = input.rest();
  std::size_t from = 0;
  for (std::size_t i = 0; i < shape.size(); ++i) {
    const bool last = i + 1 == shape.size();
    const std::size_t length = last ? response.size() - from
                                    : std::min<std::size_t>(shape[i].first, response.size() - from);
    script->pieces.emplace_back(response.substr(from, length));
    script->delays.push_back(milliseconds(shape[i].second));
    from += length;
  }
  if (shape.empty()) {
    script->pieces.emplace_back(response);
    script->delays.push_back(milliseconds(0));
  }

  const Outcome outcome = run(config, schedule, script);
  const std::string method = kMethods[config & 0x03];
  const std::string context = "method " + method + " profile \"" + schedule.text +
                              "\" response \"" + fuzz::escape(response) + "\"\n" +
                              describe(outcome);
  auto fail = [&](std::string_view property, const std::string& detail = {}) {
    fuzz::property_failed("http_client_fuzzer", property, detail + context);
  };
  if (outcome.result) {
    const client::Response& r = *outcome.result;
    if (r.status > 999 || (r.status < 200 && r.status != 101)) {
      fail("a final response with an informational or impossible status");
    }
    if (r.body.size() > 1024 || r.headers.size() > 16 || r.history.size() > 3) {
      fail("a response over the session limits");
    }
    if (method == "HEAD" && !r.body.empty()) fail("a response to HEAD with a body");
  } else {
    const net::Error& error = outcome.result.error();
    if (!is_client_error(error.kind)) fail("an error of an unexpected kind");
    // A 301/302/303 redirect turns the request into a GET (HEAD stays HEAD):
    // the error names the hop that failed.
    const bool names_request = error.message.starts_with(method + " ") ||
                               (method != "HEAD" && error.message.starts_with("GET "));
    if (!names_request) fail("the error does not name the request");
  }
  if (outcome.elapsed > kTotalTimeout) fail("the call outlived its total timeout");

  const Outcome again = run(config, schedule, script);
  if (describe(again) != describe(outcome)) {
    fail("not deterministic", "the second run gave " + describe(again) + "\n");
  }
  return 0;
}
