#include "harness/fault/faults.h"

#include <array>
#include <utility>

namespace faultline::fault {
namespace {

template <typename Settings>
net::Result<FaultSettings> parse_as(ParamReader& params) {
  auto settings = Settings::parse(params);
  if (!settings) return tl::unexpected(settings.error());
  return FaultSettings(std::move(*settings));
}

template <typename Settings>
constexpr FaultKind kind_of() {
  return FaultKind{Settings::kName, Settings::kKeys, Settings::kHasDirection, Settings::kTransports,
                   &parse_as<Settings>};
}

template <std::size_t... I>
constexpr auto make_kinds(std::index_sequence<I...>) {
  return std::array<FaultKind, sizeof...(I)>{
      kind_of<std::variant_alternative_t<I, FaultSettings>>()...};
}

constexpr auto kKinds = make_kinds(std::make_index_sequence<std::variant_size_v<FaultSettings>>{});

}  // namespace

std::span<const FaultKind> fault_kinds() {
  return kKinds;
}

const FaultKind* find_fault_kind(std::string_view name) {
  for (const auto& kind : kKinds) {
    if (kind.name == name) return &kind;
  }
  return nullptr;
}

std::string known_fault_names() {
  std::string out;
  for (const auto& kind : kKinds) {
    if (!out.empty()) out += ", ";
    out += kind.name;
  }
  return out;
}

bool is_http_fault(const FaultSettings& settings) {
  return std::holds_alternative<HttpAbortSettings>(settings) ||
         std::holds_alternative<HttpFailSettings>(settings) ||
         std::holds_alternative<HttpDelaySettings>(settings) ||
         std::holds_alternative<HttpHeaderSettings>(settings) ||
         std::holds_alternative<HttpTruncateSettings>(settings) ||
         std::holds_alternative<HttpSlowHeadSettings>(settings);
}

bool takes_own_p(const FaultSettings& settings) {
  const auto* drop = std::get_if<DropSettings>(&settings);
  return drop && drop->takes_p();
}

std::string_view fault_name(const FaultSettings& settings) {
  return std::visit([](const auto& s) { return std::decay_t<decltype(s)>::kName; }, settings);
}

TransportSet fault_transports(const FaultSettings& settings) {
  return std::visit([](const auto& s) { return std::decay_t<decltype(s)>::kTransports; }, settings);
}

std::string print_settings(const FaultSettings& settings) {
  ParamWriter out;
  std::visit([&out](const auto& s) { s.print(out); }, settings);
  return out.text();
}

std::unique_ptr<Stage> make_stage(const FaultSettings& settings, StageContext context) {
  return std::visit(
      [&context](const auto& s) -> std::unique_ptr<Stage> {
        return s.make_stage(std::move(context));
      },
      settings);
}

}  // namespace faultline::fault
