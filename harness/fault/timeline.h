// harness/fault/timeline.h: when a clause acts. Every clause takes these keys
// besides its own:
//
//   start=DURATION     begins this long after the transport started (0)
//   for=DURATION       lasts this long (forever)
//   every=DURATION     the window [start, start+for) repeats with this period
//   clock=connection   start/for/every count from the connection's opening
//                      instead of the transport's start (clock=proxy)
//   from_conn=N        only connections N.. (0-based, in accept order)
//   to_conn=N          only connections ..N (inclusive)
//
//   down start=2s for=3s                      # the upstream is gone from 2s to 5s
//   down start=10s for=2s every=10s           # and then flaps: down 2s in every 10s
//   reset after=1KiB from_conn=3 to_conn=3    # only the fourth connection
//   stall dir=down start=500ms clock=connection   # each connection hangs after 500ms
//
// Outside its window a byte fault passes what it is given through (keeping
// a stream's order behind anything it still releases later); what a fault
// already holds when its window closes stays where it is (a stall's bytes
// stay held: use its close_after to end it). `down` is asked when a
// connection opens, on the transport's clock.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>

#include "harness/fault/params.h"
#include "harness/fault/stage.h"

namespace faultline::fault {

// ChainClock: the times a clause's window counts from, on the transport's
// clock: when the transport started and when the connection opened.
struct ChainClock {
  Time started{0};
  Time opened{0};
};

// Timeline: a clause's window and connection range; the default is always on.
struct Timeline {
  Time start{0};
  std::optional<Time> length;  // for=
  std::optional<Time> every;
  bool connection_clock = false;
  std::uint64_t from_conn = 0;
  std::optional<std::uint64_t> to_conn;

  // in_time: no window at all (start=0, no for=): the clause acts at every moment.
  bool in_time() const { return start == Time{0} && !length; }
  bool selects(std::uint64_t connection_index) const;
  // active_since: whether the window is open `elapsed` after its origin.
  bool active_since(Time elapsed) const;
  // active: at transport time `now`, with the origin `clock` gives.
  bool active(Time now, const ChainClock& clock) const;
  // next_change: the first elapsed time after `elapsed` at which the window
  // opens or closes; kNever when it never changes again.
  Time next_change(Time elapsed) const;

  // parse reads the timeline keys (checked and kept in `params`' error);
  // `fault` and `allow_connection_clock` shape the messages.
  static Timeline parse(ParamReader& params, bool allow_connection_clock);
  void print(ParamWriter& out) const;
  friend bool operator==(const Timeline&, const Timeline&) = default;
};

// kTimelineKeys: the keys every clause takes for its timeline, in canonical order.
inline constexpr std::array<std::string_view, 6> kTimelineKeys{"start", "for",       "every",
                                                               "clock", "from_conn", "to_conn"};

// TimelineStage: a stage that acts only inside its window, and passes its
// input through outside it.
class TimelineStage final : public Stage {
 public:
  TimelineStage(std::unique_ptr<Stage> inner, const Timeline& timeline, ChainClock clock,
                Transport transport);
  void on_chunk(Chunk chunk, Time now, Output& out) override;
  void on_end(End end, Time now, Output& out) override;

 private:
  void note(const Output& out, std::size_t from);

  std::unique_ptr<Stage> inner_;
  const Timeline& timeline_;
  ChainClock clock_;
  Transport transport_;
  Time last_release_{0};
};

}  // namespace faultline::fault
