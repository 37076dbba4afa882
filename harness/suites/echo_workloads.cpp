// The echo-tcp and echo-udp workloads.
#include <sys/socket.h>

#include <mutex>
#include <thread>
#include <vector>

#include <fmt/core.h>

#include "harness/fault/rng.h"
#include "harness/suites/workload.h"
#include "targets/echo/echo_client.h"
#include "targets/net/socket.h"

namespace faultline::suites {
namespace {

using namespace std::chrono_literals;

const std::string kGreeting = "안녕하세요!";

echo::EchoTimeouts timeouts_for(const Scenario& scenario) {
  echo::EchoTimeouts timeouts;
  timeouts.connect = 2s;
  // Faults that stall must be seen as timeouts well inside the deadline.
  timeouts.operation = std::min<net::Duration>(2s, scenario.deadline / 3);
  timeouts.overall = scenario.deadline;
  return timeouts;
}

// Clients of an exchange run in parallel; the first error or mismatch wins.
Outcome exchange(const Scenario& scenario, const WorkloadContext& context, int clients,
                 std::size_t messages, std::size_t max_size) {
  std::mutex mutex;
  Outcome result;
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      auto sent = payloads(context.seed * 1000 + static_cast<std::uint64_t>(c), messages, max_size);
      auto got = context.echo_client->run(context.via, sent, timeouts_for(scenario));
      std::lock_guard lock(mutex);
      if (!result.status || result.broken) return;
      if (!got) {
        result = failed_with(got.error());
        result.detail = fmt::format("client {}: {}", c, result.detail);
        return;
      }
      if (auto diff = reply_mismatch(sent, *got)) {
        result = broken(Invariant::integrity, fmt::format("client {}: {}", c, *diff));
      }
    });
  }
  for (auto& t : threads)
    t.join();
  if (result.status && !result.broken) {
    result.detail = fmt::format("{} clients x {} messages echoed whole", clients, messages);
  }
  return result;
}

Outcome large(const Scenario& scenario, const WorkloadContext& context) {
  const std::size_t size = scenario.max_message_bytes;
  fault::Rng rng(context.seed);
  std::string big = utf8_text(rng, size);
  auto got = context.echo_client->run(context.via, {big}, timeouts_for(scenario));
  if (!got) return failed_with(got.error());
  if (auto diff = reply_mismatch({big}, *got)) return broken(Invariant::integrity, *diff);
  Outcome out;
  out.detail = fmt::format("{} bytes echoed whole", size);
  return out;
}

// half_close: one thread sends everything and then FIN, while this one reads
// to the end, so neither side's buffers decide the outcome.
Outcome half_close(const Scenario& scenario, const WorkloadContext& context) {
  auto timeouts = timeouts_for(scenario);
  auto client = echo::TcpEchoClient::connect(context.via, timeouts);
  if (!client) return failed_with(client.error());
  fault::Rng rng(context.seed);
  std::string message = utf8_text(rng, scenario.max_message_bytes);
  net::Status sent;
  std::thread sender([&] {
    sent = net::send_all(client->fd(), message, net::Deadline::after(scenario.deadline / 2));
    if (sent) sent = client->close_write();
  });
  auto rest = client->read_to_end(message.size() + 1024);
  sender.join();
  if (!sent) return failed_with(sent.error());
  if (!rest) return failed_with(rest.error());
  if (auto diff = reply_mismatch({message}, {*rest})) {
    return broken(Invariant::integrity, "after the client's FIN: " + *diff);
  }
  Outcome out;
  out.detail = fmt::format("all {} bytes arrived across the half-close", message.size());
  return out;
}

Outcome isolation(const Scenario& scenario, const WorkloadContext& context) {
  // The bad client: connects, sends part of a message, never reads.
  auto bad = net::connect_tcp(context.via, net::Deadline::after(2s));
  if (!bad) return failed_with(bad.error());
  if (auto sent = net::send_all(bad->get(), "\xec\x95", net::Deadline::after(2s)); !sent) {
    return failed_with(sent.error());
  }
  auto good = exchange(scenario, context, 8, 3, 2000);
  bad->reset();
  if (!good.status || good.broken) {
    Outcome out =
        broken(Invariant::isolation,
               "with one client holding a half-sent message, the others failed: " + good.detail);
    return out;
  }
  good.detail = "8 clients served while another held a half-sent message";
  return good;
}

// memory_allowance: how much a target's resident memory may grow over the
// reset storm: allocator and thread-stack warm-up, not a per-connection leak
// (a leak of 80 KiB per connection over 200 connections exceeds it).
std::size_t memory_allowance(std::size_t before) {
  return std::size_t{16} * 1024 * 1024 + before / 4;
}

