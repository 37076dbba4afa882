#include "bench/runner/manifest.h"

#include <unistd.h>

#include <ctime>
#include <fstream>
#include <sstream>
#include <thread>

#include "fuzz/campaign/child_process.h"

namespace faultline::bench::runner {
namespace {

namespace fs = std::filesystem;

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ' || text.back() == '\r'))
    text.pop_back();
  return text;
}

// git runs a read-only git command in `dir`; nullopt when it fails.
std::optional<std::string> git(const fs::path& dir, std::vector<std::string> args) {
  std::vector<std::string> argv{"git", "-C", dir.string()};
  argv.insert(argv.end(), args.begin(), args.end());
  auto run = fuzz::run_and_capture(argv, {}, std::chrono::seconds(30));
  if (!run || run->status != 0) return std::nullopt;
  return run->output;
}

}  // namespace

nlohmann::json manifest_json(const Manifest& manifest) {
  const MachineContext& c = manifest.context;
  nlohmann::json files = nlohmann::json::array();
  for (const ManifestFile& f : manifest.files)
    files.push_back({{"file", f.file}, {"round", f.round}, {"binary", f.binary}});
  nlohmann::json json = {{"faultline_manifest", Manifest::kVersion},
                         {"commit", c.commit},
                         {"dirty", c.dirty},
                         {"build_type", c.build_type},
                         {"host", c.host},
                         {"num_cpus", c.cpu_count},
                         {"load_avg", c.load_avg},
                         {"cpu_governor", c.cpu_governor},
                         {"started", c.started},
                         {"command", manifest.command},
                         {"metric", manifest.metric},
                         {"files", files}};
  if (!manifest.half.empty()) json["half"] = manifest.half;
  if (!manifest.revision.empty()) json["revision"] = manifest.revision;
  return json;
}

net::Status write_manifest(const fs::path& dir, const Manifest& manifest) {
  std::error_code error;
  fs::create_directories(dir, error);
  const fs::path path = dir / "manifest.json";
  std::ofstream out(path, std::ios::trunc);
  out << manifest_json(manifest).dump(2) << "\n";
  if (!out) return net::make_error(net::ErrorKind::io, "cannot write " + path.string());
  return {};
}

std::string read_build_type(const std::string& cmake_cache_text) {
  std::istringstream in(cmake_cache_text);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.starts_with("CMAKE_BUILD_TYPE:")) continue;
    const std::size_t equals = line.find('=');
    if (equals != std::string::npos) return trimmed(line.substr(equals + 1));
  }
  return "";
}

MachineContext collect_context(const fs::path& source_dir, const fs::path& build_dir) {
  MachineContext c;
  if (auto head = git(source_dir, {"rev-parse", "HEAD"})) c.commit = trimmed(*head);
  // Untracked files count: a new source file changes what is built.
  if (auto status = git(source_dir, {"status", "--porcelain"})) c.dirty = !trimmed(*status).empty();
  c.build_type = read_build_type(read_file(build_dir / "CMakeCache.txt"));
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) == 0) c.host = host;
  c.cpu_count = static_cast<int>(std::thread::hardware_concurrency());
  std::istringstream load(read_file("/proc/loadavg"));
  for (int i = 0; i < 3; ++i) {
    double value = 0;
    if (load >> value) c.load_avg.push_back(value);
  }
  c.cpu_governor = trimmed(read_file("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor"));
  c.started = iso_time_now();
  return c;
}

std::string iso_time_now() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

}  // namespace faultline::bench::runner
