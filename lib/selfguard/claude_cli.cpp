#include "selfguard/claude_cli.h"

#include "selfguard/finding.h"

namespace preloop::selfguard {
namespace {

bool one_of(const std::string& s, std::initializer_list<const char*> set) {
  for (const char* x : set)
    if (s == x) return true;
  return false;
}

}  // namespace

Finding check_claude_cli(const shell::Command& c) {
  if (c.name != "claude" && c.name != "claude-code") return {};
  for (const auto& a : c.args) {
    std::string opt = a.substr(0, a.find('='));
    if (one_of(opt, {"--dangerously-skip-permissions", "--allow-dangerously-skip-permissions", "--settings",
                     "--setting-sources", "--allowedTools", "--allowed-tools", "--permission-prompt-tool",
                     "--mcp-config", "--plugin-dir"}) ||
        (opt == "--permission-mode" && a.find("bypass") != std::string::npos))
      return deny("self-protection.claude",
                  "Blocked: `claude " + a + "` starts a Claude Code session with other settings or weaker permissions "
                  "than this one; that" + std::string(kUserOnly));
    if (a == "--permission-mode") {
      for (std::size_t k = 0; k + 1 < c.args.size(); ++k)
        if (c.args[k] == "--permission-mode" && c.args[k + 1] == "bypassPermissions")
          return deny("self-protection.claude", "Blocked: a nested Claude Code session without permission checks; "
                                                "that" + std::string(kUserOnly));
    }
  }
  const auto& ops = c.operands;
  if (ops.size() >= 2) {
    const std::string& s = ops[0];
    const std::string& s2 = ops[1];
    bool changes = (s == "config" && one_of(s2, {"set", "add", "remove", "reset"})) ||
                   (s == "mcp" && !one_of(s2, {"list", "get", "serve"})) ||
                   ((s == "plugin" || s == "plugins") && !one_of(s2, {"list", "validate"})) ||
                   (s == "install" || s == "update" || s == "migrate-installer");
    if (changes)
      return deny("self-protection.claude", "Blocked: `claude " + s + " " + s2 +
                                                "` changes Claude Code's settings, MCP servers or plugins; that" +
                                                std::string(kUserOnly));
  }
  return {};
}

}  // namespace preloop::selfguard
