// OpenAI Codex CLI: PreToolUse / PostToolUse in hooks.json (or [hooks] in
// config.toml), Claude Code's event names and input fields, tool names Bash,
// apply_patch and mcp__server__tool.
//   PreToolUse out: hookSpecificOutput {permissionDecision: deny + non-empty
//   reason | allow + updatedInput, additionalContext}; exit 2 + stderr blocks.
// Codex has no "ask": a hook answering ask is marked failed and the tool
// runs. A call the policy would ask about is therefore denied, with a reason
// saying it needs a person's confirmation (fail closed). "allow" is only
// accepted with a replacement input, so a plain allow is no output at all.
// Output Codex cannot read also lets the tool run, so every reply here uses
// only the fields its parser accepts. A result is masked with decision:block,
// whose reason the model reads in place of the output (updatedToolOutput is
// not applied to shell commands).
#include "agents/adapters.h"
#include "agents/patch.h"
#include "agents/tools.h"

namespace preloop::agents {
namespace {

using nlohmann::json;

protocol::HookEvent parse(std::string_view text) {
  protocol::HookEvent ev = protocol::parse_event(text);
  if (!protocol::is_tool_event(ev.kind)) ev.kind = protocol::EventKind::Other;  // Claude Code's own events
  ev.agent = codex_cli().audit_name;
  ev.native_tool_name = ev.tool_name;
  map_apply_patch(ev);
  return ev;
}

protocol::HookEvent sniff(std::string_view text) {
  protocol::HookEvent ev = protocol::sniff_event(text);
  ev.agent = codex_cli().audit_name;
  return ev;
}

protocol::Reply deny(std::string reason) {
  protocol::Reply r;
  if (reason.find_first_not_of(" \t\r\n") == std::string::npos) reason = "preloop-hook denied this tool call";
  r.exit_code = 2;
  r.stderr_text = reason + "\n";
  r.stdout_text = json_line({{"hookSpecificOutput",
                              {{"hookEventName", "PreToolUse"},
                               {"permissionDecision", "deny"},
                               {"permissionDecisionReason", std::move(reason)}}}});
  return r;
}

protocol::Reply pre(const protocol::HookEvent& ev, const Decision& d, const json& updated_input,
                    const std::string& additional_context) {
  if (d.verdict == Verdict::Deny) return deny(d.reason);
  if (!updated_input.is_null() && ev.native_tool_name == "apply_patch")
    return deny("preloop-hook would pass this patch only with its content changed, which cannot be written back "
                "into a patch, so it is blocked: " + d.reason);
  if (d.verdict == Verdict::Ask)
    return deny("preloop-hook: this tool call needs a person's confirmation, which Codex hooks cannot ask for, so it "
                "is blocked: " + d.reason);
  json specific = {{"hookEventName", "PreToolUse"}};
  if (!updated_input.is_null()) {
    specific["permissionDecision"] = "allow";
    specific["updatedInput"] = updated_input;
  }
  if (!additional_context.empty()) specific["additionalContext"] = additional_context;
  protocol::Reply r;
  if (specific.size() > 1) r.stdout_text = json_line({{"hookSpecificOutput", std::move(specific)}});
  return r;
}

protocol::Reply post(const protocol::HookEvent&, const json& updated_output, const std::string& additional_context) {
  protocol::Reply r;
  if (updated_output.is_null() && additional_context.empty()) return r;
  json out = json::object();
  if (!updated_output.is_null()) {
    std::string text = updated_output.is_string() ? updated_output.get<std::string>()
                                                  : updated_output.dump(-1, ' ', false, json::error_handler_t::replace);
    if (!additional_context.empty()) text += "\n\n" + additional_context;
    if (text.find_first_not_of(" \t\r\n") == std::string::npos) text = "[empty output]";  // block needs a reason
    out["decision"] = "block";
    out["reason"] = std::move(text);
  } else {
    out["hookSpecificOutput"] = {{"hookEventName", "PostToolUse"}, {"additionalContext", additional_context}};
  }
  r.stdout_text = json_line(out);
  return r;
}

}  // namespace

const Adapter& codex_cli() {
  static const Adapter a{"codex", "codex_cli", parse, sniff, pre, post};
  return a;
}

}  // namespace preloop::agents
