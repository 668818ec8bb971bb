#include "protocol/response.h"

namespace preloop::protocol {

namespace {

Reply decision_reply(const char* event, const Decision& d, const nlohmann::json& updated_input,
                     const std::string& additional_context) {
  Reply r;
  if (d.verdict == Verdict::None && updated_input.is_null() && additional_context.empty()) return r;  // normal flow

  nlohmann::json out = {{"hookEventName", event}};
  if (d.verdict != Verdict::None) {
    out["permissionDecision"] = std::string(to_string(d.verdict));
    out["permissionDecisionReason"] = d.reason;
  }
  if (!updated_input.is_null() && d.verdict != Verdict::Deny) out["updatedInput"] = updated_input;
  if (!additional_context.empty()) out["additionalContext"] = additional_context;
  r.stdout_text = nlohmann::json{{"hookSpecificOutput", std::move(out)}}.dump(-1, ' ', false,
                                                                              nlohmann::json::error_handler_t::replace);
  r.stdout_text += '\n';
  if (d.verdict == Verdict::Deny) {
    // Exit 2 blocks on every client version even if stdout is lost or
    // rejected; the JSON carries the same reason for clients that read it.
    r.exit_code = 2;
    r.stderr_text = d.reason + "\n";
  }
  return r;
}

}  // namespace

Reply pre_tool_use_reply(const Decision& d, const nlohmann::json& updated_input, const std::string& additional_context) {
  return decision_reply("PreToolUse", d, updated_input, additional_context);
}

Reply skill_shell_reply(const Decision& d) { return decision_reply("PreSkillShellCommand", d, nullptr, ""); }

Reply post_tool_use_reply(const nlohmann::json& updated_tool_output, const std::string& additional_context) {
  Reply r;
  if (updated_tool_output.is_null() && additional_context.empty()) return r;
  nlohmann::json out = {{"hookEventName", "PostToolUse"}};
  if (!updated_tool_output.is_null()) out["updatedToolOutput"] = updated_tool_output;
  if (!additional_context.empty()) out["additionalContext"] = additional_context;
  r.stdout_text = nlohmann::json{{"hookSpecificOutput", std::move(out)}}.dump(-1, ' ', false,
                                                                              nlohmann::json::error_handler_t::replace);
  r.stdout_text += '\n';
  return r;
}

}  // namespace preloop::protocol
