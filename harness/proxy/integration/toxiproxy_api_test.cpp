// Toxiproxy's HTTP API, driven case by case as its documentation and client
// libraries drive it, and each toxic's effect measured on real loopback
// connections through the proxies it made.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "harness/proxy/toxiproxy_api.h"
#include "targets/echo/echo_client.h"
#include "targets/echo/echo_server.h"
#include "targets/http/client/session.h"
#include "targets/http/server/server.h"
#include "targets/net/socket.h"

namespace faultline::proxy {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

struct Answer {
  int status = 0;
  json body;
  std::string text;
};

class ToxiproxyApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    echo_ = echo::make_echo_server(echo::ServerModel::epoll, echo::EchoServerOptions{});
    ASSERT_TRUE(echo_->start());
  }
  void TearDown() override {
    api_.stop_all();
    echo_->stop();
  }
  Answer call(const std::string& method, const std::string& target, const std::string& body = "",
              const std::string& agent = "") {
    auto reply = api_.respond(method, target, body, agent);
    Answer answer;
    answer.status = reply.response.status_code;
    answer.text = reply.response.body;
    if (!answer.text.empty()) answer.body = json::parse(answer.text, nullptr, false);
    return answer;
  }
  std::string upstream() const { return echo_->address().to_string(); }
  // create makes proxy `name` on a free loopback port; returns its address.
  net::Address create(const std::string& name) {
    auto made =
        call("POST", "/proxies",
             json{{"name", name}, {"listen", "127.0.0.1:0"}, {"upstream", upstream()}}.dump());
    EXPECT_EQ(made.status, 201) << made.text;
    auto address = net::Address::parse(made.body.value("listen", ""));
    EXPECT_TRUE(address) << made.text;
    return address ? *address : net::Address();
  }
  Answer add_toxic(const std::string& proxy, const json& toxic) {
    return call("POST", "/proxies/" + proxy + "/toxics", toxic.dump());
  }
  static net::Result<std::string> echo_once(const net::Address& at, const std::string& message,
                                            net::Duration timeout = 2s) {
    echo::EchoTimeouts timeouts;
    timeouts.operation = timeout;
    auto client = echo::TcpEchoClient::connect(at, timeouts);
    if (!client) return tl::unexpected(client.error());
    return client->exchange(message);
  }
  // received: what a client that sends `message` reads until EOF or error.
  static std::string received(const net::Address& at, const std::string& message,
                              net::ErrorKind* ended = nullptr) {
    auto fd = net::connect_tcp(at, net::Deadline::after(2s));
    if (!fd) return "";
    (void)net::send_all(fd->get(), message, net::Deadline::after(2s));
    std::string out;
    char buffer[4096];
    for (int i = 0; i < 1000; ++i) {
      auto got = net::recv_some(fd->get(), buffer, sizeof buffer, net::Deadline::after(3s));
      if (!got) {
        if (ended) *ended = got.error().kind;
        break;
      }
      if (*got == 0) {
        if (ended) *ended = net::ErrorKind::closed;
        break;
      }
      out.append(buffer, *got);
    }
    return out;
  }
  std::unique_ptr<echo::EchoServer> echo_;
  ToxiproxyApi api_{7};
};

TEST_F(ToxiproxyApiTest, CreatesAProxyThatForwardsAndShowsItAsToxiproxyDoes) {
  auto made =
      call("POST", "/proxies",
           json{{"name", "redis"}, {"listen", "127.0.0.1:0"}, {"upstream", upstream()}}.dump());
  ASSERT_EQ(made.status, 201) << made.text;
  EXPECT_EQ(made.body["name"], "redis");
  EXPECT_EQ(made.body["upstream"], upstream());
  EXPECT_EQ(made.body["enabled"], true);
  EXPECT_EQ(made.body["toxics"], json::array());
  auto listen = net::Address::parse(made.body["listen"].get<std::string>());
  ASSERT_TRUE(listen);
  EXPECT_NE(listen->port(), 0) << "listen shows the real port";
  auto echoed = echo_once(*listen, "hello");
  ASSERT_TRUE(echoed) << echoed.error().to_string();
  EXPECT_EQ(*echoed, "hello");
  auto all = call("GET", "/proxies");
  ASSERT_EQ(all.status, 200);
  EXPECT_EQ(all.body["redis"]["listen"], made.body["listen"]);
  auto one = call("GET", "/proxies/redis");
  EXPECT_EQ(one.status, 200);
  EXPECT_EQ(one.body, made.body);
}

