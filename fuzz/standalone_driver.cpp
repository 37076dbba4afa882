// fuzz/standalone_driver.cpp: replays inputs through LLVMFuzzerTestOneInput
// without libFuzzer, so every corpus runs as a regression test with any
// compiler (ctest: fuzz_replay.<name>).
//
//   build/dev/fuzz/url_fuzzer_replay corpus/url            # every file, recursively
//   build/dev/fuzz/url_fuzzer_replay crash-1234 other.bin  # single files
//
// Prints how many inputs ran; a crash or sanitizer report fails the run. An
// empty or missing corpus is an error, so a broken path never passes silently.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);
extern "C" __attribute__((weak)) int LLVMFuzzerInitialize(int* argc, char*** argv);

namespace {

bool run_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "replay: cannot read %s\n", path.c_str());
    return false;
  }
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // A heap copy of exactly the input's size, so ASan sees reads past its end.
  std::vector<std::uint8_t> input(bytes.begin(), bytes.end());
  LLVMFuzzerTestOneInput(input.empty() ? nullptr : input.data(), input.size());
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (LLVMFuzzerInitialize) LLVMFuzzerInitialize(&argc, &argv);
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR_OR_FILE...\n", argv[0]);
    return 2;
  }
  std::size_t count = 0;
  for (int i = 1; i < argc; ++i) {
    std::filesystem::path path(argv[i]);
    std::error_code error;
    if (std::filesystem::is_directory(path, error)) {
      std::vector<std::filesystem::path> files;
      for (const auto& entry : std::filesystem::recursive_directory_iterator(path, error)) {
        if (entry.is_regular_file()) files.push_back(entry.path());
      }
      std::sort(files.begin(), files.end());  // a stable order, so a failure names the same file
      for (const auto& file : files) {
        if (!run_file(file)) return 1;
        ++count;
      }
    } else if (std::filesystem::is_regular_file(path, error)) {
      if (!run_file(path)) return 1;
      ++count;
    } else {
      std::fprintf(stderr, "replay: no such file or directory: %s\n", path.c_str());
      return 1;
    }
  }
  if (count == 0) {
    std::fprintf(stderr, "replay: no inputs found in the given paths\n");
    return 1;
  }
  std::printf("replay: %zu inputs ran without a crash\n", count);
  return 0;
}
