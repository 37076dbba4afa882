// Any HTTP service, by the requests it should answer: python3's http.server
// serving a temp folder (HTTP/1.0, one request per connection; and HTTP/1.1
// with keep-alive), started by the test through --target-cmd, checked with
// the differential oracle under every HTTP scenario that applies. Skipped,
// saying so, when python3 is not installed.
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "harness/suites/catalog.h"
#include "harness/suites/suite.h"
#include "harness/suites/target.h"
#include "harness/suites/workload.h"

namespace faultline::suites {
namespace {

std::string find_python() {
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path ? path : "");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    auto candidate = std::filesystem::path(dir) / "python3";
    if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
  }
  return "";
}

class HttpService : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    python_ = find_python();
    if (python_.empty())
      GTEST_SKIP() << "python3 is not installed: the http.server test is skipped";
    dir_ = std::filesystem::temp_directory_path() /
           ("faultline-http-service-" + std::to_string(::getpid()) + "-" + GetParam());
    std::filesystem::create_directories(dir_ / "docs");
    std::ofstream(dir_ / "hello.txt") << "hello, 안녕하세요!\n";
    std::string data(64 * 1024, '\0');
    for (std::size_t i = 0; i < data.size(); ++i)
      data[i] = static_cast<char>((i * 131 + 7) & 0xff);
    std::ofstream(dir_ / "data.bin", std::ios::binary) << data;
    std::ofstream(dir_ / "docs" / "index.html") << "<h1>docs</h1>\n";
    // The server: http.server's handler, HTTP/1.0 or HTTP/1.1 (keep-alive).
    std::ofstream(dir_ / "serve.py")
        << "import functools, http.server, sys\n"
        << "class Handler(http.server.SimpleHTTPRequestHandler):\n"
        << "    protocol_version = sys.argv[3]\n"
        << "    def log_message(self, *args):\n"
        << "        pass\n"
        << "handler = functools.partial(Handler, directory=sys.argv[2])\n"
        << "http.server.ThreadingHTTPServer(('127.0.0.1', int(sys.argv[1])), "
           "handler).serve_forever()\n";
  }
  void TearDown() override {
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }
  std::string python_;
  std::filesystem::path dir_;
};

TEST_P(HttpService, AnswersEveryApplicableScenarioAsWithNoFault) {
  auto target =
      CommandTarget::create(shell_quote(python_) + " " + shell_quote((dir_ / "serve.py").string()) +
                                " {port} " + shell_quote(dir_.string()) + " " + GetParam(),
                            Protocol::http);
  ASSERT_TRUE(target);
  auto requests = std::make_shared<HttpDifferential>();
  for (const char* text :
       {"GET /", "GET /hello.txt", "GET /data.bin", "GET /docs/", "GET /missing.txt"}) {
    auto spec = parse_request_spec(text);
    ASSERT_TRUE(spec);
    requests->requests.push_back(*spec);
  }
  RunnerOptions runner;
  runner.http_requests = requests;
  auto results = run_suite(**target, Protocol::http, SuiteOptions{}, runner);
  std::size_t applicable = 0;
  for (const auto& s : catalog(Protocol::http))
    applicable += applies_to_http_requests(s);
  EXPECT_EQ(results.size(), applicable);
  for (const auto& r : results) {
    EXPECT_TRUE(r.passed) << r.scenario << ": " << invariant_name(r.broken) << ": " << r.detail
                          << "\n  replay: " << r.replay;
  }
}

INSTANTIATE_TEST_SUITE_P(Versions, HttpService, ::testing::Values("HTTP/1.0", "HTTP/1.1"),
                         [](const auto& info) {
                           return info.param == std::string("HTTP/1.0") ? "http_1_0" : "http_1_1";
                         });

}  // namespace
}  // namespace faultline::suites
