#include "harness/fault/timeline.h"

#include <algorithm>

#include "targets/net/duration.h"

namespace faultline::fault {
namespace {
constexpr std::uint64_t kMaxConnectionIndex = 1'000'000'000'000;
}  // namespace

bool Timeline::selects(std::uint64_t connection_index) const {
  return connection_index >= from_conn && (!to_conn || connection_index <= *to_conn);
}

bool Timeline::active_since(Time elapsed) const {
  if (elapsed < start) return false;
  const Time into = elapsed - start;
  if (every) return into % *every < length.value_or(*every);
  return !length || into < *length;
}

bool Timeline::active(Time now, const ChainClock& clock) const {
  if (in_time()) return true;
  const Time origin = connection_clock ? clock.opened : clock.started;
  return active_since(now < origin ? Time{0} : now - origin);
}

Time Timeline::next_change(Time elapsed) const {
  if (in_time()) return kNever;
  if (elapsed < start) return start;
  const Time into = elapsed - start;
  if (every) {
    const Time period_start = into - into % *every;
    const Time close = period_start + length.value_or(*every);
    return start + (into < close ? close : period_start + *every);
  }
  if (length && into < *length) return start + *length;
  return kNever;
}

Timeline Timeline::parse(ParamReader& params, bool allow_connection_clock) {
  Timeline t;
  t.start = params.duration("start", Time{0});
  t.length = params.duration("for");
  t.every = params.duration("every");
  t.connection_clock = params.choice("clock", {"proxy", "connection"}, "proxy") == "connection";
  t.from_conn = params.count("from_conn", 0, 0, kMaxConnectionIndex);
  if (params.has("to_conn")) t.to_conn = params.count("to_conn", 0, 0, kMaxConnectionIndex);
  if (!params.ok()) return t;
  if (t.length && *t.length == Time{0}) {
    params.fail("for", "for=0 would never act (leave the clause out instead)");
  } else if (t.every && *t.every == Time{0}) {
    params.fail("every", "every=0 is not a period (use for= alone for one window)");
  } else if (t.every && !t.length) {
    params.fail("every", "every= repeats a window: give its length with for= (e.g. for=2s)");
  } else if (t.every && t.length && *t.length > *t.every) {
    params.fail("for", "for=" + net::format_duration(*t.length) + " is longer than every=" +
                           net::format_duration(*t.every) + " (the windows would overlap)");
  } else if (t.to_conn && *t.to_conn < t.from_conn) {
    params.fail("to_conn", "to_conn=" + std::to_string(*t.to_conn) +
                               " is before from_conn=" + std::to_string(t.from_conn));
  } else if (t.connection_clock && !allow_connection_clock) {
    params.fail("clock", "this fault acts when a connection opens: only clock=proxy applies");
  } else if (t.connection_clock && t.in_time()) {
    params.fail("clock", "clock=connection goes with start= or for= (there is no window to time)");
  }
  return t;
}

void Timeline::print(ParamWriter& out) const {
  if (start != Time{0}) out.duration("start", start);
  if (length) out.duration("for", *length);
  if (every) out.duration("every", *every);
  if (connection_clock) out.word("clock", "connection");
  if (from_conn != 0) out.word("from_conn", std::to_string(from_conn));
  if (to_conn) out.word("to_conn", std::to_string(*to_conn));
}

TimelineStage::TimelineStage(std::unique_ptr<Stage> inner, const Timeline& timeline,
                             ChainClock clock, Transport transport)
    : inner_(std::move(inner)), timeline_(timeline), clock_(clock), transport_(transport) {}

void TimelineStage::note(const Output& out, std::size_t from) {
  for (std::size_t i = from; i < out.chunks.size(); ++i) {
    last_release_ = last_delivered(last_release_, out.chunks[i].release);
  }
}

void TimelineStage::on_chunk(Chunk chunk, Time now, Output& out) {
  if (timeline_.active(now, clock_)) {
    const std::size_t from = out.chunks.size();
    inner_->on_chunk(std::move(chunk), now, out);
    note(out, from);
    return;
  }
  chunk.release = std::max(chunk.release, now);
  if (transport_ == Transport::stream) chunk.release = std::max(chunk.release, last_release_);
  last_release_ = last_delivered(last_release_, chunk.release);
  out.chunks.push_back(std::move(chunk));
}

void TimelineStage::on_end(End end, Time now, Output& out) {
  if (timeline_.active(now, clock_)) {
    inner_->on_end(end, now, out);
    return;
  }
  end.at = std::max({end.at, now, last_release_});
  out.end = end;
}

}  // namespace faultline::fault
