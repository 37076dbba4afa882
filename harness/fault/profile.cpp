#include "harness/fault/profile.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <memory>
#include <optional>
#include <stdexcept>

#include "harness/fault/rng.h"
#include "harness/fault/stage_context.h"

namespace faultline::fault {
namespace {

constexpr std::size_t kMaxProfileFileBytes = 1024 * 1024;
constexpr std::size_t kMaxClauses = 1000;

// Token: one whitespace-separated word of a clause.
struct Token {
  std::string_view text;
  Position position;
};

using ClauseTokens = std::vector<Token>;

tl::unexpected<net::Error> error_at(const SpecSource& source, Position position,
                                    const std::string& message) {
  return net::make_error(net::ErrorKind::invalid_argument, source.where(position) + ": " + message);
}

// quoted: the token for a message, or a neutral word when the source's
// content must not be echoed (see SpecSource::quote_tokens).
std::string quoted(const SpecSource& source, std::string_view token, std::string_view neutral) {
  if (!source.quote_tokens) return std::string(neutral);
  return "'" + std::string(token) + "'";
}

bool is_blank(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

// lex: the text's clauses, each a list of tokens. Clauses end at ';' or a
// newline; '#' comments run to the end of the line. A quote (' or ") inside a
// token runs to the same quote or the end of the line, and blanks, ';' and
// '#' in it are part of the token: match='GET /api/*'.
std::vector<ClauseTokens> lex(std::string_view text) {
  std::vector<ClauseTokens> clauses;
  ClauseTokens current;
  std::size_t start = std::string_view::npos;
  Position start_position;
  Position position;
  auto end_token = [&](std::size_t end) {
    if (start == std::string_view::npos) return;
    current.push_back(Token{text.substr(start, end - start), start_position});
    start = std::string_view::npos;
  };
  auto end_clause = [&] {
    if (!current.empty()) clauses.push_back(std::move(current));
    current.clear();
  };
  char quote = 0;  // the quote character of an open quote, or 0
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quote != 0 && c != '\n') {
      if (c == quote) quote = 0;
      ++position.column;
      continue;
    }
    quote = 0;
    if (c == '\'' || c == '"') {
      if (start == std::string_view::npos) {
        start = i;
        start_position = position;
      }
      quote = c;
    } else if (c == '#') {
      end_token(i);
      while (i + 1 < text.size() && text[i + 1] != '\n')
        ++i;
    } else if (c == '\n') {
      end_token(i);
      end_clause();
      ++position.line;
      position.column = 1;
      continue;
    } else if (c == ';') {
      end_token(i);
      end_clause();
    } else if (is_blank(c)) {
      end_token(i);
    } else if (start == std::string_view::npos) {
      start = i;
      start_position = position;
    }
    ++position.column;
  }
  end_token(text.size());
  end_clause();
  return clauses;
}

std::string expected_keys(const FaultKind& kind) {
  std::string out;
  for (std::string_view key : kind.keys) {
    out += key;
    out += ", ";
  }
  if (kind.has_direction) out += "dir, ";
  out += "p";
  return out;
}

bool is_known_key(const FaultKind& kind, std::string_view key) {
  if (key == "p" || (kind.has_direction && key == "dir")) return true;
  for (std::string_view known : kTimelineKeys) {
    if (known == key) return true;
  }
  for (std::string_view known : kind.keys) {
    if (known == key) return true;
  }
  return false;
}

net::Result<Clause> parse_clause(const ClauseTokens& tokens, const SpecSource& source) {
  const Token& name = tokens.front();
  if (name.text.find('=') != std::string_view::npos) {
    return error_at(source, name.position,
                    "expected a fault name before " + quoted(source, name.text, "key=value") +
                        " (known: " + known_fault_names() + ")");
  }
  const FaultKind* kind = find_fault_kind(name.text);
  if (!kind) {
    return error_at(source, name.position,
                    "unknown fault " + quoted(source, name.text, "name") +
                        " (known: " + known_fault_names() + ")");
  }
  std::vector<Param> params;
  for (std::size_t i = 1; i < tokens.size(); ++i) {
    const Token& token = tokens[i];
    const auto equals = token.text.find('=');
    if (equals == std::string_view::npos || equals == 0) {
      return error_at(source, token.position,
                      "expected key=value, got '" + std::string(token.text) + "' (" +
                          std::string(kind->name) + " takes " + expected_keys(*kind) + ")");
    }
    Param param{token.text.substr(0, equals), token.text.substr(equals + 1), token.position,
                Position{token.position.line, token.position.column + equals + 1}};
    if (!is_known_key(*kind, param.key)) {
      return error_at(source, token.position,
                      "unknown key '" + std::string(param.key) + "' for " +
                          std::string(kind->name) + " (expected " + expected_keys(*kind) +
                          "), nor a timeline key (start, for, every, clock, from_conn, to_conn)");
    }
    if (param.value.empty()) {
      return error_at(
          source, token.position,
          "key '" + std::string(param.key) + "' of " + std::string(kind->name) + " has no value");
    }
    for (const Param& earlier : params) {
      if (earlier.key == param.key) {
        return error_at(source, token.position,
                        "duplicate key '" + std::string(param.key) + "' for " +
                            std::string(kind->name) + " (first at column " +
                            std::to_string(earlier.key_position.column) + ")");
      }
    }
    params.push_back(param);
  }

  ParamReader reader(source, kind->name, name.position, params);
  auto settings = kind->parse(reader);
  if (!settings) return tl::unexpected(settings.error());
  Clause clause{std::move(*settings), Directions::both, Probability::always(), Timeline{},
                source.where(name.position)};
  std::string_view dir = reader.choice("dir", {"up", "down", "both"}, "both");
  clause.directions = dir == "up"     ? Directions::up
                      : dir == "down" ? Directions::down
                                      : Directions::both;
  if (!takes_own_p(clause.settings)) clause.toxicity = reader.percent("p", Probability::always());
  clause.timeline = Timeline::parse(reader, kind->name != DownSettings::kName);
  return reader.finish(std::move(clause));
}

}  // namespace

