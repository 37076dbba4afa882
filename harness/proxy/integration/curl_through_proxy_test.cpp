// Debian's curl binary fetching from the reference HTTP server, directly and
// through the proxy under slicer + latency: the bodies must be byte-identical.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "harness/proxy/tcp_proxy.h"
#include "targets/http/server/server.h"

namespace faultline::proxy {
namespace {

// curl_get runs `curl -sS --max-time 20 -o FILE URL` and returns the body.
std::optional<std::string> curl_get(const std::string& url, const std::string& file) {
  pid_t pid = ::fork();
  if (pid == 0) {
    ::execlp("curl", "curl", "-sS", "--max-time", "20", "-o", file.c_str(), url.c_str(),
             static_cast<char*>(nullptr));
    ::_exit(127);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return std::nullopt;
  std::ifstream in(file, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

TEST(CurlThroughProxyTest, BodyIsByteIdenticalUnderSlicerAndLatency) {
  ASSERT_EQ(::access("/usr/bin/curl", X_OK), 0) << "curl is missing: run scripts/bootstrap";
  http::HttpServer server(http::HttpServerOptions{});
  ASSERT_TRUE(server.start());
  ProxyOptions options;
  options.upstream = server.address();
  options.seed = 11;
  TcpProxy proxy(
      options,
      fault::parse_profile("slicer min=1B max=512B; latency delay=2ms jitter=1ms").value());
  ASSERT_TRUE(proxy.start());

  auto dir =
      std::filesystem::temp_directory_path() / ("faultline-curl-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = "/bytes/262144?seed=5";
  auto direct =
      curl_get("http://" + server.address().to_string() + path, (dir / "direct").string());
  auto proxied =
      curl_get("http://" + proxy.address().to_string() + path, (dir / "proxied").string());
  std::filesystem::remove_all(dir);
  proxy.stop();
  server.stop();
  ASSERT_TRUE(direct) << "curl failed directly";
  ASSERT_TRUE(proxied) << "curl failed through the proxy";
  EXPECT_EQ(direct->size(), 262144u);
  EXPECT_TRUE(*direct == *proxied)
      << "bodies differ: " << direct->size() << " vs " << proxied->size();
  EXPECT_GT(proxy.counters().bytes_down, 262144u);
}

}  // namespace
}  // namespace faultline::proxy
