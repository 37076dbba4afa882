// faultline-echo-client: the echo clients (the reference one and the client
// mutants) as a program that keeps the --client-cmd contract, so the kill
// table drives them exactly as it drives a user's client:
//
//   faultline-echo-client [--udp] [--mutant NAME] HOST PORT
//
// reads the message from stdin, sends it, writes what came back to stdout;
// exit 0 on success, 1 with a message on stderr on failure, 2 on bad usage.
//
//   faultline suite --protocol echo-tcp --client-cmd
//       'build/dev/faultline-echo-client --mutant tutorial-client {host} {port}'
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <iterator>
#include <string>

#include "harness/suites/mutants/echo_mutants.h"
#include "targets/echo/echo_client.h"

namespace {

using namespace faultline;
using namespace std::chrono_literals;

int usage(const std::string& message) {
  std::cerr << "faultline-echo-client: " << message
            << "\nusage: faultline-echo-client [--udp] [--mutant NAME] HOST PORT\n";
  return 2;
}

int fail(const net::Error& error) {
  std::cerr << "faultline-echo-client: " << error.to_string() << "\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  bool udp = false;
  std::string mutant = "reference";
  std::vector<std::string> positional;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--udp") {
      udp = true;
    } else if (arg == "--mutant" && i + 1 < argc) {
      mutant = argv[++i];
    } else if (arg.rfind("--", 0) == 0) {
      return usage("unknown flag '" + arg + "'");
    } else {
      positional.push_back(arg);
    }
  }
  if (positional.size() != 2) return usage("expected HOST PORT");
  auto address = net::Address::parse(positional[0] + ":" + positional[1]);
  if (!address) return usage(address.error().to_string());
  std::string message((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());

  std::string reply;
  if (udp) {
    if (mutant != "reference") return usage("--udp has no mutants");
    echo::UdpOptions options;
    options.timeout = 100ms;
    options.retries = 40;
    auto client = echo::UdpEchoClient::open(*address, options);
    if (!client) return fail(client.error());
    auto exchange = client->exchange(message);
    if (!exchange) return fail(exchange.error());
    reply = std::move(exchange->reply);
  } else {
    auto client = mutant == "reference" ? std::optional(suites::reference_echo_client())
                                        : suites::client_mutant(mutant);
    if (!client) return usage("unknown mutant '" + mutant + "'");
    echo::EchoTimeouts timeouts;
    timeouts.connect = 2s;
    timeouts.operation = 3s;
    timeouts.overall = 60s;
    auto replies = client->run(*address, {message}, timeouts);
    if (!replies) return fail(replies.error());
    if (!replies->empty()) reply = std::move(replies->front());
  }
  std::fwrite(reply.data(), 1, reply.size(), stdout);
  return std::fflush(stdout) == 0 ? 0 : 1;
}
