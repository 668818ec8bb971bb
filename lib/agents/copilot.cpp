// GitHub Copilot CLI: preToolUse / postToolUse in .github/hooks/*.json or
// ~/.copilot/hooks/*.json.
//   in (camelCase events): {sessionId?, timestamp, cwd, toolName, toolArgs (an object for
//       function tools, the raw patch text for apply_patch, a JSON string in older releases),
//       toolResult? {resultType, textResultForLlm} (postToolUse)}; (PascalCase events):
//       {hook_event_name, session_id, cwd, tool_name, tool_input, tool_response?}
//   out: preToolUse {permissionDecision: allow|deny|ask, permissionDecisionReason, modifiedArgs?};
//        postToolUse {modifiedResult: {resultType, textResultForLlm}, additionalContext}
// A deny is JSON with exit 0: Copilot blocks on exit 2 too, but drops the
// reason. Output that is not JSON lets the tool run.
#include "agents/adapters.h"
#include "agents/patch.h"
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

json tool_args(json& j, const std::string& tool, bool required) {
  const char* key = j.contains("toolArgs") && !j["toolArgs"].is_null() ? "toolArgs" : "tool_input";
  // A freeform tool (apply_patch) gets its text as is, named as Codex names it.
  if (auto it = j.find(key); tool == "apply_patch" && it != j.end() && it->is_string())
    return json{{"command", std::move(*it)}};
  return object_or_json_text(j, key, required);
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
    ev.tool_input = tool_args(j, ev.tool_name, ev.kind == protocol::EventKind::PreToolUse);
  } catch (const protocol::ProtocolError& e) {
    throw protocol::ProtocolError(std::string("'toolArgs' of the tool call: ") + e.what());
  }
  if (auto it = j.find("toolResult"); it != j.end()) ev.tool_response = std::move(*it);
  else if (auto r = j.find("tool_response"); r != j.end()) ev.tool_response = std::move(*r);
  map_to_claude(kTools, ev);
  map_apply_patch(ev);
  return ev;
}

protocol::HookEvent sniff(std::string_view text) {
  protocol::HookEvent ev = protocol::sniff_event(text);
  ev.agent = copilot_cli().audit_name;
  ev.kind = ev.event_name.empty() ? protocol::EventKind::PreToolUse : kind_of(ev.event_name, nullptr);
  return ev;
}

protocol::Reply pre(const protocol::HookEvent& ev, const Decision& d, const json& updated_input,
                    const std::string& additional_context) {
  protocol::Reply r;
  const bool rewrite = !updated_input.is_null() && d.verdict != Verdict::Deny;
  if (rewrite && ev.native_tool_name == "apply_patch") {
    r.stdout_text = json_line({{"permissionDecision", "deny"},
                               {"permissionDecisionReason",
                                "preloop-hook would pass this patch only with its content changed, which cannot be "
                                "written back into a patch, so it is blocked: " + d.reason}});
    return r;
  }
  if (d.verdict == Verdict::None && !rewrite && additional_context.empty()) return r;
  json out = json::object();
  // A replacement input needs a decision to travel with: allow unless the policy asked.
  const Verdict verdict = d.verdict == Verdict::None && rewrite ? Verdict::Allow : d.verdict;
  if (verdict != Verdict::None) {
    out["permissionDecision"] = std::string(to_string(verdict));
    out["permissionDecisionReason"] = d.reason;
  }
  if (rewrite) out["modifiedArgs"] = map_to_native(kTools, ev, updated_input);
  if (!additional_context.empty()) out["additionalContext"] = additional_context;
  r.stdout_text = json_line(out);
  return r;
}

protocol::Reply post(const protocol::HookEvent&, const json& updated_output, const std::string& additional_context) {
  protocol::Reply r;
  if (updated_output.is_null() && additional_context.empty()) return r;
  json out = json::object();
  if (!updated_output.is_null()) {
    json result = updated_output;
    if (!result.is_object()) result = {{"resultType", "success"}, {"textResultForLlm", updated_output.is_string() ? updated_output : json(updated_output.dump())}};
    out["modifiedResult"] = std::move(result);
  }
  if (!additional_context.empty()) out["additionalContext"] = additional_context;
  r.stdout_text = json_line(out);
  return r;
}

}  // namespace

const Adapter& copilot_cli() {
  static const Adapter a{"copilot", "copilot_cli", parse, sniff, pre, post};
  return a;
}

}  // namespace preloop::agents
