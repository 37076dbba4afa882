#include "bench/runner/build.h"

#include <unistd.h>

#include <algorithm>
#include <ostream>

namespace faultline::bench::runner {

namespace fs = std::filesystem;

fs::path default_build_dir(const fs::path& source_dir) {
  return source_dir / "build" / "bench";
}

std::vector<std::string> bench_configure_args(const fs::path& source_dir,
                                              const fs::path& build_dir) {
  std::error_code error;
  if (fs::weakly_canonical(build_dir, error) ==
      fs::weakly_canonical(default_build_dir(source_dir), error)) {
    return {"cmake", "-S", source_dir.string(), "--preset", "bench"};
  }
  // The bench preset (CMakePresets.json), for a build dir of one's own.
  return {"cmake",
          "-S",
          source_dir.string(),
          "-B",
          build_dir.string(),
          "-G",
          "Ninja",
          "-DCMAKE_C_COMPILER=gcc",
          "-DCMAKE_CXX_COMPILER=g++",
          "-DCMAKE_BUILD_TYPE=Release",
          "-DFAULTLINE_BUILD_TESTS=OFF",
          "-DFAULTLINE_BUILD_BENCH=ON"};
}

std::string command_text(const std::vector<std::string>& argv) {
  std::string text;
  for (const std::string& arg : argv)
    text += (text.empty() ? "" : " ") + arg;
  return text;
}

net::Status run_streamed(const std::vector<std::string>& argv, const fs::path& log_file,
                         std::ostream& log) {
  auto child = fuzz::ChildProcess::start(argv, {}, log_file);
  if (!child) return tl::unexpected(child.error());
  while (auto lines = child->read_lines(std::chrono::milliseconds(500))) {
    for (const std::string& line : *lines)
      log << line << '\n';
  }
  log.flush();
  const int status = child->wait();
  if (status == 0) return {};
  return net::make_error(net::ErrorKind::io, "'" + command_text(argv) + "' failed with status " +
                                                 std::to_string(status) +
                                                 " (full output: " + log_file.string() + ")");
}

net::Status ensure_bench_build(const BuildOptions& options,
                               const std::vector<BenchBinary>& binaries, std::ostream& log) {
  const fs::path build_dir =
      options.build_dir.empty() ? default_build_dir(options.source_dir) : options.build_dir;
  if (!options.build) {
    for (const BenchBinary& binary : binaries) {
      const fs::path exe = binary_path(build_dir, binary);
      if (::access(exe.c_str(), X_OK) != 0) {
        return net::make_error(net::ErrorKind::not_found,
                               "no benchmark binary " + exe.string() +
                                   " (build it: cmake --preset bench && cmake --build " +
                                   build_dir.string() + " --target " + binary.name +
                                   ", or drop --no-build)");
      }
    }
    return {};
  }
  std::error_code error;
  fs::create_directories(build_dir, error);
  if (error) {
    return net::make_error(net::ErrorKind::io,
                           "cannot create " + build_dir.string() + ": " + error.message());
  }
  const fs::path log_file =
      options.log_file.empty() ? build_dir / "faultline-bench-build.log" : options.log_file;
  if (!fs::exists(build_dir / "CMakeCache.txt", error)) {
    log << "configuring the bench build in " << build_dir.string() << "\n";
    auto configured =
        run_streamed(bench_configure_args(options.source_dir, build_dir), log_file, log);
    if (!configured) return configured;
  }
  std::vector<std::string> build{"cmake",
                                 "--build",
                                 build_dir.string(),
                                 "--parallel",
                                 std::to_string(std::max(1, options.build_jobs)),
                                 "--target"};
  for (const BenchBinary& binary : binaries)
    build.push_back(binary.name);
  return run_streamed(build, log_file, log);
}

}  // namespace faultline::bench::runner
