#include "selfguard/own_cli.h"

#include <algorithm>

#include "selfguard/finding.h"
#include "selfguard/resolve.h"

namespace preloop::selfguard {
namespace {

bool has_arg(const shell::Command& c, std::initializer_list<const char*> names) {
  for (const auto& a : c.args)
    for (const char* n : names)
      if (a == n || a.rfind(std::string(n) + "=", 0) == 0) return true;
  return false;
}

// The subcommand words (operands before the first option value), e.g. {"audit", "prune"}.
std::vector<std::string> subcommands(const shell::Command& c) {
  std::vector<std::string> out;
  for (const auto& a : c.args) {
    if (a == "--") break;
    if (!a.empty() && a[0] == '-') continue;
    out.push_back(a);
    if (out.size() == 2) break;
  }
  return out;
}

// Environment names that relocate what the guard reads and writes.
bool overrides_locations(const std::string& text) {
  for (const char* n : {"PRELOOP_HOOK_", "XDG_", "HOME=", "CLAUDE_PROJECT_DIR", "CLAUDE_CONFIG_DIR", "CLAUDE_PLUGIN_ROOT",
                        "PRELOOP_URL", "PRELOOP_API_KEY"})
    if (text.find(n) != std::string::npos) return true;
  return false;
}

Finding blocked_cli(const std::string& what) {
  return deny("self-protection.cli", "Blocked: `preloop-hook " + what +
                                         "` changes or switches off the guard that checks this session; it" + kUserOnly);
}

}  // namespace

bool runs_preloop_hook(const shell::Command& c, const ProtectedSet& set) {
  if (c.name == "preloop-hook" || c.name == "preloop_hook") return true;
  if (c.word.find('/') == std::string::npos) return false;
  // A symlink or hard link to the binary under another name.
  Resolved r = set.resolve(c.word, c.cwd, "");
  for (const auto& e : set.entries())
    if (e.binary && !r.real.empty() && r.real == e.real) return true;
  return false;
}

bool own_cli_read_only(const shell::Command& c) {
  if (c.args.empty() || has_arg(c, {"--help", "-h", "--version"})) return true;
  auto sub = subcommands(c);
  if (sub.empty()) return false;
  const std::string& s = sub[0];
  const std::string s2 = sub.size() > 1 ? sub[1] : "";
  if (s == "doctor" || s == "test" || s == "scan" || s == "help" || s == "version") return true;
  if (s == "rules") return s2 == "validate" || s2 == "packs";
  if (s == "audit") {
    if (s2 == "export") return !has_arg(c, {"-o", "--output", "--out"});
    return s2 == "list" || s2 == "show" || s2 == "verify" || s2 == "stats" || s2 == "tail";
  }
  return false;
}

Finding check_own_cli(const shell::Command& c, const std::string& command_text) {
  auto sub = subcommands(c);
  std::string what = sub.empty() ? "" : sub[0] + (sub.size() > 1 ? " " + sub[1] : "");
  if (!c.assignments.empty() || overrides_locations(command_text))
    return deny("self-protection.cli",
                "Blocked: running preloop-hook with its locations or service overridden in the environment "
                "(PRELOOP_HOOK_*, XDG_*, HOME, CLAUDE_*) points it at files the user did not choose; it" +
                    std::string(kUserOnly));
  if (own_cli_read_only(c)) return {};
  if (!sub.empty() && sub[0] == "sync") {
    // A sync from the configured account is routine; pointed anywhere else it replaces the policy.
    if (c.args.size() == 1) return {};
    return blocked_cli("sync " + std::string("with options"));
  }
  if (what.empty()) what = "with these arguments";
  return blocked_cli(what);
}

}  // namespace preloop::selfguard
