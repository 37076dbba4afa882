#include "fuzz/campaign/libfuzzer_log.h"

#include <cctype>
#include <charconv>

namespace faultline::fuzz {
namespace {

// number_after: the unsigned number right after `key` in `line` (spaces
// skipped), or nullopt.
std::optional<std::uint64_t> number_after(std::string_view line, std::string_view key,
                                          std::size_t* end = nullptr) {
  const std::size_t at = line.find(key);
  if (at == std::string_view::npos) return std::nullopt;
  std::size_t i = at + key.size();
  while (i < line.size() && line[i] == ' ')
    ++i;
  std::uint64_t value = 0;
  const auto [ptr, ec] = std::from_chars(line.data() + i, line.data() + line.size(), value);
  if (ec != std::errc()) return std::nullopt;
  if (end != nullptr) *end = static_cast<std::size_t>(ptr - line.data());
  return value;
}

// size_with_unit: "9Kb" -> 9216, "3Mb" -> 3 << 20, "512b" -> 512.
std::uint64_t size_with_unit(std::string_view text) {
  std::uint64_t value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc()) return 0;
  const std::string_view unit = text.substr(static_cast<std::size_t>(ptr - text.data()));
  if (unit.starts_with("Kb")) return value << 10;
  if (unit.starts_with("Mb")) return value << 20;
  if (unit.starts_with("Gb")) return value << 30;
  return value;
}

}  // namespace

std::optional<Progress> parse_status_line(std::string_view line) {
  // "#123\tNEW    cov: ..." or fork mode "#123: cov: ...".
  if (line.size() < 2 || line[0] != '#' || !std::isdigit(static_cast<unsigned char>(line[1]))) {
    return std::nullopt;
  }
  if (line.find("cov: ") == std::string_view::npos && line.find("ft: ") == std::string_view::npos) {
    return std::nullopt;
  }
  Progress progress;
  progress.execs = number_after(line, "#").value_or(0);
  progress.coverage = number_after(line, "cov:").value_or(0);
  progress.features = number_after(line, "ft:").value_or(0);
  std::size_t corpus_end = 0;
  progress.corpus_units = number_after(line, "corp:", &corpus_end).value_or(0);
  if (corpus_end > 0 && corpus_end < line.size() && line[corpus_end] == '/') {
    std::string_view rest = line.substr(corpus_end + 1);
    rest = rest.substr(0, rest.find(' '));
    progress.corpus_bytes = size_with_unit(rest);
  }
  // Plain runs print "exec/s: 123", fork mode (LLVM 14) "exec/s 123".
  progress.exec_per_sec =
      number_after(line, "exec/s:").value_or(number_after(line, "exec/s ").value_or(0));
  progress.rss_mb = number_after(line, "rss:").value_or(0);
  // Fork mode: "oom/timeout/crash: 0/1/2".
  if (const std::size_t at = line.find("oom/timeout/crash:"); at != std::string_view::npos) {
    std::string_view counts = line.substr(at + 18);
    while (!counts.empty() && counts.front() == ' ')
      counts.remove_prefix(1);
    for (int i = 0; i < 3; ++i) {
      std::uint64_t value = 0;
      const auto [ptr, ec] = std::from_chars(counts.data(), counts.data() + counts.size(), value);
      if (ec != std::errc()) break;
      progress.crashes += value;
      counts.remove_prefix(static_cast<std::size_t>(ptr - counts.data()));
      if (counts.empty() || counts.front() != '/') break;
      counts.remove_prefix(1);
    }
  }
  return progress;
}

std::optional<std::string> parse_artifact_line(std::string_view line) {
  constexpr std::string_view kMarker = "Test unit written to ";
  const std::size_t at = line.find(kMarker);
  if (at == std::string_view::npos) return std::nullopt;
  std::string_view path = line.substr(at + kMarker.size());
  while (!path.empty() && std::isspace(static_cast<unsigned char>(path.back())))
    path.remove_suffix(1);
  if (path.empty()) return std::nullopt;
  return std::string(path);
}

bool LibFuzzerLog::add(std::string_view line) {
  if (std::optional<Progress> progress = parse_status_line(line)) {
    // Fork mode counts crashes in its status lines; keep the highest seen.
    progress->crashes = std::max(progress->crashes, progress_.crashes);
    if (progress->rss_mb == 0) progress->rss_mb = progress_.rss_mb;
    if (progress->corpus_bytes == 0) progress->corpus_bytes = progress_.corpus_bytes;
    progress_ = *progress;
    saw_status_ = true;
    const bool fork_mode = line.find(": cov:") != std::string_view::npos;
    if (fork_mode || line.find("INITED") != std::string_view::npos) fuzzing_started_ = true;
    return true;
  }
  if (std::optional<std::string> artifact = parse_artifact_line(line)) {
    artifacts_.push_back(std::move(*artifact));
    return false;
  }
  if (line.starts_with("stat::")) {
    auto set = [&](std::string_view key, std::uint64_t& field) {
      if (auto value = number_after(line, key)) field = *value;
    };
    set("stat::number_of_executed_units:", final_.executed_units);
    set("stat::average_exec_per_sec:", final_.average_exec_per_sec);
    set("stat::new_units_added:", final_.new_units_added);
    set("stat::slowest_unit_time_sec:", final_.slowest_unit_time_sec);
    set("stat::peak_rss_mb:", final_.peak_rss_mb);
  }
  return false;
}

}  // namespace faultline::fuzz
