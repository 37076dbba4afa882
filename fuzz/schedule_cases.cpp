#include "fuzz/schedule_cases.h"

#include <algorithm>
#include <type_traits>
#include <variant>

#include "harness/sim/echo_workload.h"

namespace faultline::fuzz {
namespace {

using std::chrono::milliseconds;

bool is_printable(const std::string& text) {
  for (char c : text) {
    if (c < 0x20 || c > 0x7e || c == '\'') return false;
  }
  return !text.empty();
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

constexpr const char* kMethods[] = {"GET", "HEAD", "POST", "DELETE"};

// ScriptPeer: see make_script_peer.
class ScriptPeer final : public sim::Peer {
 public:
  explicit ScriptPeer(std::shared_ptr<const Script> script) : script_(std::move(script)) {}

  void on_open(sim::Endpoint& endpoint) override {
    if (script_->ending == ScriptEnding::close_early) start(endpoint);
  }
  void on_data(sim::Endpoint& endpoint, std::string_view) override { start(endpoint); }
  void on_end(sim::Endpoint&, fault::EndKind) override { ended_ = true; }

 private:
  void start(sim::Endpoint& endpoint) {
    if (started_) return;
    started_ = true;
    send_from(endpoint, 0);
  }
  void send_from(sim::Endpoint& endpoint, std::size_t index) {
    if (ended_) return;
    if (index == script_->pieces.size()) {
      if (script_->ending == ScriptEnding::reset) endpoint.reset();
      if (script_->ending == ScriptEnding::close || script_->ending == ScriptEnding::close_early) {
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

}  // namespace

Explanation explain(const fault::Profile& profile) {
  using net::ErrorKind;
  Explanation explanation;
  for (const auto& clause : profile.clauses()) {
    std::visit(
        [&](const auto& settings) {
          using T = std::decay_t<decltype(settings)>;
          if constexpr (std::is_same_v<T, fault::StallSettings>) {
            explanation.errors.insert(settings.close_after   ? ErrorKind::closed
                                      : settings.reset_after ? ErrorKind::reset
                                                             : ErrorKind::timeout);
          } else if constexpr (std::is_same_v<T, fault::ResetSettings>) {
            explanation.errors.insert(ErrorKind::reset);
          } else if constexpr (std::is_same_v<T, fault::LimitDataSettings> ||
                               std::is_same_v<T, fault::HalfCloseSettings>) {
            explanation.errors.insert(ErrorKind::closed);
          } else if constexpr (std::is_same_v<T, fault::CorruptSettings>) {
            explanation.may_corrupt = true;
          } else if constexpr (std::is_same_v<T, fault::DownSettings>) {
            if (settings.mode == fault::ConnectionPolicy::refuse) {
              explanation.errors.insert(ErrorKind::refused);
            } else if (settings.mode == fault::ConnectionPolicy::blackhole) {
              explanation.errors.insert(ErrorKind::timeout);
            }
          }
        },
        clause.settings);
  }
  return explanation;
}

// ---- echo_schedule ----

net::Result<EchoCase> read_echo_case(std::string_view bytes) {
  FuzzInput input(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
  auto schedule = make_schedule(input, 4);
  if (!schedule) return tl::unexpected(schedule.error());
  EchoCase echo;
  echo.schedule = std::move(*schedule);
  echo.seed = input.u64();
  echo.message = std::string(input.bytes(kEchoMaxMessage));
  return echo;
}

std::string describe(const EchoOutcome& outcome) {
  std::string out = outcome.reply ? "reply \"" + escape(*outcome.reply) + "\""
                                  : "error " + outcome.reply.error().to_string();
  if (!outcome.simulated) {
    return out + " after " +
           std::to_string(std::chrono::duration_cast<milliseconds>(outcome.elapsed).count()) +
           "ms on real sockets";
  }
  return out + " after " + std::to_string(outcome.elapsed.count()) + "ns virtual, " +
         std::to_string(outcome.events) + " events, trace " + std::to_string(outcome.trace_hash);
}

std::optional<Violation> check_echo(const std::string& message, const Explanation& explanation,
                                    const EchoOutcome& outcome, net::Duration deadline) {
  if (outcome.reply) {
    const std::string& reply = *outcome.reply;
    if (reply != message && !(explanation.may_corrupt && reply.size() == message.size())) {
      return Violation{"the reply differs from the message", ""};
    }
  } else {
    const net::Error& error = outcome.reply.error();
    if (error.message.empty()) return Violation{"an error without a message", ""};
    if (!explanation.allows(error.kind)) {
      return Violation{"no fault in the schedule explains the error's kind",
                       "kind: " + std::string(net::kind_name(error.kind)) + "\n"};
    }
  }
  if (outcome.elapsed > deadline) return Violation{"the outcome came after the deadline", ""};
  return std::nullopt;
}

namespace {

EchoOutcome run_echo_sim(const EchoCase& echo, const fault::Profile& profile) {
  const sim::EchoRun run =
      sim::run_echo_exchange(profile, echo.seed, echo.message, kEchoDeadline, /*keep_trace=*/false);
  return EchoOutcome{run.reply, run.elapsed, run.trace_hash, run.events, true};
}

}  // namespace

std::string echo_context(const EchoCase& echo, const fault::Profile& profile) {
  const std::string text = profile.to_string();
  return "profile \"" + text + "\" seed " + std::to_string(echo.seed) + " message \"" +
         escape(echo.message) + "\"\nreplay: faultline sim echo --seed " +
         std::to_string(echo.seed) + " --fault '" + text + "'" +
         (is_printable(echo.message) ? " --message '" + echo.message + "'" : "") + " --trace";
}

CaseRun run_echo_case(const EchoCase& echo, const fault::Profile& profile) {
  const EchoOutcome first = run_echo_sim(echo, profile);
  CaseRun run{describe(first), check_echo(echo.message, explain(profile), first, kEchoDeadline)};
  if (run.violation) return run;
  const EchoOutcome again = run_echo_sim(echo, profile);
  const bool same_outcome =
      first.reply.has_value() == again.reply.has_value() &&
      (first.reply ? *first.reply == *again.reply
                   : first.reply.error().kind == again.reply.error().kind &&
                         first.reply.error().message == again.reply.error().message);
  if (!same_outcome || first.trace_hash != again.trace_hash || first.elapsed != again.elapsed ||
      first.events != again.events) {
    run.violation = Violation{"not deterministic", "the second run gave " + describe(again) + "\n"};
  }
  return run;
}

// ---- http_client ----

net::Result<HttpClientCase> read_http_client_case(std::string_view bytes) {
  FuzzInput input(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
  HttpClientCase http;
  http.config = input.byte();
  auto schedule = make_schedule(input, 3);
  if (!schedule) return tl::unexpected(schedule.error());
  http.schedule = std::move(*schedule);
  auto script = std::make_shared<Script>();
  script->ending = static_cast<ScriptEnding>(http.config >> 6);
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
  http.script = std::move(script);
  http.response = std::string(response);
  return http;
}

std::string http_method(const HttpClientCase& http) {
  return kMethods[http.config & 0x03];
}

http::client::SessionOptions http_session_options(const HttpClientCase& http,
                                                  std::string base_url) {
  const std::uint8_t config = http.config;
  http::client::SessionOptions options;
  options.base_url = std::move(base_url);
  options.timeouts.connect = std::chrono::seconds(1);
  options.timeouts.read = std::chrono::seconds(2);
  options.timeouts.total = kHttpTotalTimeout;
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

std::unique_ptr<sim::Peer> make_script_peer(std::shared_ptr<const Script> script) {
  return std::make_unique<ScriptPeer>(std::move(script));
}

std::string describe(const HttpOutcome& outcome) {
  std::string out;
  if (outcome.result) {
    const http::client::Response& r = *outcome.result;
    out = "response " + std::to_string(r.status) + " \"" + escape(r.reason) + "\", " +
          std::to_string(r.headers.size()) + " headers, body \"" + escape(r.body, 64) + "\", " +
          std::to_string(r.history.size()) + " redirects";
  } else {
    out = "error " + outcome.result.error().to_string();
  }
  if (!outcome.simulated) {
    return out + ", " +
           std::to_string(std::chrono::duration_cast<milliseconds>(outcome.elapsed).count()) +
           "ms on real sockets";
  }
  return out + ", " + std::to_string(outcome.elapsed.count()) + "ns virtual, trace " +
         std::to_string(outcome.trace_hash);
}

std::optional<Violation> check_http_client(const HttpClientCase& http, const HttpOutcome& outcome,
                                           net::Duration slack) {
  const std::string method = http_method(http);
  if (outcome.result) {
    const http::client::Response& r = *outcome.result;
    if (r.status > 999 || (r.status < 200 && r.status != 101)) {
      return Violation{"a final response with an informational or impossible status", ""};
    }
    if (r.body.size() > 1024 || r.headers.size() > 16 || r.history.size() > 3) {
      return Violation{"a response over the session limits", ""};
    }
    if (method == "HEAD" && !r.body.empty()) {
      return Violation{"a response to HEAD with a body", ""};
    }
  } else {
    const net::Error& error = outcome.result.error();
    if (!is_client_error(error.kind)) return Violation{"an error of an unexpected kind", ""};
    // A 301/302/303 redirect turns the request into a GET (HEAD stays HEAD):
    // the error names the hop that failed.
    const bool names_request = error.message.starts_with(method + " ") ||
                               (method != "HEAD" && error.message.starts_with("GET "));
    if (!names_request) return Violation{"the error does not name the request", ""};
  }
  if (outcome.elapsed > kHttpTotalTimeout + slack) {
    return Violation{"the call outlived its total timeout", ""};
  }
  return std::nullopt;
}

namespace {

HttpOutcome run_http_client_sim(const HttpClientCase& http, const fault::Profile& profile) {
  sim::Network network(/*seed=*/1, profile);
  auto script = http.script;
  network.listen("server", 80, [script] { return make_script_peer(script); });
  http::client::Session session(network.dialer(), http_session_options(http, "http://server"));
  const net::TimePoint start = network.now();
  http::client::RequestOptions request;
  const std::string method = http_method(http);
  if (method == "POST") request.data = "hello";
  HttpOutcome outcome;
  outcome.result = session.request(method, "/fuzz", request);
  outcome.elapsed = network.now() - start;
  outcome.trace_hash = network.trace_hash();
  return outcome;
}

}  // namespace

std::string http_client_context(const HttpClientCase& http, const fault::Profile& profile) {
  return "method " + http_method(http) + " profile \"" + profile.to_string() + "\" response \"" +
         escape(http.response) + "\"";
}

CaseRun run_http_client_case(const HttpClientCase& http, const fault::Profile& profile) {
  const HttpOutcome first = run_http_client_sim(http, profile);
  CaseRun run{describe(first), check_http_client(http, first)};
  if (run.violation) return run;
  const HttpOutcome again = run_http_client_sim(http, profile);
  if (describe(again) != describe(first)) {
    run.violation = Violation{"not deterministic", "the second run gave " + describe(again) + "\n"};
  }
  return run;
}

}  // namespace faultline::fuzz
