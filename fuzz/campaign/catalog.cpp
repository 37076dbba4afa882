#include "fuzz/campaign/catalog.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>

namespace faultline::fuzz {
namespace {

constexpr std::string_view kSuffix = "_fuzzer";

// read_banner: the leading "//" comment lines of a source file, without "// ".
std::vector<std::string> read_banner(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line) && line.starts_with("//")) {
    std::string_view text(line);
    text.remove_prefix(2);
    if (text.starts_with(' ')) text.remove_prefix(1);
    lines.emplace_back(text);
  }
  return lines;
}

// summary_of: the banner's first sentence, after "fuzz/<file>: ".
std::string summary_of(const std::vector<std::string>& banner) {
  std::string text;
  for (const std::string& line : banner) {
    if (line.empty()) break;
    if (!text.empty()) text += ' ';
    text += line;
    if (line.find(". ") != std::string::npos || line.ends_with('.')) break;
  }
  if (const std::size_t colon = text.find(": "); colon != std::string::npos) {
    text = text.substr(colon + 2);
  }
  if (const std::size_t stop = text.find(". "); stop != std::string::npos) text.resize(stop + 1);
  return text;
}

std::filesystem::path dictionary_of(const std::vector<std::string>& banner,
                                    const std::filesystem::path& source_dir) {
  constexpr std::string_view kKey = "Dictionary: ";
  for (const std::string& line : banner) {
    const std::size_t at = line.find(kKey);
    if (at == std::string::npos) continue;
    std::string relative = line.substr(at + kKey.size());
    while (!relative.empty() && (relative.back() == '.' || relative.back() == ' '))
      relative.pop_back();
    return source_dir / relative;
  }
  return {};
}

}  // namespace

std::optional<std::filesystem::path> find_source_dir(const std::filesystem::path& start) {
  std::error_code error;
  std::filesystem::path dir = std::filesystem::absolute(start, error);
  while (!dir.empty()) {
    if (std::filesystem::exists(dir / "fuzz" / "standalone_driver.cpp", error) &&
        std::filesystem::exists(dir / "CMakePresets.json", error)) {
      return dir;
    }
    if (dir == dir.parent_path()) break;
    dir = dir.parent_path();
  }
  return std::nullopt;
}

std::filesystem::path built_from_source_dir() {
#ifdef FAULTLINE_SOURCE_DIR
  return FAULTLINE_SOURCE_DIR;
#else
  return {};
#endif
}

net::Result<std::filesystem::path> resolve_source_dir(const std::string& given) {
  std::vector<std::filesystem::path> candidates;
  if (!given.empty()) {
    candidates.emplace_back(given);
  } else {
    if (const char* env = std::getenv("FAULTLINE_SOURCE_DIR"); env != nullptr && *env != '\0') {
      candidates.emplace_back(env);
    }
    std::error_code error;
    candidates.push_back(std::filesystem::current_path(error));
    candidates.emplace_back(built_from_source_dir());
  }
  for (const std::filesystem::path& candidate : candidates) {
    if (auto found = find_source_dir(candidate)) return *found;
  }
  return net::make_error(net::ErrorKind::invalid_argument,
                         "no faultline source tree found (run inside it or pass --source DIR)");
}

std::vector<FuzzTarget> list_targets(const std::filesystem::path& source_dir) {
  std::vector<FuzzTarget> targets;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(source_dir / "fuzz", error)) {
    const std::string stem = entry.path().stem().string();
    if (entry.path().extension() != ".cpp" || !stem.ends_with(kSuffix)) continue;
    FuzzTarget target;
    target.name = stem;
    target.short_name = stem.substr(0, stem.size() - kSuffix.size());
    target.source = entry.path();
    target.seeds = source_dir / "corpus" / target.short_name;
    const std::vector<std::string> banner = read_banner(entry.path());
    target.summary = summary_of(banner);
    target.dictionary = dictionary_of(banner, source_dir);
    targets.push_back(std::move(target));
  }
  std::sort(targets.begin(), targets.end(),
            [](const FuzzTarget& a, const FuzzTarget& b) { return a.name < b.name; });
  return targets;
}

net::Result<FuzzTarget> resolve_target(const std::vector<FuzzTarget>& targets,
                                       std::string_view name) {
  for (const FuzzTarget& target : targets) {
    if (target.name == name || target.short_name == name) return target;
  }
  std::string known;
  for (const FuzzTarget& target : targets)
    known += (known.empty() ? "" : ", ") + target.short_name;
  return net::make_error(net::ErrorKind::invalid_argument,
                         "unknown fuzz target '" + std::string(name) +
                             "' (known: " + (known.empty() ? "none found" : known) + ")");
}

}  // namespace faultline::fuzz
