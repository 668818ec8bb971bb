// The secrets steps of the hook pipeline: secrets in what a tool will write
// or run (PreToolUse, per the on_file_write / on_command policy) and in what
// the model is about to read (PostToolUse, masked in the tool's own shape).
#include <algorithm>
#include <string>

#include "hook/steps.h"
#include "secrets/detector.h"
#include "secrets/json_scan.h"
#include "secrets/tool_io.h"

namespace preloop::hook {
namespace {

using secrets::Finding;
using secrets::InputKind;
using secrets::Policy;

// "github-pat at /command:1:15 [REDACTED:github-pat:3f2a]; ..." (never the secret).
std::string summary(const std::vector<Finding>& findings, const nlohmann::json& input, std::string_view session) {
  std::string out;
  for (const std::string& line : secrets::describe(findings, input, "", session)) {
    if (!out.empty()) out += "; ";
    out += line;
  }
  return out;
}

std::string kinds_of(const std::vector<Finding>& findings) {
  std::vector<std::string> kinds;
  for (const Finding& f : findings)
    if (std::find(kinds.begin(), kinds.end(), f.kind) == kinds.end()) kinds.push_back(f.kind);
  std::string out;
  for (const auto& k : kinds) out += (out.empty() ? "" : ", ") + k;
  return out;
}

std::string deny_reason(InputKind kind, const protocol::HookEvent& ev, const std::string& where) {
  if (kind == InputKind::FileWrite) {
    std::string file = ev.tool_input.value("file_path", ev.tool_input.value("notebook_path", std::string("the file")));
    return "preloop-hook: refusing to write a secret into " + file + " (" + where +
           "). Do not put credentials in files: read them at run time from an environment variable "
           "(e.g. os.environ[\"API_TOKEN\"], process.env.API_TOKEN) or from a secret manager.";
  }
  return "preloop-hook: the command contains a secret (" + where +
         "). Do not put credentials on the command line, where they reach process lists, shell history and "
         "logs: reference an environment variable instead (e.g. \"$API_TOKEN\") or read it from a secret manager.";
}

void record(Decision& d, const std::string& setting, const std::string& outcome) {
  d.trace.push_back(TraceStep{"builtin", "secrets", "secrets." + setting, outcome});
}

}  // namespace

void secrets_input_step(HookContext& ctx) {
  if (ctx.event.kind != protocol::EventKind::PreToolUse && ctx.event.kind != protocol::EventKind::PreSkillShellCommand)
    return;
  if (ctx.decision.verdict == Verdict::Deny) return;  // nothing stricter to add
  const secrets::Detector& detector = secrets::detector_for(ctx.config);
  const nlohmann::json& input = ctx.updated_input.is_null() ? ctx.event.tool_input : ctx.updated_input;
  secrets::InputCheck check = secrets::check_tool_input(ctx.event.tool_name, input, detector, ctx.event.session_id);
  if (check.findings.empty()) return;

  const bool file = check.kind == InputKind::FileWrite;
  const std::string setting = file ? "on_file_write" : "on_command";
  const Policy policy = file ? detector.settings().on_file_write : detector.settings().on_command;
  const std::string where = summary(check.findings, input, ctx.event.session_id);
  switch (policy) {
    case Policy::Allow:
      record(ctx.decision, setting, "allowed by config: " + where);
      return;
    case Policy::Deny: {
      Decision& d = ctx.decision;
      d.verdict = Verdict::Deny;
      d.needs_approval = false;
      d.reason = deny_reason(check.kind, ctx.event, where);
      d.has_rule = true;
      d.rule = RuleRef{};
      d.rule.layer = "builtin";
      d.rule.file = "secrets";
      d.rule.tool = ctx.event.tool_name;
      d.rule.id = "secrets." + setting;
      d.rule.description = "secret in " + std::string(file ? "file content" : "command") + ": " + kinds_of(check.findings);
      record(d, setting, "matched: deny (" + where + ")");
      return;
    }
    case Policy::Mask:
      ctx.updated_input = std::move(check.masked);
      // A replacement input is only sent with allow or ask; with no decision
      // yet, ask: the user sees and approves the masked call.
      if (ctx.decision.verdict == Verdict::None) {
        ctx.decision.verdict = Verdict::Ask;
        ctx.decision.reason = "preloop-hook masked a secret in this " + std::string(file ? "file content" : "command") +
                              " (" + kinds_of(check.findings) + "); review the masked call";
      }
      record(ctx.decision, setting, "matched: mask (" + where + ")");
      return;
  }
}

void secrets_output_step(HookContext& ctx) {
  if (ctx.event.kind != protocol::EventKind::PostToolUse || ctx.event.tool_response.is_null()) return;
  const secrets::Detector& detector = secrets::detector_for(ctx.config);
  if (!detector.settings().mask_output) return;
  std::size_t masked = 0;
  nlohmann::json out = secrets::mask_tool_output(ctx.event.tool_response, detector, ctx.event.session_id, &masked);
  if (masked == 0) return;
  ctx.updated_output = std::move(out);
  std::string note = "preloop-hook masked " + std::to_string(masked) + " secret value" + (masked == 1 ? "" : "s") +
                     " in this tool output as [REDACTED:<kind>:<tag>] (the same secret keeps the same tag). "
                     "Refer to secrets through environment variables rather than by value.";
  ctx.additional_context += ctx.additional_context.empty() ? note : "\n" + note;
}

}  // namespace preloop::hook
