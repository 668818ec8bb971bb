// GitHub Copilot CLI: preToolUse / postToolUse in .github/hooks/*.json or
// ~/.copilot/hooks/*.json.
//   in (camelCase events): {sessionId?, timestamp, cwd, toolName, toolArgs (a JSON string),
//       toolResult? (postToolUse)}; (PascalCase events): {hook_event_name, session_id,
//       cwd, tool_name, tool_input (an object), tool_response?}
//   out: {permissionDecision: allow|deny|ask, permissionDecisionReason}
// Copilot's command hooks cannot replace a tool's input or its result: a call
// whose input the guard would rewrite (a masked secret) is denied instead,
// and a result is recorded, not masked.
#include "agents/adapters.h"
#include "agents/tools.h"

namespace preloop::agents {
namespace {

using nlohmann::json;

constexpr ToolMapping kTools[] = {
    {"bash", "Bash"},
    {"edit", "Edit", {{"path", "file_path"}, {"old_str", "old_string"}, {"new_str", "new_string"}}},
    {"create", "Write", {{"path", "file_path"}, {"file_text", "content"}}},
    {"view", "Read", {{"path", "file_path"}}},
    {"web_fetch", "WebFetch"},
    {"glob", "Glob"},
    {"grep", "Grep"},
};

std::string either(const json& j, const char* camel, const char* snake) {
  std::string v = string_field(j, camel);
  return v.empty() ? string_field(j, snake) : v;
}

protocol::EventKind kind_of(const std::string& name, const json* j) {
  if (name == "preToolUse" || name == "PreToolUse") return protocol::EventKind::PreToolUse;
  if (name == "postToolUse" || name == "PostToolUse") return protocol::EventKind::PostToolUse;
  if (!name.empty() || !j) return protocol::EventKind::Other;
  // camelCase payloads do not name their event: a tool call has a tool, its
  // result also the result.
  if (!j->contains("toolName") && !j->contains("tool_name")) return protocol::EventKind::Other;
  return j->contains("toolResult") || j->contains("tool_response") ? protocol::EventKind::PostToolUse
                                                                   : protocol::EventKind::PreToolUse;
}

json tool_args(json& j, bool required) {
  auto it = j.find("toolArgs");
  if (it == j.end() || it->is_null()) return object_field(j, "tool_input", required);
  if (it->is_object()) return std::move(*it);
  if (!it->is_string())
    throw protocol::ProtocolError(std::string("'toolArgs' must be a JSON string or object, got ") + it->type_name());
  const std::string& text = it->get_ref<const std::string&>();
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) return json::object();
  json args = protocol::parse_event_object(text);  // depth-limited; throws on malformed text
  return args;
}

protocol::HookEvent parse(std::string_view text) {
  json j = protocol::parse_event_object(text);
  protocol::HookEvent ev;
  ev.raw_size = text.size();
  ev.agent = copilot_cli().audit_name;
  const std::string name = either(j, "hookEventName", "hook_event_name");
  ev.kind = kind_of(name, &j);
  ev.event_name = ev.kind == protocol::EventKind::PreToolUse    ? "PreToolUse"
                  : ev.kind == protocol::EventKind::PostToolUse ? "PostToolUse"
                                                                : name;
  ev.session_id = either(j, "sessionId", "session_id");
  ev.cwd = string_field(j, "cwd");
  ev.transcript_path = string_field(j, "transcript_path");
  if (ev.kind == protocol::EventKind::Other) return ev;
  ev.tool_name = either(j, "toolName", "tool_name");
  if (ev.tool_name.empty()) throw protocol::ProtocolError("hook input has no 'toolName'");
  try {
    ev.tool_input = tool_args(j, ev.kind == protocol::EventKind::PreToolUse);
  } catch (const protocol::ProtocolError& e) {
    throw protocol::ProtocolError(std::string("'toolArgs' of the tool call: ") + e.what());
  }
  if (auto it = j.find("toolResult"); it != j.end()) ev.tool_response = std::move(*it);
  else if (auto r = j.find("tool_response"); r != j.end()) ev.tool_response = std::move(*r);
  map_to_claude(kTools, ev);
  return ev;
}

protocol::HookEvent sniff(std::string_view text) {
  protocol::HookEvent ev = protocol::sniff_event(text);
  ev.agent = copilot_cli().audit_name;
  ev.kind = ev.event_name.empty() ? protocol::EventKind::PreToolUse : kind_of(ev.event_name, nullptr);
  return ev;
}

protocol::Reply pre(const protocol::HookEvent&, const Decision& d, const json& updated_input,
                    const std::string&) {
  protocol::Reply r;
  Verdict verdict = d.verdict;
  std::string reason = d.reason;
  if (!updated_input.is_null() && verdict != Verdict::Deny) {
    verdict = Verdict::Deny;
    reason = "preloop-hook would pass this call only with its input changed, which Copilot CLI hooks cannot do, so "
             "it is blocked: " + d.reason;
  }
  if (verdict == Verdict::None) return r;
  r.stdout_text = json_line({{"permissionDecision", std::string(to_string(verdict))},
                             {"permissionDecisionReason", reason}});
  return r;
}

protocol::Reply post(const protocol::HookEvent&, const json&, const std::string&) { return {}; }

}  // namespace

const Adapter& copilot_cli() {
  static const Adapter a{"copilot", "copilot_cli", parse, sniff, pre, post};
  return a;
}

}  // namespace preloop::agents