bool Clause::applies_to(Direction direction) const {
  switch (directions) {
    case Directions::up:
      return direction == Direction::up;
    case Directions::down:
      return direction == Direction::down;
    case Directions::both:
      return true;
  }
  return true;
}

std::string Clause::to_string() const {
  std::string out(name());
  out += print_settings(settings);
  ParamWriter common;
  if (directions == Directions::up) common.word("dir", "up");
  if (directions == Directions::down) common.word("dir", "down");
  if (!toxicity.is_always()) common.percent("p", toxicity);
  timeline.print(common);
  out += common.text();
  return out;
}

Profile::Profile() : clauses_(std::make_shared<const std::vector<Clause>>()) {}

Profile::Profile(std::vector<Clause> clauses)
    : clauses_(std::make_shared<const std::vector<Clause>>(std::move(clauses))) {}

std::string Profile::to_string() const {
  std::string out;
  for (const auto& clause : *clauses_) {
    if (!out.empty()) out += "; ";
    out += clause.to_string();
  }
  return out;
}

net::Status Profile::validate_for(Transport transport) const {
  for (const auto& clause : *clauses_) {
    if (fault_transports(clause.settings).contains(transport)) continue;
    std::string message = clause.where + ": " + std::string(clause.name());
    message += transport == Transport::stream
                   ? " applies to datagrams (UDP) only, not to a stream (TCP) transport"
                   : " applies to streams (TCP) only, not to a datagram (UDP) transport";
    return net::make_error(net::ErrorKind::invalid_argument, std::move(message));
  }
  return {};
}

bool Profile::has_http_faults() const {
  return std::any_of(clauses_->begin(), clauses_->end(),
                     [](const Clause& clause) { return is_http_fault(clause.settings); });
}

net::Status Profile::validate_http(bool http_aware) const {
  if (http_aware) return {};
  for (const auto& clause : *clauses_) {
    if (!is_http_fault(clause.settings)) continue;
    return net::make_error(net::ErrorKind::invalid_argument,
                           clause.where + ": " + std::string(clause.name()) +
                               " acts on HTTP requests: it needs a proxy that reads HTTP "
                               "(--protocol http)");
  }
  return {};
}

bool Profile::active(std::size_t clause_index, std::uint64_t connection_index, Time now,
                     const ChainClock& clock) const {
  const Timeline& timeline = clauses_->at(clause_index).timeline;
  return timeline.selects(connection_index) && timeline.active(now, clock);
}

bool Profile::applies(std::size_t clause_index, std::uint64_t seed,
                      std::uint64_t connection_index) const {
  const Clause& clause = clauses_->at(clause_index);
  Rng rng(derive_connection_seed(seed, connection_index, clause_index));
  return rng.chance(clause.toxicity);
}

Chain Profile::make_chain(Direction direction, std::uint64_t seed, std::uint64_t connection_index,
                          Transport transport, ChainClock clock) const {
  if (auto valid = validate_for(transport); !valid) {
    throw std::invalid_argument("fault::Profile::make_chain: " + valid.error().message);
  }
  std::vector<ChainLink> links;
  for (std::size_t i = 0; i < clauses_->size(); ++i) {
    const Clause& clause = (*clauses_)[i];
    if (!clause.applies_to(direction) || !clause.timeline.selects(connection_index) ||
        !applies(i, seed, connection_index)) {
      continue;
    }
    StageContext context{Rng(derive_seed(seed, connection_index, direction, i)), transport, i,
                         clause.name()};
    auto stage = make_stage(clause.settings, std::move(context));
    if (!stage) continue;  // down and the http faults: not stages
    if (!clause.timeline.in_time()) {
      stage = std::make_unique<TimelineStage>(std::move(stage), clause.timeline, clock, transport);
    }
    links.push_back(ChainLink{std::move(stage), clause.name(), i});
  }
  return Chain(clauses_, std::move(links), transport);
}

