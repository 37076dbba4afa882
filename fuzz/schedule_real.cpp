#include "fuzz/schedule_real.h"

#include <condition_variable>
#include <mutex>
#include <thread>

#include "harness/proxy/tcp_proxy.h"
#include "harness/sim/peer_server.h"
#include "targets/echo/echo_client.h"
#include "targets/echo/echo_server.h"

namespace faultline::fuzz {
namespace {

// kRealSlack: how late a real outcome may come past its deadline (the
// client's own timeout fires at the deadline, then the error travels up).
constexpr net::Duration kRealSlack = std::chrono::seconds(2);

CaseRun setup_failed(const net::Error& error) {
  return CaseRun{"could not start the real run: " + error.to_string(),
                 Violation{"the real run could not start", error.to_string()}};
}

}  // namespace

CaseRun run_echo_case_real(const EchoCase& echo, const fault::Profile& profile,
                           net::Duration deadline, const EchoClient& client) {
  auto server = echo::make_echo_server(echo::ServerModel::epoll, echo::EchoServerOptions{});
  if (auto started = server->start(); !started) return setup_failed(started.error());
  proxy::ProxyOptions options;
  options.upstream = server->address();
  options.seed = echo.seed;
  proxy::TcpProxy proxy(options, profile);
  if (auto started = proxy.start(); !started) return setup_failed(started.error());

  net::TcpDialer dialer;
  auto& clock = dialer.clock();
  const net::TimePoint start = clock.now();
  const net::TimePoint until = start + deadline;
  EchoOutcome outcome;
  outcome.simulated = false;
  if (client) {
    // The watchdog: a client without timeouts would otherwise wait forever
    // on a stalled or blackholed connection.
    std::mutex mutex;
    std::condition_variable done_changed;
    bool done = false;
    std::thread watchdog([&] {
      std::unique_lock lock(mutex);
      if (!done_changed.wait_for(lock, deadline + kRealSlack, [&] { return done; })) {
        proxy.stop();
      }
    });
    outcome.reply = client(proxy.address(), echo.message, deadline);
    {
      std::lock_guard lock(mutex);
      done = true;
    }
    done_changed.notify_all();
    watchdog.join();
  } else {
    auto stream = dialer.dial(proxy.address().host(), proxy.address().port(), until);
    if (!stream) {
      outcome.reply = tl::unexpected(stream.error());
    } else {
      outcome.reply = echo::exchange_over_stream(**stream, echo.message, until);
      (*stream)->close();
    }
  }
  outcome.elapsed = clock.now() - start;
  proxy.stop();
  server->stop();
  return CaseRun{describe(outcome),
                 check_echo(echo.message, explain(profile), outcome, deadline + kRealSlack)};
}

CaseRun run_http_client_case_real(const HttpClientCase& http, const fault::Profile& profile) {
  auto script = http.script;
  sim::PeerServer server([script] { return make_script_peer(script); });
  if (auto started = server.start(); !started) return setup_failed(started.error());
  proxy::ProxyOptions options;
  options.upstream = server.address();
  options.seed = 1;  // the simulator's seed for this fuzzer
  proxy::TcpProxy proxy(options, profile);
  if (auto started = proxy.start(); !started) return setup_failed(started.error());

  net::TcpDialer dialer;
  HttpOutcome outcome;
  outcome.simulated = false;
  {
    http::client::Session session(
        dialer, http_session_options(http, "http://" + proxy.address().to_string()));
    http::client::RequestOptions request;
    const std::string method = http_method(http);
    if (method == "POST") request.data = "hello";
    const net::TimePoint start = dialer.clock().now();
    outcome.result = session.request(method, "/fuzz", request);
    outcome.elapsed = dialer.clock().now() - start;
  }
  proxy.stop();
  server.stop();
  return CaseRun{describe(outcome), check_http_client(http, outcome, kRealSlack)};
}

}  // namespace faultline::fuzz
