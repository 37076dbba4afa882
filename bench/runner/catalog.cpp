#include "bench/runner/catalog.h"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace faultline::bench::runner {
namespace {

constexpr std::string_view kSuffix = "_bench";

}  // namespace

std::string banner_summary(std::string_view source_text) {
  std::string text;
  std::istringstream in{std::string(source_text)};
  std::string line;
  while (std::getline(in, line) && line.starts_with("//")) {
    std::string_view content(line);
    content.remove_prefix(2);
    while (content.starts_with(' '))
      content.remove_prefix(1);
    if (content.empty()) break;  // the first paragraph only
    if (!text.empty()) text += ' ';
    text += content;
    if (content.find(". ") != std::string_view::npos || content.ends_with('.')) break;
  }
  // "bench/echo_bench.cpp: echo round trips ..." -> "echo round trips ..."
  if (const std::size_t colon = text.find(": "); colon != std::string::npos) {
    const std::string_view head = std::string_view(text).substr(0, colon);
    const bool is_path = head.find(' ') == std::string_view::npos &&
                         (head.find('/') != std::string_view::npos || head.ends_with(".cpp"));
    if (is_path) text = text.substr(colon + 2);
  }
  if (const std::size_t stop = text.find(". "); stop != std::string::npos) text.resize(stop + 1);
  return text;
}

std::vector<BenchBinary> list_binaries(const std::filesystem::path& source_dir) {
  std::vector<BenchBinary> binaries;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(source_dir / "bench", error)) {
    const std::string stem = entry.path().stem().string();
    if (entry.path().extension() != ".cpp" || !stem.ends_with(kSuffix)) continue;
    BenchBinary binary;
    binary.name = stem;
    binary.short_name = stem.substr(0, stem.size() - kSuffix.size());
    binary.source = entry.path();
    std::ifstream in(entry.path());
    std::ostringstream text;
    text << in.rdbuf();
    binary.summary = banner_summary(text.str());
    binaries.push_back(std::move(binary));
  }
  std::sort(binaries.begin(), binaries.end(),
            [](const BenchBinary& a, const BenchBinary& b) { return a.name < b.name; });
  return binaries;
}

net::Result<std::vector<BenchBinary>> resolve_binaries(const std::vector<BenchBinary>& known,
                                                       const std::vector<std::string>& names) {
  std::vector<BenchBinary> chosen;
  for (const std::string& name : names) {
    const auto found = std::find_if(known.begin(), known.end(), [&](const BenchBinary& b) {
      return b.name == name || b.short_name == name;
    });
    if (found == known.end()) {
      std::string valid;
      for (const BenchBinary& b : known)
        valid += (valid.empty() ? "" : ", ") + b.name;
      return net::make_error(net::ErrorKind::invalid_argument,
                             "unknown benchmark binary '" + name +
                                 "' (valid: " + (valid.empty() ? "none found" : valid) + ")");
    }
    const bool seen = std::any_of(chosen.begin(), chosen.end(),
                                  [&](const BenchBinary& b) { return b.name == found->name; });
    if (!seen) chosen.push_back(*found);
  }
  return chosen;
}

std::filesystem::path binary_path(const std::filesystem::path& build_dir,
                                  const BenchBinary& binary) {
  return build_dir / "bench" / binary.name;
}

}  // namespace faultline::bench::runner