Outcome hygiene(const Scenario& scenario, const WorkloadContext& context) {
  auto before = context.target->open_fds();
  const auto memory_before = context.target->resident_bytes();
  constexpr int kConnections = 200;
  std::string message(1024, 'h');
  for (int i = 0; i < kConnections; ++i) {
    auto client = echo::TcpEchoClient::connect(context.via, timeouts_for(scenario));
    if (!client) continue;            // a reset during connect is part of the storm
    (void)client->exchange(message);  // fails with reset: that is the fault
  }
  // The target should be back where it started, give or take a few
  // descriptors still closing: wait for that, bounded.
  if (before) {
    auto deadline = net::Deadline::after(5s);
    std::size_t after = *before;
    for (;;) {
      auto now = context.target->open_fds();
      if (!now) break;
      after = *now;
      if (after <= *before + 8 || deadline.expired()) break;
      (void)net::wait_for(-1, net::Readiness::readable, net::Deadline::after(20ms), "settle");
    }
    if (after > *before + 8) {
      return broken(Invariant::hygiene,
                    fmt::format("open descriptors grew from {} to {} after {} reset connections",
                                *before, after, kConnections));
    }
  }
  // Its memory too, where it is a process of its own: a target that keeps
  // something per connection it lost grows with every reset.
  std::string memory_detail;
  if (memory_before) {
    if (auto memory_after = context.target->resident_bytes()) {
      constexpr double kMiB = 1024.0 * 1024.0;
      if (*memory_after > *memory_before + memory_allowance(*memory_before)) {
        return broken(
            Invariant::hygiene,
            fmt::format("resident memory grew from {:.1f} MiB to {:.1f} MiB ({:.1f} KiB "
                        "per connection) after {} reset connections",
                        *memory_before / kMiB, *memory_after / kMiB,
                        (*memory_after - *memory_before) / 1024.0 / kConnections, kConnections));
      }
      memory_detail = fmt::format("; resident memory {:.1f} MiB -> {:.1f} MiB",
                                  *memory_before / kMiB, *memory_after / kMiB);
    }
  }
  // And service goes on, directly.
  auto sent = payloads(context.seed, 2, 100);
  auto got = context.echo_client->run(context.direct, sent, timeouts_for(scenario));
  if (!got) {
    Outcome out = failed_with(got.error());
    out.broken = Invariant::liveness;
    out.detail = "after the reset storm, a clean exchange failed: " + out.detail;
    return out;
  }
  if (auto diff = reply_mismatch(sent, *got)) return broken(Invariant::integrity, *diff);
  Outcome out;
  out.detail = (before ? fmt::format("{} reset connections; descriptors settled back to {}",
                                     kConnections, *before)
                       : fmt::format("{} reset connections; fd count not measurable for this "
                                     "target",
                                     kConnections)) +
               memory_detail;
  return out;
}

}  // namespace

std::optional<std::string> reply_mismatch(const std::vector<std::string>& sent,
                                    const std::vector<std::string>& got) {
  if (sent.size() != got.size()) {
    return fmt::format("{} replies for {} messages", got.size(), sent.size());
  }
  for (std::size_t i = 0; i < sent.size(); ++i) {
    if (sent[i] == got[i]) continue;
    std::size_t at = 0;
    while (at < sent[i].size() && at < got[i].size() && sent[i][at] == got[i][at])
      ++at;
    return fmt::format("message {} ({} bytes) came back as {} bytes, first difference at byte {}",
                       i, sent[i].size(), got[i].size(), at);
  }
  return std::nullopt;
}

// Valid UTF-8 text mixing 1- to 4-byte characters: a text peer may decode
// it, but only if it respects character boundaries across reads.
std::string utf8_text(fault::Rng& rng, std::size_t size) {
  static constexpr std::string_view kCharacters[] = {"a",  "Z",  " ",  "7", "é", "ß", "안", "녕",
                                                     "하", "세", "요", "€", "😀", "𝄞", "!"};
  std::string text;
  text.reserve(size);
  while (text.size() < size) {
    auto c = kCharacters[rng.below(std::size(kCharacters))];
    if (text.size() + c.size() > size) c = "a";
    text.append(c);
  }
  return text;
}

std::vector<std::string> payloads(std::uint64_t seed, std::size_t count, std::size_t max_size) {
  std::vector<std::string> out;
  if (count == 0) return out;
  out.push_back(kGreeting);
  fault::Rng rng(fault::mix64(seed));
  for (std::size_t i = 1; i < count; ++i) {
    out.push_back(utf8_text(
        rng, static_cast<std::size_t>(rng.between(1, std::max<std::size_t>(max_size, 1)))));
  }
  return out;
}

Outcome run_echo_tcp_workload(const Scenario& scenario, const WorkloadContext& context) {
  switch (scenario.workload) {
    case Workload::exchange:
      return exchange(scenario, context, 4, 5, scenario.max_message_bytes);
    case Workload::large:
      return large(scenario, context);
    case Workload::half_close:
      return half_close(scenario, context);
    case Workload::isolation:
      return isolation(scenario, context);
    case Workload::hygiene:
      return hygiene(scenario, context);
    default:
      break;
  }
  return broken(Invariant::clarity, "workload not available for echo-tcp");
}

Outcome run_echo_udp_workload(const Scenario&, const WorkloadContext& context) {
  echo::UdpOptions options;
  options.timeout = 50ms;
  options.retries = 30;
  options.first_tag = context.seed << 20;
  auto client = echo::UdpEchoClient::open(context.via, options);
  if (!client) return failed_with(client.error());
  auto messages = payloads(context.seed, 40, 1200);
  std::uint64_t retried = 0, discarded = 0, damaged = 0;
  for (std::size_t i = 0; i < messages.size(); ++i) {
    auto exchange = client->exchange(messages[i]);
    if (!exchange) {
      Outcome out = failed_with(exchange.error());
      out.detail = fmt::format("datagram {}: {}", i, out.detail);
      return out;
    }
    if (exchange->reply != messages[i]) {
      return broken(Invariant::integrity, fmt::format("datagram {} came back different", i));
    }
    retried += static_cast<std::uint64_t>(exchange->attempts - 1);
    discarded += exchange->discarded;
    damaged += exchange->damaged;
  }
  Outcome out;
  out.detail = fmt::format("{} datagrams matched ({} resends, {} stale or duplicate, {} damaged)",
                           messages.size(), retried, discarded, damaged);
  return out;
}

}  // namespace faultline::suites
