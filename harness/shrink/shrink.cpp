#include "harness/shrink/shrink.h"

#include <map>
#include <optional>
#include <set>

#include <fmt/core.h>

#include "harness/shrink/narrow.h"

namespace faultline::shrink {
namespace {

std::vector<std::string> clause_texts(const fault::Profile& profile) {
  std::vector<std::string> texts;
  for (const auto& clause : profile.clauses())
    texts.push_back(clause.to_string());
  return texts;
}

std::string join(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (const auto& part : parts) {
    if (!out.empty()) out += separator;
    out += part;
  }
  return out;
}

// round_between: a number strictly between `low` and `high` (high - low > 1),
// near their midpoint and with as few significant digits as that allows, so
// the narrowed values read as people write them (20%, 10ms, 500B).
std::uint64_t round_between(std::uint64_t low, std::uint64_t high) {
  const std::uint64_t middle = low + (high - low) / 2;
  std::uint64_t scale = 1;
  while (scale <= middle / 10)
    scale *= 10;
  for (; scale > 1; scale /= 10) {
    const std::uint64_t rounded = (middle + scale / 2) / scale * scale;
    if (rounded > low && rounded < high) return rounded;
  }
  return middle;
}

// Search: the state of one shrink: the current clauses, the remembered
// verdicts and the budget.
class Search {
 public:
  Search(const fault::Profile& failing, const Predicate& predicate, const Options& options,
         const std::function<void(const Step&)>& on_step)
      : clauses_(clause_texts(failing)),
        predicate_(predicate),
        options_(options),
        on_step_(on_step),
        started_(options.clock->now()) {
    smallest_ = failing;
    tried_[failing.to_string()] = true;
  }

  // try_clauses: whether `candidate` still fails; adopts it if so. False when
  // it does not parse, passes, or the budget is spent.
  bool try_clauses(const std::vector<std::string>& candidate, const std::string& action) {
    if (spent()) return false;
    auto profile = fault::parse_profile(join(candidate, "; "));
    if (!profile || !profile->validate_for(options_.transport)) return false;
    auto canonical = profile->to_string();
    if (auto known = tried_.find(canonical); known != tried_.end()) {
      if (known->second && canonical != current_text()) adopt(*profile);
      return known->second;
    }
    if (spend()) return false;
    Step step;
    step.attempt = attempts_;
    step.action = action;
    step.profile = canonical;
    const auto before = options_.clock->now();
    step.verdict = predicate_(*profile);
    step.elapsed = options_.clock->now() - before;
    tried_[canonical] = step.verdict.still_fails;
    if (on_step_) on_step_(step);
    if (step.verdict.still_fails) adopt(*profile);
    return step.verdict.still_fails;
  }

  // ddmin: Zeller's delta debugging over the clauses.
  bool ddmin() {
    bool changed = false;
    std::size_t granularity = 2;
    while (clauses_.size() >= 2 && !spent()) {
      const auto count = clauses_.size();
      granularity = std::min(granularity, count);
      bool reduced = false;
      // Each chunk alone, then each complement.
      for (int complement = 0; complement < 2 && !reduced; ++complement) {
        for (std::size_t chunk = 0; chunk < granularity && !reduced; ++chunk) {
          const auto begin = chunk * count / granularity;
          const auto end = (chunk + 1) * count / granularity;
          std::vector<std::string> candidate;
          for (std::size_t i = 0; i < count; ++i) {
            if ((i >= begin && i < end) != (complement == 1)) candidate.push_back(clauses_[i]);
          }
          if (candidate.empty() || candidate.size() == count) continue;
          auto action = complement == 0
                            ? fmt::format("keep clause{} {}..{} of {}", end - begin > 1 ? "s" : "",
                                          begin + 1, end, count)
                            : fmt::format("remove clause{} {}..{} of {}",
                                          end - begin > 1 ? "s" : "", begin + 1, end, count);
          if (end - begin == 1) {
            action = complement == 0 ? fmt::format("keep only clause {} of {}", begin + 1, count)
                                     : fmt::format("remove clause {} of {} ({})", begin + 1, count,
                                                   clauses_[begin]);
          }
          if (try_clauses(candidate, action)) {
            reduced = true;
            changed = true;
            granularity = complement == 0 ? 2 : std::max<std::size_t>(granularity - 1, 2);
          }
        }
      }
      if (!reduced) {
        if (granularity >= count) break;
        granularity = std::min(granularity * 2, count);
      }
    }
    // One clause left: the empty profile is the last removal to try.
    if (clauses_.size() == 1 && !spent()) {
      if (try_clauses({}, "remove the last clause (" + clauses_[0] + ")")) changed = true;
    }
    return changed;
  }