TEST_F(ToxiproxyApiTest, ErrorsHaveToxiproxysMessagesCodesAndShape) {
  create("redis");
  auto again =
      call("POST", "/proxies",
           json{{"name", "redis"}, {"listen", "127.0.0.1:0"}, {"upstream", upstream()}}.dump());
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(again.body, (json{{"error", "proxy already exists"}, {"status", 409}}));
  auto no_upstream = call("POST", "/proxies", json{{"name", "x"}}.dump());
  EXPECT_EQ(no_upstream.status, 400);
  EXPECT_EQ(no_upstream.body["error"], "missing required field: upstream");
  auto no_name = call("POST", "/proxies", json{{"upstream", upstream()}}.dump());
  EXPECT_EQ(no_name.body["error"], "missing required field: name");
  auto not_json = call("POST", "/proxies", "{nope");
  EXPECT_EQ(not_json.status, 400);
  EXPECT_EQ(not_json.body["error"].get<std::string>().rfind("bad request body", 0), 0u);
  auto missing = call("GET", "/proxies/nope");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.body, (json{{"error", "proxy not found"}, {"status", 404}}));
  EXPECT_EQ(call("GET", "/proxies/nope/toxics").status, 404);
  auto bad_type = add_toxic("redis", {{"type", "lattency"}});
  EXPECT_EQ(bad_type.status, 400);
  EXPECT_EQ(bad_type.body["error"], "invalid toxic type");
  auto bad_stream = add_toxic("redis", {{"type", "latency"}, {"stream", "sideways"}});
  EXPECT_EQ(bad_stream.body["error"], "stream was invalid, can be either upstream or downstream");
  ASSERT_EQ(add_toxic("redis", {{"type", "latency"}, {"attributes", {{"latency", 1}}}}).status,
            200);
  auto twice = add_toxic("redis", {{"type", "latency"}, {"attributes", {{"latency", 1}}}});
  EXPECT_EQ(twice.status, 409);
  EXPECT_EQ(twice.body["error"], "toxic already exists");
  auto no_toxic = call("GET", "/proxies/redis/toxics/nope");
  EXPECT_EQ(no_toxic.status, 404);
  EXPECT_EQ(no_toxic.body["error"], "toxic not found");
  auto bad_value = add_toxic(
      "redis", {{"name", "l2"}, {"type", "latency"}, {"attributes", {{"latency", "slow"}}}});
  EXPECT_EQ(bad_value.status, 400);
  EXPECT_NE(bad_value.body["error"].get<std::string>().find("'latency' must be a whole number"),
            std::string::npos)
      << bad_value.text;
  EXPECT_EQ(call("PUT", "/proxies/redis").status, 405);
  EXPECT_EQ(call("GET", "/nothing/here").status, 404);
}

TEST_F(ToxiproxyApiTest, ABrowserIsRefusedAsToxiproxyRefusesIt) {
  auto answer = call("GET", "/proxies", "", "Mozilla/5.0 (X11; Linux x86_64)");
  EXPECT_EQ(answer.status, 403);
  EXPECT_EQ(answer.body["error"], "User agent not allowed");
}

TEST_F(ToxiproxyApiTest, ADisabledProxyRefusesAndComesBackOnTheSamePort) {
  auto address = create("redis");
  auto off = call("POST", "/proxies/redis", json{{"enabled", false}}.dump());
  ASSERT_EQ(off.status, 200) << off.text;
  EXPECT_EQ(off.body["enabled"], false);
  auto refused = net::connect_tcp(address, net::Deadline::after(2s));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, net::ErrorKind::refused);
  auto on = call("PATCH", "/proxies/redis", json{{"enabled", true}}.dump());
  ASSERT_EQ(on.status, 200) << on.text;
  EXPECT_EQ(on.body["listen"], address.to_string());
  auto echoed = echo_once(address, "back");
  ASSERT_TRUE(echoed) << echoed.error().to_string();
}

