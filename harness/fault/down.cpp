#include "harness/fault/down.h"

namespace faultline::fault {

std::string_view connection_policy_name(ConnectionPolicy policy) {
  switch (policy) {
    case ConnectionPolicy::accept:
      return "accept";
    case ConnectionPolicy::refuse:
      return "refuse";
    case ConnectionPolicy::blackhole:
      return "blackhole";
  }
  return "accept";
}

net::Result<DownSettings> DownSettings::parse(ParamReader& params) {
  DownSettings s;
  s.mode = params.choice("mode", {"refuse", "blackhole"}, "refuse") == "blackhole"
               ? ConnectionPolicy::blackhole
               : ConnectionPolicy::refuse;
  return params.finish(s);
}

void DownSettings::print(ParamWriter& out) const {
  out.word("mode", connection_policy_name(mode));
}

}  // namespace faultline::fault
