#include "cli/usage.h"

#include <algorithm>
#include <iostream>
#include <limits>

namespace faultline::cli {
namespace {

std::string command_path(const CLI::App* app) {
  std::string path = app->get_name();
  for (const CLI::App* parent = app->get_parent(); parent != nullptr;
       parent = parent->get_parent()) {
    path = parent->get_name() + " " + path;
  }
  return path;
}

// deepest_command: the last subcommand the parser entered.
CLI::App* deepest_command(CLI::App& root) {
  CLI::App* where = &root;
  for (int depth = 0; depth < 8; ++depth) {
    auto chosen = where->get_subcommands();
    if (chosen.empty()) break;
    where = chosen.front();
  }
  return where;
}

std::vector<std::string> subcommand_names(const CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    if (!sub->get_name().empty()) names.push_back(sub->get_name());
  }
  return names;
}

std::vector<std::string> option_names(const CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::Option* option : app.get_options()) {
    for (const std::string& name : option->get_lnames())
      names.push_back("--" + name);
  }
  return names;
}

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& name : names) {
    if (!out.empty()) out += ", ";
    out += name;
  }
  return out;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j)
    row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// Arguments are echoed shortened: a stray argument may be long or sensitive.
std::string shown(std::string_view argument) {
  constexpr std::size_t kShown = 40;
  if (argument.size() <= kShown) return std::string(argument);
  return std::string(argument.substr(0, kShown)) + "...";
}

int bad_usage(const std::string& message) {
  std::cerr << "faultline: bad usage: " << message << "\n";
  return 2;
}

}  // namespace

std::string nearest_name(std::string_view typed, const std::vector<std::string>& candidates) {
  if (typed.empty()) return "";
  std::vector<std::string> prefixed;
  for (const auto& candidate : candidates) {
    if (candidate.rfind(typed, 0) == 0) prefixed.push_back(candidate);
  }
  if (prefixed.size() == 1) return prefixed.front();
  std::string best;
  // One edit for short words, two (a swapped pair, as in --tpc) from four letters on.
  std::size_t best_distance = typed.size() >= 4 ? 2 : 1;
  for (const auto& candidate : candidates) {
    const std::size_t distance = edit_distance(typed, candidate);
    if (distance <= best_distance) {
      if (distance == best_distance && !best.empty()) continue;
      best = candidate;
      best_distance = distance;
    }
  }
  return best;
}

int report_parse_error(CLI::App& root, const CLI::ParseError& error) {
  // --help, --help-all and --version: the parser's own output, status 0.
  if (error.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) return root.exit(error);

  CLI::App* where = deepest_command(root);
  const std::string path = command_path(where);

  // Arguments nothing took: a typo'd subcommand, an unknown flag, a stray word.
  for (const std::string& argument : root.remaining(true)) {
    if (argument.rfind("-", 0) == 0) {
      const std::string flag = argument.substr(0, argument.find('='));
      std::string message = path + ": unknown option '" + shown(flag) + "'";
      if (auto near = nearest_name(flag, option_names(*where)); !near.empty())
        message += " (did you mean '" + near + "'?)";
      return bad_usage(message + "; see '" + path + " --help'");
    }
    const auto commands = subcommand_names(*where);
    if (!commands.empty() && where->get_subcommands().empty()) {
      std::string message = path + ": unknown command '" + shown(argument) + "'";
      if (auto near = nearest_name(argument, commands); !near.empty())
        message += " (did you mean '" + near + "'?)";
      return bad_usage(message + "; commands: " + joined(commands));
    }
    return bad_usage(path + ": unexpected argument '" + shown(argument) + "'; see '" + path +
                     " --help'");
  }

  // A group run without one of its subcommands.
  const auto commands = subcommand_names(*where);
  if (!commands.empty() && where->get_subcommands().empty() &&
      where->get_require_subcommand_min() > 0) {
    return bad_usage(path + ": missing a subcommand (one of: " + joined(commands) + "); see '" +
                     path + " --help'");
  }
  return bad_usage(path + ": " + error.what());
}

CLI::Validator whole_number_check(std::uint64_t min, std::uint64_t max) {
  const std::string range = std::to_string(min) + " to " + std::to_string(max);
  return CLI::Validator(
      [min, max, range](std::string& text) -> std::string {
        if (text.empty()) return "expected a whole number from " + range + ", got nothing";
        const bool digits = text.size() <= 20 && std::all_of(text.begin(), text.end(), [](char c) {
                              return c >= '0' && c <= '9';
                            });
        if (!digits) {
          return "expected a whole number from " + range + ", got '" + shown(text) + "'";
        }
        std::uint64_t value = 0;
        for (char c : text) {
          const auto digit = static_cast<std::uint64_t>(c - '0');
          if (value > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) {
            return "'" + shown(text) + "' is out of range (" + range + ")";
          }
          value = value * 10 + digit;
        }
        if (value < min || value > max) {
          return "'" + text + "' is out of range (" + range + ")";
        }
        // No leading zeros reach CLI11's base-0 conversion, where 010 is octal.
        text = std::to_string(value);
        return "";
      },
      "", "WHOLE_NUMBER");
}

void check_every_seed(CLI::App& root) {
  for (CLI::Option* option : root.get_options()) {
    if (option->check_lname("seed"))
      option->transform(whole_number_check(0, std::numeric_limits<std::uint64_t>::max()));
  }
  for (CLI::App* sub : root.get_subcommands([](CLI::App*) { return true; }))
    check_every_seed(*sub);
}

}  // namespace faultline::cli
