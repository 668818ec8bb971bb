// Qwen Code: Claude Code's hook format (PreToolUse / PostToolUse /
// PostToolUseFailure in settings.json, hookSpecificOutput.permissionDecision)
// with Qwen's tool names. "ask" needs a terminal: in headless runs
// (--prompt) and background subagents Qwen turns it into a deny. A result is
// masked with continue:false, whose stopReason the model reads in place of
// the output (Qwen ignores updatedToolOutput, decision:block and exit 2 after
// a tool has run). Its version is only in the hook's environment
// (QWEN_CODE_STARTUP_VERSION).
#include <cstdlib>

#include "agents/adapters.h"
#include "agents/tools.h"

namespace preloop::agents {
namespace {

using nlohmann::json;

constexpr ToolMapping kTools[] = {
    {"run_shell_command", "Bash"},
    {"write_file", "Write"},
    {"edit", "Edit"},
    {"read_file", "Read", {{"absolute_path", "file_path"}}},
    {"web_fetch", "WebFetch"},
    {"web_search", "WebSearch"},
    {"glob", "Glob"},
    {"grep_search", "Grep"},
};

void name_the_agent(protocol::HookEvent& ev) {
  ev.agent = qwen_code().audit_name;
  if (const char* version = std::getenv("QWEN_CODE_STARTUP_VERSION")) ev.agent_version = version;
}

protocol::HookEvent parse(std::string_view text) {
  protocol::HookEvent ev = protocol::parse_event(text);
  if (!protocol::is_tool_event(ev.kind)) ev.kind = protocol::EventKind::Other;  // Claude Code's own events
  name_the_agent(ev);
  if (ev.kind != protocol::EventKind::Other) map_to_claude(kTools, ev);
  return ev;
}

protocol::HookEvent sniff(std::string_view text) {
  protocol::HookEvent ev = protocol::sniff_event(text);
  name_the_agent(ev);
  return ev;
}

protocol::Reply pre(const protocol::HookEvent& ev, const Decision& d, const json& updated_input,
                    const std::string& additional_context) {
  return protocol::pre_tool_use_reply(d, updated_input.is_null() ? json() : map_to_native(kTools, ev, updated_input),
                                      additional_context);
}

protocol::Reply post(const protocol::HookEvent&, const json& updated_output, const std::string& additional_context) {
  if (updated_output.is_null()) return protocol::post_tool_use_reply(nullptr, additional_context);
  std::string text = tool_result_text(updated_output);
  if (!additional_context.empty()) text += "\n\n" + additional_context;
  protocol::Reply r;
  r.stdout_text = json_line({{"continue", false}, {"stopReason", std::move(text)}});
  return r;
}

}  // namespace

const Adapter& qwen_code() {
  static const Adapter a{"qwen", "qwen_code", parse, sniff, pre, post};
  return a;
}

}  // namespace preloop::agents
