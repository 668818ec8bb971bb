#include "selfguard/guard.h"

#include "selfguard/checks.h"
#include "shell/analyze.h"

namespace preloop::selfguard {

Finding check(const protocol::HookEvent& ev, const Inputs& in, const AnalysisFn& analysis) {
  const std::string& tool = ev.tool_name;
  bool bash = tool == "Bash";
  bool mcp = tool.rfind("mcp__", 0) == 0;
  bool file = tool == "Write" || tool == "Edit" || tool == "MultiEdit" || tool == "NotebookEdit" || tool == "Read" ||
              tool == "Grep" || tool == "Glob";
  if (!bash && !mcp && !file) return {};
  if (bash) {
    const shell::Analysis& a = analysis();
    if (a.commands.empty() && !a.unparseable) return {};
    ProtectedSet set(in);
    return check_bash(ev, a, in, set);
  }
  if (ev.tool_input.empty()) return {};
  ProtectedSet set(in);
  return mcp ? check_mcp_tool(ev, in, set) : check_file_tool(ev, in, set);
}

}  // namespace preloop::selfguard