ConnectionPolicy Profile::connection_policy(std::uint64_t seed, std::uint64_t connection_index,
                                            Time since_start) const {
  for (std::size_t i = 0; i < clauses_->size(); ++i) {
    const Clause& clause = (*clauses_)[i];
    const auto* down = std::get_if<DownSettings>(&clause.settings);
    if (!down || !clause.timeline.selects(connection_index) ||
        !clause.timeline.active_since(since_start)) {
      continue;
    }
    if (applies(i, seed, connection_index)) return down->mode;
  }
  return ConnectionPolicy::accept;
}

std::optional<std::size_t> Profile::down_clause() const {
  for (std::size_t i = 0; i < clauses_->size(); ++i) {
    if (std::holds_alternative<DownSettings>((*clauses_)[i].settings)) return i;
  }
  return std::nullopt;
}

Time Profile::next_policy_change(Time since_start) const {
  Time next = kNever;
  for (const Clause& clause : *clauses_) {
    if (!std::holds_alternative<DownSettings>(clause.settings)) continue;
    next = std::min(next, clause.timeline.next_change(since_start));
  }
  return next;
}

net::Result<Profile> parse_profile(std::string_view text) {
  SpecSource source;
  source.show_lines = text.find('\n') != std::string_view::npos;
  return parse_profile_text(text, source);
}

net::Result<Profile> parse_profile_text(std::string_view text, const SpecSource& source) {
  std::vector<Clause> clauses;
  std::optional<std::string> first_down;  // where the down clause is
  std::optional<std::string> first_shared_link;  // where the bandwidth scope=proxy clause is
  for (const auto& tokens : lex(text)) {
    if (clauses.size() == kMaxClauses) {
      return error_at(source, tokens.front().position,
                      "too many clauses (at most " + std::to_string(kMaxClauses) + ")");
    }
    auto clause = parse_clause(tokens, source);
    if (!clause) return tl::unexpected(clause.error());
    clauses.push_back(std::move(*clause));
    if (std::holds_alternative<DownSettings>(clauses.back().settings)) {
      if (first_down) {
        return error_at(source, tokens.front().position,
                        "only one down clause per profile (the first is at " + *first_down + ")");
      }
      first_down = clauses.back().where;
    }
    const auto* bandwidth = std::get_if<BandwidthSettings>(&clauses.back().settings);
    if (bandwidth && bandwidth->scope == BandwidthScope::proxy) {
      if (first_shared_link) {
        return error_at(source, tokens.front().position,
                        "only one bandwidth scope=proxy clause per profile (the first is at " +
                            *first_shared_link + ")");
      }
      first_shared_link = clauses.back().where;
    }
  }
  return Profile(std::move(clauses));
}

net::Result<Profile> parse_profile_file(const std::string& path) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"),
                                                       &std::fclose);
  if (!file) return net::from_errno(errno, "profile file '" + path + "'");
  std::string text;
  char buffer[4096];
  for (;;) {
    const std::size_t n = std::fread(buffer, 1, sizeof buffer, file.get());
    text.append(buffer, n);
    if (text.size() > kMaxProfileFileBytes) {
      return net::make_error(net::ErrorKind::too_large,
                             "profile file '" + path + "': larger than 1MiB");
    }
    if (n < sizeof buffer) break;
  }
  if (std::ferror(file.get())) return net::from_errno(errno, "read profile file '" + path + "'");
  const SpecSource source{path, /*show_lines=*/true, /*quote_tokens=*/false};
  if (auto nul = text.find('\0'); nul != std::string::npos) {
    Position position;
    for (std::size_t i = 0; i < nul; ++i) {
      if (text[i] == '\n') {
        ++position.line;
        position.column = 1;
      } else {
        ++position.column;
      }
    }
    return error_at(source, position, "not a profile (a NUL byte: a binary file?)");
  }
  return parse_profile_text(text, source);
}

std::vector<std::string> profile_warnings(std::string_view text, const SpecSource& source) {
  std::vector<std::string> warnings;
  Position position;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++position.line;
      position.column = 1;
      continue;
    }
    if (text[i] != '#') {
      ++position.column;
      continue;
    }
    // A comment: does a ';' inside it hide a clause after it?
    const Position comment = position;
    std::optional<Position> separator;
    bool clause_after = false;
    for (; i + 1 < text.size() && text[i + 1] != '\n'; ++i) {
      ++position.column;
      const char c = text[i + 1];
      if (c == ';' && !separator) {
        separator = position;
      } else if (separator && !is_blank(c) && c != ';') {
        clause_after = true;
      }
    }
    if (separator && clause_after) {
      warnings.push_back(source.where(*separator) +
                         ": this ';' is inside the '#' comment at column " +
                         std::to_string(comment.column) +
                         ", which runs to the end of the line: the clause after it is ignored "
                         "(end the comment with a newline, or give that clause its own --fault)");
    }
  }
  return warnings;
}

}  // namespace faultline::fault