  // narrow: each clause's tokens in turn.
  bool narrow() {
    bool changed = false;
    for (std::size_t c = 0; c < clauses_.size() && !spent(); ++c) {
      auto tokens = split_tokens(clauses_[c]);
      std::vector<std::string> keys;
      for (std::size_t t = 1; t < tokens.size(); ++t) {
        if (auto key = token_key(tokens[t]); !key.empty()) keys.emplace_back(key);
      }
      for (const auto& key : keys) {
        if (spent()) break;
        changed = narrow_key(c, key) || changed;
      }
    }
    return changed;
  }

  const fault::Profile& smallest() const { return smallest_; }
  int attempts() const { return attempts_; }
  const std::string& stopped_by() const { return stopped_by_; }

 private:
  std::string current_text() const { return smallest_.to_string(); }

  void adopt(const fault::Profile& profile) {
    smallest_ = profile;
    clauses_ = clause_texts(profile);
  }

  // find_token: the index of `key`'s token in clause `c`'s words, if present.
  std::optional<std::size_t> find_token(const std::vector<std::string>& tokens,
                                        const std::string& key) const {
    for (std::size_t t = 1; t < tokens.size(); ++t) {
      if (token_key(tokens[t]) == key) return t;
    }
    return std::nullopt;
  }

  std::vector<std::string> with_token(std::size_t c, const std::string& key,
                                      std::optional<std::string> value) const {
    auto tokens = split_tokens(clauses_[c]);
    auto at = find_token(tokens, key);
    if (at) {
      if (value) {
        tokens[*at] = key + "=" + *value;
      } else {
        tokens.erase(tokens.begin() + static_cast<std::ptrdiff_t>(*at));
      }
    }
    auto candidate = clauses_;
    candidate[c] = join(tokens, " ");
    return candidate;
  }

  bool narrow_key(std::size_t c, const std::string& key) {
    auto tokens = split_tokens(clauses_[c]);
    auto at = find_token(tokens, key);
    if (!at) return false;  // the canonical form dropped it
    const std::string fault_name = tokens[0];
    const std::string value = tokens[*at].substr(key.size() + 1);
    auto amount = parse_quantity(value);
    if (!amount) {
      // A word (dir=down, mode=...) or a rate: the default may do.
      return try_clauses(with_token(c, key, std::nullopt),
                         fmt::format("drop {} {}={}", fault_name, key, value));
    }
    if (amount->value == 0) return false;
    // Binary search for the least value that still fails; `high` fails.
    std::uint64_t low = 0;  // not known to fail
    std::uint64_t high = amount->value;
    auto attempt = [&](std::uint64_t v) {
      Amount next{amount->quantity, v};
      return try_clauses(
          with_token(c, key, format_quantity(next)),
          fmt::format("narrow {} {}={} to {}", fault_name, key, value, format_quantity(next)));
    };
    if (attempt(0)) return true;
    auto precise_enough = [&] {
      return static_cast<double>(high - low) <= options_.precision * static_cast<double>(high);
    };
    for (int step = 0;
         step < options_.narrow_steps && high - low > 1 && !precise_enough() && !spent(); ++step) {
      const auto middle = round_between(low, high);
      if (attempt(middle)) {
        high = middle;
      } else {
        low = middle;
      }
    }
    return high != amount->value;
  }

  // spend: takes one attempt from the budget; true when none is left.
  bool spend() {
    if (spent()) return true;
    ++attempts_;
    return false;
  }

  bool spent() {
    if (!stopped_by_.empty()) return true;
    if (attempts_ >= options_.max_attempts) {
      stopped_by_ = "attempts";
    } else if (options_.clock->now() - started_ >= options_.time_budget) {
      stopped_by_ = "time";
    }
    return !stopped_by_.empty();
  }

  std::vector<std::string> clauses_;
  fault::Profile smallest_ = fault::Profile::empty();
  const Predicate& predicate_;
  const Options& options_;
  const std::function<void(const Step&)>& on_step_;
  net::TimePoint started_;
  std::map<std::string, bool> tried_;
  int attempts_ = 0;
  std::string stopped_by_;
};

}  // namespace

Result shrink_profile(const fault::Profile& failing, const Predicate& predicate,
                      const Options& options, const std::function<void(const Step&)>& on_step) {
  Search search(failing, predicate, options, on_step);
  // Clauses first (each removal saves the most), then numbers; again while
  // narrowing makes a clause removable, at most a few rounds.
  for (int round = 0; round < 4; ++round) {
    bool changed = search.ddmin();
    changed = search.narrow() || changed;
    if (!changed || !search.stopped_by().empty()) break;
  }
  Result result;
  result.smallest = search.smallest();
  result.attempts = search.attempts();
  result.stopped_by = search.stopped_by();
  result.out_of_budget = !result.stopped_by.empty();
  return result;
}

std::string format_step(const Step& step) {
  auto line = fmt::format("attempt {}: {} -> {} [{:.2f}s]", step.attempt, step.action,
                          step.verdict.still_fails ? "still fails" : "passes",
                          std::chrono::duration<double>(step.elapsed).count());
  if (!step.verdict.detail.empty()) line += ": " + step.verdict.detail;
  return line;
}

}  // namespace faultline::shrink
