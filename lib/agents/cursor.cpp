// Cursor: hooks.json (project .cursor/, user ~/.cursor/, enterprise /etc/cursor/).
//   in: common {hook_event_name, conversation_id, generation_id, workspace_roots[], cursor_version?};
//       preToolUse {tool_name (Shell, Write, Read, ...), tool_input}; beforeShellExecution {command, cwd};
//       beforeMCPExecution {server, tool_name, tool_input (an object or a JSON string)};
//       beforeReadFile {file_path}; postToolUse {tool_name, tool_input, tool_output}
//   out: {permission: allow|deny|ask, user_message, agent_message}, exit 0.
// Installed with failClosed: true, so a crash, a timeout or an empty answer
// blocks; every call therefore gets an explicit answer (allow when the policy
// has no objection). Cursor cannot replace a tool's input: a call the guard
// would rewrite is denied. Only an MCP tool's result can be replaced.
#include "agents/adapters.h"
#include "agents/tools.h"

namespace preloop::agents {
namespace {

using nlohmann::json;

constexpr ToolMapping kTools[] = {
    {"Shell", "Bash", {{"working_directory", "cwd"}}},
};

protocol::HookEvent parse(std::string_view text) {
  json j = protocol::parse_event_object(text);
  protocol::HookEvent ev;
  ev.raw_size = text.size();
  ev.agent = cursor().audit_name;
  ev.agent_version = string_field(j, "cursor_version");
  const std::string name = string_field(j, "hook_event_name");
  if (name.empty()) throw protocol::ProtocolError("hook input has no 'hook_event_name'");
  ev.session_id = string_field(j, "conversation_id");
  ev.tool_use_id = string_field(j, "tool_use_id");
  ev.transcript_path = string_field(j, "transcript_path");
  ev.cwd = string_field(j, "cwd");
  if (auto roots = j.find("workspace_roots"); ev.cwd.empty() && roots != j.end() && roots->is_array() &&
                                              !roots->empty() && roots->front().is_string())
    ev.cwd = roots->front().get<std::string>();
  ev.event_name = name;
  if (name == "preToolUse" || name == "postToolUse") {
    ev.kind = name == "preToolUse" ? protocol::EventKind::PreToolUse : protocol::EventKind::PostToolUse;
    ev.tool_name = string_field(j, "tool_name");
    if (ev.tool_name.empty()) throw protocol::ProtocolError("hook input has no 'tool_name'");
    ev.tool_input = object_or_json_text(j, "tool_input", ev.kind == protocol::EventKind::PreToolUse);
    if (auto out = j.find("tool_output"); out != j.end()) ev.tool_response = std::move(*out);
    map_to_claude(kTools, ev);
  } else if (name == "beforeShellExecution") {
    ev.kind = protocol::EventKind::PreToolUse;
    ev.native_tool_name = "Shell";
    ev.tool_name = "Bash";
    const std::string command = string_field(j, "command");
    if (command.empty()) throw protocol::ProtocolError("beforeShellExecution input has no 'command'");
    ev.tool_input = {{"command", command}};
  } else if (name == "beforeMCPExecution") {
    ev.kind = protocol::EventKind::PreToolUse;
    const std::string server = string_field(j, "server"), tool = string_field(j, "tool_name");
    if (tool.empty()) throw protocol::ProtocolError("beforeMCPExecution input has no 'tool_name'");
    ev.native_tool_name = tool;
    ev.tool_name = mcp_tool_name(server.empty() ? "unknown" : server, tool);
    ev.tool_input = object_or_json_text(j, "tool_input", true);
  } else if (name == "beforeReadFile") {
    ev.kind = protocol::EventKind::PreToolUse;
    ev.native_tool_name = "ReadFile";
    ev.tool_name = "Read";
    const std::string file = string_field(j, "file_path");
    if (file.empty()) throw protocol::ProtocolError("beforeReadFile input has no 'file_path'");
    ev.tool_input = {{"file_path", file}};
  } else {
    ev.kind = protocol::EventKind::Other;
    return ev;
  }
  if (ev.kind == protocol::EventKind::PreToolUse) ev.event_name = "PreToolUse";
  else ev.event_name = "PostToolUse";
  return ev;
}

protocol::HookEvent sniff(std::string_view text) {
  protocol::HookEvent ev = protocol::sniff_event(text);
  ev.agent = cursor().audit_name;
  ev.kind = ev.event_name == "postToolUse" ? protocol::EventKind::PostToolUse : protocol::EventKind::PreToolUse;
  return ev;
}

protocol::Reply pre(const protocol::HookEvent&, const Decision& d, const json& updated_input, const std::string&) {
  Verdict verdict = d.verdict == Verdict::None ? Verdict::Allow : d.verdict;
  std::string reason = d.reason;
  if (!updated_input.is_null() && verdict != Verdict::Deny) {
    verdict = Verdict::Deny;
    reason = "preloop-hook would pass this call only with its input changed, which Cursor hooks cannot do, so it is "
             "blocked: " + d.reason;
  }
  json out = {{"permission", std::string(to_string(verdict))}};
  if (!reason.empty()) {
    out["user_message"] = reason;
    out["agent_message"] = reason;
  }
  protocol::Reply r;
  r.stdout_text = json_line(out);
  return r;
}

protocol::Reply post(const protocol::HookEvent& ev, const json& updated_output, const std::string& additional_context) {
  json out = json::object();
  if (!updated_output.is_null() && ev.tool_name.rfind("mcp__", 0) == 0) out["updated_mcp_tool_output"] = updated_output;
  if (!additional_context.empty()) out["additional_context"] = additional_context;
  protocol::Reply r;
  if (!out.empty()) r.stdout_text = json_line(out);
  return r;
}

}  // namespace

const Adapter& cursor() {
  static const Adapter a{"cursor", "cursor", parse, sniff, pre, post};
  return a;
}

}  // namespace preloop::agents