TEST_F(ToxiproxyApiTest, DisablingDropsTheOpenConnections) {
  auto address = create("redis");
  echo::EchoTimeouts timeouts;
  timeouts.operation = 2s;
  auto client = echo::TcpEchoClient::connect(address, timeouts);
  ASSERT_TRUE(client);
  ASSERT_TRUE(client->exchange("one"));
  ASSERT_EQ(call("POST", "/proxies/redis", json{{"enabled", false}}.dump()).status, 200);
  auto after = client->exchange("two");
  ASSERT_FALSE(after);
  EXPECT_TRUE(after.error().kind == net::ErrorKind::closed ||
              after.error().kind == net::ErrorKind::reset)
      << after.error().to_string();
}

TEST_F(ToxiproxyApiTest, LatencyAddsItsDelayAndRemovingItTakesItAway) {
  auto address = create("redis");
  auto added = add_toxic("redis", {{"type", "latency"}, {"attributes", {{"latency", 300}}}});
  ASSERT_EQ(added.status, 200) << added.text;
  EXPECT_EQ(added.body, (json{{"attributes", {{"latency", 300}, {"jitter", 0}}},
                              {"name", "latency_downstream"},
                              {"type", "latency"},
                              {"stream", "downstream"},
                              {"toxicity", 1.0}}));
  EXPECT_EQ(call("GET", "/proxies/redis/toxics").body, json::array({added.body}));
  // A lower bound only: the reply cannot come back sooner than the delay,
  // however idle or busy the machine is.
  auto started = std::chrono::steady_clock::now();
  ASSERT_TRUE(echo_once(address, "slow"));
  EXPECT_GE(std::chrono::steady_clock::now() - started, 300ms);
  auto removed = call("DELETE", "/proxies/redis/toxics/latency_downstream");
  EXPECT_EQ(removed.status, 204);
  EXPECT_TRUE(removed.text.empty());
  EXPECT_EQ(call("GET", "/proxies/redis/toxics").body, json::array());
}

TEST_F(ToxiproxyApiTest, AnUpdateMergesAttributesAndToxicity) {
  create("redis");
  ASSERT_EQ(add_toxic("redis", {{"type", "latency"},
                                {"stream", "upstream"},
                                {"attributes", {{"latency", 100}, {"jitter", 10}}}})
                .status,
            200);
  auto updated = call("PATCH", "/proxies/redis/toxics/latency_upstream",
                      json{{"attributes", {{"jitter", 20}}}, {"toxicity", 0.5}}.dump());
  ASSERT_EQ(updated.status, 200) << updated.text;
  EXPECT_EQ(updated.body["attributes"], (json{{"latency", 100}, {"jitter", 20}}));
  EXPECT_EQ(updated.body["toxicity"], 0.5);
  EXPECT_EQ(updated.body["stream"], "upstream");
  auto deprecated_post = call("POST", "/proxies/redis/toxics/latency_upstream",
                              json{{"attributes", {{"latency", 50}}}}.dump());
  EXPECT_EQ(deprecated_post.status, 200);
  EXPECT_EQ(deprecated_post.body["attributes"]["latency"], 50);
}

TEST_F(ToxiproxyApiTest, LimitDataCutsAtTheByte) {
  auto address = create("redis");
  ASSERT_EQ(add_toxic("redis", {{"type", "limit_data"}, {"attributes", {{"bytes", 5}}}}).status,
            200);
  net::ErrorKind ended = net::ErrorKind::io;
  EXPECT_EQ(received(address, "0123456789", &ended), "01234");
  EXPECT_EQ(ended, net::ErrorKind::closed);
}

TEST_F(ToxiproxyApiTest, ResetPeerResets) {
  auto address = create("redis");
  ASSERT_EQ(add_toxic("redis", {{"type", "reset_peer"}, {"attributes", {{"timeout", 0}}}}).status,
            200);
  net::ErrorKind ended = net::ErrorKind::io;
  EXPECT_EQ(received(address, "anyone?", &ended), "");
  EXPECT_EQ(ended, net::ErrorKind::reset);
}

TEST_F(ToxiproxyApiTest, TimeoutHoldsTheDataThenCloses) {
  auto address = create("redis");
  ASSERT_EQ(add_toxic("redis", {{"type", "timeout"}, {"attributes", {{"timeout", 200}}}}).status,
            200);
  net::ErrorKind ended = net::ErrorKind::io;
  EXPECT_EQ(received(address, "held", &ended), "");
  EXPECT_EQ(ended, net::ErrorKind::closed);
}

