#include "harness/fault/http_exchange.h"

#include <algorithm>
#include <variant>

#include "targets/http/serialize.h"

namespace faultline::fault {
namespace {

const HttpMatch* match_of(const FaultSettings& settings) {
  return std::visit(
      [](const auto& s) -> const HttpMatch* {
        if constexpr (requires { s.match; }) {
          return &s.match;
        } else {
          return nullptr;
        }
      },
      settings);
}

void set_header(http::Headers& headers, const std::string& name, const std::string& value) {
  bool done = false;
  for (auto it = headers.begin(); it != headers.end();) {
    if (!http::iequals(it->name, name)) {
      ++it;
      continue;
    }
    if (done) {
      it = headers.erase(it);
      continue;
    }
    it->value = value;
    done = true;
    ++it;
  }
  if (!done) headers.push_back(http::Header{name, value});
}

void remove_header(http::Headers& headers, const std::string& name) {
  std::erase_if(headers, [&](const http::Header& h) { return http::iequals(h.name, name); });
}

bool applies_to(const Clause& clause, Direction direction) {
  return clause.applies_to(direction);
}

}  // namespace

std::string make_http_reply(int status, std::string_view fault, bool close) {
  http::Response response;
  response.status_code = status;
  response.reason = std::string(http::reason_phrase(status));
  response.headers.push_back({"Content-Type", "text/plain"});
  response.headers.push_back({"X-Faultline-Fault", std::string(fault)});
  if (close) response.headers.push_back({"Connection", "close"});
  response.body = "faultline: " + std::string(fault) + "\n";
  return http::serialize(response);
}

HttpExchange::HttpExchange(Profile profile, std::uint64_t seed, std::uint64_t connection_index,
                           std::shared_ptr<HttpSharedState> shared, ChainClock clock)
    : profile_(std::move(profile)),
      seed_(seed),
      connection_(connection_index),
      shared_(std::move(shared)),
      clock_(clock),
      counts_(profile_.clauses().size(), 0) {
  rngs_.reserve(profile_.clauses().size());
  for (std::size_t i = 0; i < profile_.clauses().size(); ++i) {
    rngs_.emplace_back(derive_seed(seed_, connection_, Direction::up, i));
  }
}

void HttpExchange::fire(Output& out, std::size_t clause, std::string_view what, Time at,
                        std::uint64_t value) const {
  out.events.push_back(FaultEvent{profile_.clauses()[clause].name(), what, clause, at, value});
}

bool HttpExchange::applies(std::size_t clause_index, const http::Message& request, Time now) {
  const Clause& clause = profile_.clauses()[clause_index];
  if (!is_http_fault(clause.settings)) return false;
  if (!profile_.active(clause_index, connection_, now, clock_)) return false;
  const HttpMatch* match = match_of(clause.settings);
  if (match && !match->matches(request)) return false;
  // Drawn only for matching requests, so a match= elsewhere does not shift the dice.
  return rngs_[clause_index].chance(clause.toxicity);
}

void HttpExchange::emit_up(std::string bytes, Time release, HttpOutput& out) {
  last_up_ = std::max(last_up_, release);
  out.up.chunks.push_back(Chunk{std::move(bytes), last_up_});
}

void HttpExchange::emit_down(std::string bytes, Time release, HttpOutput& out) {
  if (down_ended_) return;
  last_down_ = std::max(last_down_, release);
  out.down.chunks.push_back(Chunk{std::move(bytes), last_down_});
}

void HttpExchange::end_down(Time at, HttpOutput& out) {
  if (down_ended_) return;
  down_ended_ = true;
  out.down.end = End{EndKind::close, std::max(at, last_down_), /*whole_connection=*/true};
}

void HttpExchange::on_client_chunk(Chunk chunk, Time now, HttpOutput& out) {
  if (up_raw_) {
    emit_up(std::move(chunk.bytes), std::max(now, chunk.release), out);
    return;
  }
  if (auto fed = requests_.feed(chunk.bytes); !fed) {
    // Not HTTP: answer as a proxy would, once, and end the connection.
    take_requests(now, out);
    Slot slot;
    slot.answered = true;
    slot.reply = make_http_reply(400, "bad_request", true);
    slot.close_after = true;
    slot.sequence = next_sequence_++;
    slots_.push_back(std::move(slot));
    flush_answers(now, out);
    up_raw_ = true;  // nothing more is parsed
    return;
  }
  take_requests(now, out);
}

void HttpExchange::on_client_end(End end, Time now, HttpOutput& out) {
  if (!up_raw_ && end.kind == EndKind::close) {
    (void)requests_.finish();
    take_requests(now, out);
  }
  end.at = std::max({end.at, now, last_up_});
  out.up.end = end;
}

void HttpExchange::take_requests(Time now, HttpOutput& out) {
  const auto& clauses = profile_.clauses();
  while (auto request = requests_.next()) {
    Slot slot;
    slot.sequence = next_sequence_++;
    Time release = now;
    std::optional<std::pair<std::size_t, int>> answer;  // clause, status
    for (std::size_t i = 0; i < clauses.size(); ++i) {
      if (!applies(i, *request, now)) continue;
      const auto& settings = clauses[i].settings;
      if (const auto* abort = std::get_if<HttpAbortSettings>(&settings)) {
        if (!answer) answer = std::pair{i, abort->status};
      } else if (const auto* fail = std::get_if<HttpFailSettings>(&settings)) {
        const std::uint64_t seen =
            fail->scope == HttpFailScope::proxy && shared_ ? shared_->take(i) : counts_[i]++;
        if (seen < fail->first && !answer) answer = std::pair{i, fail->status};
      } else if (const auto* delay = std::get_if<HttpDelaySettings>(&settings)) {
        if (applies_to(clauses[i], Direction::up)) {
          release = later(release, delay->delay);
          fire(out.up, i, "delay", now, static_cast<std::uint64_t>(delay->delay.count()));
        }
        if (applies_to(clauses[i], Direction::down)) slot.response_clauses.push_back(i);
      } else if (const auto* header = std::get_if<HttpHeaderSettings>(&settings)) {
        if (applies_to(clauses[i], Direction::up)) {
          if (header->remove)
            remove_header(request->headers, header->name);
          else
            set_header(request->headers, header->name, header->value);
          fire(out.up, i, "header", now);
        }
        if (applies_to(clauses[i], Direction::down)) slot.response_clauses.push_back(i);
      } else {
        slot.response_clauses.push_back(i);  // http_truncate, http_slow_head
      }
    }
    if (answer) {
      const auto [clause, status] = *answer;
      fire(out.down, clause, clauses[clause].name() == "http_fail" ? "fail" : "abort", now,
           static_cast<std::uint64_t>(status));
      slot.answered = true;
      slot.close_after = !request->keep_alive;
      slot.reply = make_http_reply(status, clauses[clause].name(), slot.close_after);
      slot.response_clauses.clear();
      slots_.push_back(std::move(slot));
      flush_answers(now, out);
    } else {
      responses_.expect_response_to(request->method);
      emit_up(http::serialize(*request), release, out);
      slots_.push_back(std::move(slot));
    }
    if (request->upgrade || requests_.upgraded()) {
      up_raw_ = true;
      if (std::string rest = requests_.take_upgrade_data(); !rest.empty()) {
        emit_up(std::move(rest), release, out);
      }
      return;
    }
  }
}

void HttpExchange::flush_answers(Time now, HttpOutput& out) {
  while (!slots_.empty() && slots_.front().answered) {
    Slot slot = std::move(slots_.front());
    slots_.pop_front();
    emit_down(std::move(slot.reply), now, out);
    if (slot.close_after) end_down(now, out);
  }
}

void HttpExchange::on_upstream_chunk(Chunk chunk, Time now, HttpOutput& out) {
  if (down_raw_) {
    emit_down(std::move(chunk.bytes), std::max(now, chunk.release), out);
    return;
  }
  if (auto fed = responses_.feed(chunk.bytes); !fed) {
    take_responses(now, out);
    emit_down(make_http_reply(502, "bad_response", true), now, out);
    end_down(now, out);
    down_raw_ = true;
    return;
  }
  take_responses(now, out);
}

void HttpExchange::on_upstream_end(End end, Time now, HttpOutput& out) {
  if (!down_raw_ && end.kind == EndKind::close) {
    (void)responses_.finish();
    take_responses(now, out);
  }
  flush_answers(now, out);
  if (down_ended_) return;
  end.at = std::max({end.at, now, last_down_});
  out.down.end = end;
  down_ended_ = true;
}

void HttpExchange::take_responses(Time now, HttpOutput& out) {
  while (auto response = responses_.next()) {
    Slot slot;
    const bool interim =
        response->status_code >= 100 && response->status_code < 200 && response->status_code != 101;
    if (!interim && !slots_.empty() && !slots_.front().answered) {
      slot = std::move(slots_.front());
      slots_.pop_front();
    } else if (!slots_.empty() && !slots_.front().answered) {
      slot.response_clauses = slots_.front().response_clauses;  // a 1xx: same faults, kept
    }
    const bool upgrade = response->upgrade;
    send_response(std::move(*response), slot, now, out);
    if (down_ended_) return;
    if (upgrade || responses_.upgraded()) {
      down_raw_ = true;
      if (std::string rest = responses_.take_upgrade_data(); !rest.empty()) {
        emit_down(std::move(rest), now, out);
      }
      return;
    }
    flush_answers(now, out);
  }
}

void HttpExchange::send_response(http::Message response, const Slot& slot, Time now,
                                 HttpOutput& out) {
  const auto& clauses = profile_.clauses();
  Time release = now;
  const HttpSlowHeadSettings* slow = nullptr;
  std::size_t slow_clause = 0;
  std::optional<std::pair<std::size_t, std::uint64_t>> truncate;  // clause, after
  for (std::size_t i : slot.response_clauses) {
    const auto& settings = clauses[i].settings;
    if (const auto* delay = std::get_if<HttpDelaySettings>(&settings)) {
      release = later(release, delay->delay);
      fire(out.down, i, "delay", now, static_cast<std::uint64_t>(delay->delay.count()));
    } else if (const auto* header = std::get_if<HttpHeaderSettings>(&settings)) {
      if (header->remove)
        remove_header(response.headers, header->name);
      else
        set_header(response.headers, header->name, header->value);
      fire(out.down, i, "header", now);
    } else if (const auto* head = std::get_if<HttpSlowHeadSettings>(&settings)) {
      if (!slow) slow = head, slow_clause = i;
    } else if (const auto* cut = std::get_if<HttpTruncateSettings>(&settings)) {
      if (!truncate) truncate = std::pair{i, cut->after};
    }
  }
  std::string bytes = http::serialize(response);
  const std::size_t head_end = bytes.find("\r\n\r\n");
  const std::size_t head_size = head_end == std::string::npos ? bytes.size() : head_end + 4;
  if (truncate) {
    const std::size_t keep = static_cast<std::size_t>(
        std::min<std::uint64_t>(bytes.size(), head_size + truncate->second));
    if (keep < bytes.size()) {
      fire(out.down, truncate->first, "truncate", now, keep - head_size);
      bytes.resize(keep);
    } else {
      truncate.reset();  // the body is shorter than `after`: nothing to cut
    }
  }
  if (slow) {
    fire(out.down, slow_clause, "slow_head", now, head_size);
    std::size_t sent = 0;
    while (sent < head_size) {
      const std::size_t piece = std::min<std::size_t>(slow->size, head_size - sent);
      emit_down(bytes.substr(sent, piece), release, out);
      sent += piece;
      if (sent < head_size) release = later(release, slow->delay);
    }
    if (head_size < bytes.size()) emit_down(bytes.substr(head_size), release, out);
  } else {
    emit_down(std::move(bytes), release, out);
  }
  if (truncate) end_down(release, out);
}

}  // namespace faultline::fault
