// Gemini CLI: BeforeTool / AfterTool hooks in settings.json.
//   in:  {session_id, transcript_path, cwd, hook_event_name, timestamp, tool_name, tool_input,
//         tool_response (AfterTool: {llmContent, returnDisplay, error}), mcp_context?}
//   out: {decision: allow|deny|ask, reason, hookSpecificOutput: {tool_input | additionalContext}}
// Gemini treats stdout that is not JSON, and exit codes other than 0 and 2,
// as "no objection": a deny is a deny JSON and exit 2 with the reason on
// stderr (both block). A masked result is an AfterTool deny whose reason is the
// masked text: Gemini replaces the tool's result with the reason.
// "ask" makes a headless run (gemini -p) wait forever for an answer no one
// can give, and the input does not tell a headless run from an interactive
// one: a call the policy would ask about is denied, saying it needs a
// person's confirmation (fail closed).
#include "agents/adapters.h"
#include "agents/tools.h"

namespace preloop::agents {
namespace {

using nlohmann::json;

constexpr ToolMapping kTools[] = {
    {"run_shell_command", "Bash"},
    {"write_file", "Write"},
    {"replace", "Edit"},
    {"read_file", "Read", {{"absolute_path", "file_path"}}},
    {"web_fetch", "WebFetch"},
    {"google_web_search", "WebSearch"},
    {"glob", "Glob"},
    {"search_file_content", "Grep"},
    {"grep_search", "Grep"},
};

protocol::EventKind kind_of(const std::string& name) {
  if (name == "BeforeTool") return protocol::EventKind::PreToolUse;
  if (name == "AfterTool") return protocol::EventKind::PostToolUse;
  return protocol::EventKind::Other;
}

const char* claude_event(protocol::EventKind kind) {
  return kind == protocol::EventKind::PreToolUse ? "PreToolUse" : "PostToolUse";
}

protocol::HookEvent parse(std::string_view text) {
  json j = protocol::parse_event_object(text);
  protocol::HookEvent ev;
  ev.raw_size = text.size();
  ev.agent = gemini_cli().audit_name;
  const std::string name = string_field(j, "hook_event_name");
  if (name.empty()) throw protocol::ProtocolError("hook input has no 'hook_event_name'");
  ev.kind = kind_of(name);
  ev.event_name = ev.kind == protocol::EventKind::Other ? name : claude_event(ev.kind);
  ev.session_id = string_field(j, "session_id");
  ev.transcript_path = string_field(j, "transcript_path");
  ev.cwd = string_field(j, "cwd");
  if (ev.kind == protocol::EventKind::Other) return ev;
  ev.tool_name = string_field(j, "tool_name");
  if (ev.tool_name.empty()) throw protocol::ProtocolError("hook input has no 'tool_name'");
  ev.tool_input = object_field(j, "tool_input", ev.kind == protocol::EventKind::PreToolUse);
  if (auto it = j.find("tool_response"); it != j.end()) ev.tool_response = std::move(*it);
  if (auto mcp = j.find("mcp_context"); mcp != j.end() && mcp->is_object()) {
    const std::string server = string_field(*mcp, "server_name"), tool = string_field(*mcp, "tool_name");
    if (!server.empty() && !tool.empty()) {
      ev.native_tool_name = ev.tool_name;
      ev.tool_name = mcp_tool_name(server, tool);
      return ev;
    }
  }
  map_to_claude(kTools, ev);
  return ev;
}

protocol::HookEvent sniff(std::string_view text) {
  protocol::HookEvent ev = protocol::sniff_event(text);
  ev.agent = gemini_cli().audit_name;
  ev.kind = kind_of(ev.event_name);
  if (ev.kind != protocol::EventKind::Other) ev.event_name = claude_event(ev.kind);
  return ev;
}

protocol::Reply pre(const protocol::HookEvent& ev, const Decision& d, const json& updated_input,
                    const std::string& additional_context) {
  protocol::Reply r;
  if (d.verdict == Verdict::None && updated_input.is_null() && additional_context.empty()) return r;
  const Verdict verdict = d.verdict == Verdict::Ask ? Verdict::Deny : d.verdict;
  const std::string reason =
      d.verdict == Verdict::Ask ? "preloop-hook: this tool call needs a person's confirmation, which a Gemini CLI hook "
                                  "cannot ask for, so it is blocked: " + d.reason
                                : d.reason;
  json out = json::object();
  if (verdict != Verdict::None) {
    out["decision"] = std::string(to_string(verdict));
    out["reason"] = reason;
  }
  json specific = json::object();
  if (!updated_input.is_null() && verdict != Verdict::Deny)
    specific["tool_input"] = map_to_native(kTools, ev, updated_input);
  if (!additional_context.empty()) specific["additionalContext"] = additional_context;
  if (!specific.empty()) {
    specific["hookEventName"] = "BeforeTool";
    out["hookSpecificOutput"] = std::move(specific);
  }
  r.stdout_text = json_line(out);
  if (verdict == Verdict::Deny) {
    r.exit_code = 2;
    r.stderr_text = reason + "\n";
  }
  return r;
}

protocol::Reply post(const protocol::HookEvent&, const json& updated_output, const std::string& additional_context) {
  protocol::Reply r;
  if (updated_output.is_null() && additional_context.empty()) return r;
  json out = json::object();
  if (!updated_output.is_null()) {
    out["decision"] = "deny";
    std::string text = tool_result_text(updated_output);
    if (!additional_context.empty()) text += "\n\n" + additional_context;
    out["reason"] = std::move(text);
  } else {
    out["hookSpecificOutput"] = {{"hookEventName", "AfterTool"}, {"additionalContext", additional_context}};
  }
  r.stdout_text = json_line(out);
  return r;
}

}  // namespace

const Adapter& gemini_cli() {
  static const Adapter a{"gemini", "gemini_cli", parse, sniff, pre, post};
  return a;
}

}  // namespace preloop::agents