TEST_F(ToxiproxyApiTest, SlicerAndBandwidthAndSlowCloseKeepEveryByte) {
  auto address = create("redis");
  ASSERT_EQ(add_toxic("redis", {{"type", "slicer"},
                                {"attributes", {{"average_size", 3}, {"size_variation", 2}}}})
                .status,
            200);
  ASSERT_EQ(add_toxic("redis", {{"type", "bandwidth"}, {"attributes", {{"rate", 1000}}}}).status,
            200);
  ASSERT_EQ(
      add_toxic("redis",
                {{"type", "slow_close"}, {"stream", "upstream"}, {"attributes", {{"delay", 10}}}})
          .status,
      200);
  std::string message(10000, 'x');
  auto echoed = echo_once(address, message);
  ASSERT_TRUE(echoed) << echoed.error().to_string();
  EXPECT_EQ(*echoed, message);
}

TEST_F(ToxiproxyApiTest, FaultlinesOwnFaultsAreAToxicTypeOfTheirOwn) {
  auto address = create("redis");
  auto added = add_toxic("redis", {{"name", "cut"},
                                   {"type", "faultline"},
                                   {"attributes", {{"spec", "half_close after=0 dir=down"}}}});
  ASSERT_EQ(added.status, 200) << added.text;
  net::ErrorKind ended = net::ErrorKind::io;
  EXPECT_EQ(received(address, "x", &ended), "");
  EXPECT_EQ(ended, net::ErrorKind::closed);
  auto bad = add_toxic(
      "redis",
      {{"name", "bad"}, {"type", "faultline"}, {"attributes", {{"spec", "drop rate=1%"}}}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body["error"].get<std::string>().find("datagrams"), std::string::npos) << bad.text;
}

TEST_F(ToxiproxyApiTest, PopulateCreatesAllOrNothing) {
  auto made =
      call("POST", "/populate",
           json::array({{{"name", "a"}, {"listen", "127.0.0.1:0"}, {"upstream", upstream()}},
                        {{"name", "b"}, {"listen", "127.0.0.1:0"}, {"upstream", upstream()}}})
               .dump());
  ASSERT_EQ(made.status, 201) << made.text;
  ASSERT_EQ(made.body["proxies"].size(), 2u);
  EXPECT_EQ(made.body["proxies"][1]["name"], "b");
  // Checked before anything is made: the second has no name.
  auto missing = call(
      "POST", "/populate",
      json::array({{{"name", "c"}, {"upstream", upstream()}}, {{"upstream", upstream()}}}).dump());
  EXPECT_EQ(missing.status, 400);
  EXPECT_EQ(missing.body["error"], "missing required field: name at proxy 2");
  EXPECT_EQ(call("GET", "/proxies/c").status, 404);
  // A proxy that cannot start (its port is taken) undoes the whole call.
  const std::string taken = made.body["proxies"][0]["listen"];
  auto clash =
      call("POST", "/populate",
           json::array({{{"name", "d"}, {"listen", "127.0.0.1:0"}, {"upstream", upstream()}},
                        {{"name", "e"}, {"listen", taken}, {"upstream", upstream()}}})
               .dump());
  EXPECT_EQ(clash.status, 500) << clash.text;
  EXPECT_EQ(call("GET", "/proxies/d").status, 404);
  EXPECT_EQ(call("GET", "/proxies/e").status, 404);
  auto a = net::Address::parse(taken);
  ASSERT_TRUE(a);
  EXPECT_TRUE(echo_once(*a, "still here"));
}

TEST_F(ToxiproxyApiTest, ResetEnablesEveryProxyAndRemovesEveryToxic) {
  auto address = create("redis");
  ASSERT_EQ(add_toxic("redis", {{"type", "reset_peer"}}).status, 200);
  ASSERT_EQ(call("POST", "/proxies/redis", json{{"enabled", false}}.dump()).status, 200);
  auto reset = call("POST", "/reset");
  EXPECT_EQ(reset.status, 204);
  auto shown = call("GET", "/proxies/redis");
  EXPECT_EQ(shown.body["enabled"], true);
  EXPECT_EQ(shown.body["toxics"], json::array());
  auto echoed = echo_once(address, "clean");
  ASSERT_TRUE(echoed) << echoed.error().to_string();
}

TEST_F(ToxiproxyApiTest, DeleteRemovesTheProxyAndItsListener) {
  auto address = create("redis");
  EXPECT_EQ(call("DELETE", "/proxies/redis").status, 204);
  EXPECT_EQ(call("GET", "/proxies/redis").status, 404);
  EXPECT_FALSE(net::connect_tcp(address, net::Deadline::after(2s)));
}

TEST_F(ToxiproxyApiTest, VersionAndMetrics) {
  auto version = call("GET", "/version");
  EXPECT_EQ(version.status, 200);
  EXPECT_TRUE(version.body["version"].is_string());
  auto address = create("redis");
  ASSERT_TRUE(echo_once(address, "count me"));
  auto metrics = api_.respond("GET", "/metrics", "");
  EXPECT_EQ(metrics.response.status_code, 200);
  EXPECT_NE(metrics.response.body.find("toxiproxy_proxy_sent_bytes_total{direction=\"upstream\""),
            std::string::npos)
      << metrics.response.body;
  EXPECT_NE(metrics.response.body.find("proxy=\"redis\""), std::string::npos);
  EXPECT_NE(metrics.response.body.find("outcome=\"accepted\"} "), std::string::npos)
      << metrics.response.body;
  EXPECT_NE(metrics.response.body.find("outcome=\"upstream_failed\"} "), std::string::npos)
      << metrics.response.body;
}

TEST_F(ToxiproxyApiTest, AConfigFileMakesProxiesWithTheirToxics) {
  auto loaded = api_.load_config(
      json::array(
          {{{"name", "cache"},
            {"listen", "127.0.0.1:0"},
            {"upstream", upstream()},
            {"toxics", json::array({{{"type", "limit_data"}, {"attributes", {{"bytes", 2}}}}})}}})
          .dump());
  ASSERT_TRUE(loaded) << loaded.error().to_string();
  auto shown = call("GET", "/proxies/cache");
  ASSERT_EQ(shown.status, 200);
  auto address = net::Address::parse(shown.body["listen"].get<std::string>());
  ASSERT_TRUE(address);
  EXPECT_EQ(received(*address, "abcdef"), "ab");
  EXPECT_FALSE(api_.load_config("{\"not\": \"a list\"}"));
}

TEST(ToxicClause, EachToxicMapsOntoOneFaultClause) {
  auto clause = [](const std::string& type, nlohmann::ordered_json attributes,
                   const std::string& stream = "downstream", double toxicity = 1.0) {
    ToxiproxyToxic toxic{type + "_" + stream, type, stream, toxicity, default_attributes(type)};
    for (auto& [key, value] : attributes.items())
      toxic.attributes[key] = value;
    auto text = toxic_clause(toxic);
    return text ? *text : "error: " + text.error().message;
  };
  EXPECT_EQ(clause("latency", {{"latency", 100}, {"jitter", 10}}),
            "latency delay=100000us jitter=10000us dir=down");
  // Toxiproxy's span [max(0, 10-30), 10+30]: the same span.
  EXPECT_EQ(clause("latency", {{"latency", 10}, {"jitter", 30}}, "upstream"),
            "latency delay=20000us jitter=20000us dir=up");
  EXPECT_EQ(clause("latency", {}), "");
  EXPECT_EQ(clause("bandwidth", {{"rate", 100}}), "bandwidth rate=100KB/s dir=down");
  EXPECT_EQ(clause("bandwidth", {{"rate", 0}}), "");
  EXPECT_EQ(clause("slow_close", {{"delay", 50}}), "slow_close delay=50ms dir=down");
  EXPECT_EQ(clause("timeout", {{"timeout", 0}}), "stall dir=down");
  EXPECT_EQ(clause("timeout", {{"timeout", 500}}), "stall close_after=500ms dir=down");
  EXPECT_EQ(clause("reset_peer", {{"timeout", 0}}), "reset dir=down");
  EXPECT_EQ(clause("reset_peer", {{"timeout", 20}}), "stall reset_after=20ms dir=down");
  EXPECT_EQ(clause("slicer", {{"average_size", 64}, {"size_variation", 32}, {"delay", 10}}),
            "slicer min=32B max=96B delay=10us dir=down");
  EXPECT_EQ(clause("slicer", {{"average_size", 2}, {"size_variation", 5}}),
            "slicer min=1B max=7B dir=down");
  EXPECT_EQ(clause("limit_data", {{"bytes", 1024}}), "limit_data after=1024B dir=down");
  EXPECT_EQ(clause("limit_data", {{"bytes", 1}}, "downstream", 0.25),
            "limit_data after=1B dir=down p=25%");
  EXPECT_EQ(clause("faultline", {{"spec", "corrupt rate=1%"}}), "corrupt rate=1%");
  EXPECT_NE(clause("slicer", {}).find("average_size' must be at least 1"), std::string::npos);
  EXPECT_NE(clause("latency", {{"latency", -5}}).find("whole number >= 0"), std::string::npos);
  EXPECT_NE(clause("faultline", {{"spec", "latncy delay=1ms"}}).find("unknown fault"),
            std::string::npos);
}

TEST(ToxiproxyHttp, ServedOverTheProjectsHttpServerAsClientsCallIt) {
  ToxiproxyApi api(1);
  http::HttpServer server(api.server_options(net::Address::loopback(0)));
  ASSERT_TRUE(server.start());
  http::client::SessionOptions options;
  options.base_url = "http://" + server.address().to_string();
  http::client::Session session(options);
  http::client::RequestOptions create;
  create.json = {{"name", "web"}, {"listen", "127.0.0.1:0"}, {"upstream", "127.0.0.1:9"}};
  auto made = session.post("/proxies", create);
  ASSERT_TRUE(made) << made.error().to_string();
  EXPECT_EQ(made->status, 201);
  EXPECT_EQ(made->json().value()["name"], "web");
  auto shown = session.get("/proxies");
  ASSERT_TRUE(shown);
  EXPECT_EQ(shown->status, 200);
  EXPECT_TRUE(shown->json().value().contains("web"));
  auto gone = session.del("/proxies/web");
  ASSERT_TRUE(gone);
  EXPECT_EQ(gone->status, 204);
  server.stop();
  api.stop_all();
}

// node_modules_with_client: where toxiproxy-node-client is installed ("" if
// nowhere): $FAULTLINE_TOXIPROXY_NODE_MODULES, else the cache directory the
// README's one-line install uses.
std::string node_modules_with_client() {
  std::vector<std::string> candidates;
  if (const char* given = std::getenv("FAULTLINE_TOXIPROXY_NODE_MODULES")) {
    candidates.emplace_back(given);
  }
  if (const char* home = std::getenv("HOME")) {
    candidates.push_back(std::string(home) + "/.cache/faultline/toxiproxy-node/node_modules");
  }
  for (const auto& dir : candidates) {
    std::error_code error;
    if (std::filesystem::exists(dir + "/toxiproxy-node-client/package.json", error)) return dir;
  }
  return "";
}

TEST(ToxiproxyNodeClient, ToxiproxysOwnClientLibraryDrivesTheApiUnchanged) {
  if (std::system("command -v node >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "node is not installed: the Toxiproxy Node client interop test is skipped";
  }
  const std::string modules = node_modules_with_client();
  if (modules.empty()) {
    GTEST_SKIP() << "toxiproxy-node-client is not installed, so the interop test is skipped; "
                    "install it with: npm install --prefix ~/.cache/faultline/toxiproxy-node "
                    "toxiproxy-node-client@4.1.0";
  }
  auto echo = echo::make_echo_server(echo::ServerModel::epoll, echo::EchoServerOptions{});
  ASSERT_TRUE(echo->start());
  ToxiproxyApi api(1);
  http::HttpServer server(api.server_options(net::Address::loopback(0)));
  ASSERT_TRUE(server.start());
  const auto output = std::filesystem::temp_directory_path() /
                      ("faultline-toxiproxy-node-" + std::to_string(::getpid()) + ".txt");
  const std::string command =
      "NODE_PATH='" + modules + "' timeout 60 node '" + FAULTLINE_SOURCE_DIR +
      "/harness/proxy/interop/toxiproxy_node_client.js' http://" + server.address().to_string() +
      " " + echo->address().to_string() + " >'" + output.string() + "' 2>&1";
  const int status = std::system(command.c_str());
  std::ifstream in(output);
  std::stringstream text;
  text << in.rdbuf();
  std::filesystem::remove(output);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << text.str();
  EXPECT_NE(text.str().find("all checks passed"), std::string::npos) << text.str();
  server.stop();
  api.stop_all();
  echo->stop();
}

}  // namespace
}  // namespace faultline::proxy
