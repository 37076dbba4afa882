// targets/net/duration.h: human durations and sizes for flags and specs.
//
//   net::parse_duration("250ms")  -> 250ms      net::parse_duration("1.5s") -> 1500ms
//   net::parse_size("64KiB")      -> 65536      net::format_duration(1500ms) -> "1.5s"
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "targets/net/deadline.h"
#include "targets/net/error.h"

namespace faultline::net {

// parse_duration accepts a number with a unit: ns, us, ms, s, m, h ("0" alone
// is allowed). Rejects negatives, missing units and overflow, naming the text.
Result<Duration> parse_duration(std::string_view text);

// parse_size accepts bytes with an optional unit: B, KB, KiB, MB, MiB, GB, GiB
// (also k/K, m/M, g/G as binary multiples).
Result<std::uint64_t> parse_size(std::string_view text);

// format_duration prints the shortest exact form ("250ms", "1.5s", "2m").
std::string format_duration(Duration d);

}  // namespace faultline::net
