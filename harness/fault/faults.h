// harness/fault/faults.h: the catalogue of faults. Adding a fault = one file
// pair (settings + stage, see latency.h for the shape) and one entry in
// FaultSettings below; the parser, printer and chain builder pick it up.
//
//   const FaultKind* kind = find_fault_kind("latency");   // keys, transports, parse
//   FaultSettings settings = kind->parse(params).value();
//   fault_name(settings);                                  // "latency"
//   auto stage = make_stage(settings, std::move(context)); // nullptr for down
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <variant>

#include "harness/fault/bandwidth.h"
#include "harness/fault/corrupt.h"
#include "harness/fault/down.h"
#include "harness/fault/drop.h"
#include "harness/fault/duplicate.h"
#include "harness/fault/half_close.h"
#include "harness/fault/http_faults.h"
#include "harness/fault/latency.h"
#include "harness/fault/limit_data.h"
#include "harness/fault/params.h"
#include "harness/fault/reorder.h"
#include "harness/fault/reset.h"
#include "harness/fault/retransmit.h"
#include "harness/fault/slicer.h"
#include "harness/fault/slow_close.h"
#include "harness/fault/stall.h"
#include "harness/fault/truncate.h"

namespace faultline::fault {

// FaultSettings: one fault's validated settings; the alternative says which fault.
using FaultSettings =
    std::variant<LatencySettings, BandwidthSettings, SlicerSettings, StallSettings, ResetSettings,
                 LimitDataSettings, SlowCloseSettings, HalfCloseSettings, RetransmitSettings,
                 CorruptSettings, DropSettings, DuplicateSettings, ReorderSettings,
                 TruncateSettings, DownSettings, HttpAbortSettings, HttpFailSettings,
                 HttpDelaySettings, HttpHeaderSettings, HttpTruncateSettings, HttpSlowHeadSettings>;

// is_http_fault: an HTTP-aware fault (http_faults.h), which needs a transport
// that reads HTTP rather than a Stage.
bool is_http_fault(const FaultSettings& settings);

// takes_own_p: the fault reads `p=` as a setting of its own (drop
// model=gilbert, whose p is netem's good -> bad chance), so the clause has no
// toxicity key: it applies to every connection.
bool takes_own_p(const FaultSettings& settings);

// FaultKind: what the parser needs to know about a fault before it has settings.
struct FaultKind {
  std::string_view name;
  std::span<const std::string_view> keys;  // the fault's own keys, in canonical order
  bool has_direction = true;               // accepts dir=
  TransportSet transports;
  net::Result<FaultSettings> (*parse)(ParamReader& params) = nullptr;
};

// fault_kinds: every fault, in catalogue order.
std::span<const FaultKind> fault_kinds();

// find_fault_kind: the fault called `name`, or nullptr.
const FaultKind* find_fault_kind(std::string_view name);

// known_fault_names: "latency, bandwidth, ..." for error messages.
std::string known_fault_names();

std::string_view fault_name(const FaultSettings& settings);
TransportSet fault_transports(const FaultSettings& settings);

// print_settings: the fault's own keys, canonical (" delay=100ms jitter=20ms").
std::string print_settings(const FaultSettings& settings);

// make_stage: a fresh stage for one connection direction; nullptr for down,
// which is a connection policy rather than a stage. The stage refers to
// `settings`, which must outlive it (a Chain keeps its profile alive).
std::unique_ptr<Stage> make_stage(const FaultSettings& settings, StageContext context);

}  // namespace faultline::fault
