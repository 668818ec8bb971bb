// require_approval: ask the approval service and wait within the deadline;
// and the background refresh of the synced policy layer.

#include <algorithm>
#include <optional>

#include "approval/client.h"
#include "approval/credentials.h"
#include "approval/outage.h"
#include "approval/outcome.h"
#include "approval/repository.h"
#include "approval/reuse.h"
#include "approval/settings.h"
#include "approval/sync.h"
#include "audit/key.h"
#include "audit/location.h"
#include "audit/verify.h"
#include "audit/writer.h"
#include "config/paths.h"
#include "hook/steps.h"
#include "process/detached.h"
#include "secrets/redact.h"

namespace preloop::hook {
namespace {

using namespace preloop::approval;

// What the approver sees: the tool's own description, else the rule's.
std::string reasoning_for(const HookContext& ctx) {
  const auto& in = ctx.event.tool_input;
  if (in.is_object() && in.contains("description") && in["description"].is_string())
    return in["description"].get<std::string>();
  if (!ctx.decision.rule.description.empty()) return ctx.decision.rule.description;
  return rule_label(ctx.decision.rule) + " requires approval";
}

ApprovalRequest build_request(const HookContext& ctx) {
  const Decision& d = ctx.decision;
  ApprovalRequest r;
  r.tool_name = ctx.event.tool_name;
  r.tool_input = ctx.event.tool_input;
  secrets::redact_json(r.tool_input, {ctx.event.session_id, ctx.config});
  r.session_id = ctx.event.session_id;
  r.cwd = ctx.event.cwd;
  r.tool_use_id = ctx.event.tool_use_id;
  r.repository = observe_repository(ctx.event.cwd);
  r.agent_reasoning = reasoning_for(ctx);
  secrets::redact_text(r.agent_reasoning, {ctx.event.session_id, ctx.config});
  r.rule_id = d.rule.id.empty() ? d.rule.tool : d.rule.id;
  r.rule_location = d.rule.file + (d.rule.line > 0 ? ":" + std::to_string(d.rule.line) : "");
  r.workflow = d.rule.workflow;
  r.timeout_seconds = d.rule.timeout_seconds;
  try {
    r.input_hash = audit::input_hash(ctx.event.tool_input, ctx.config);
    if (ctx.config->audit_enabled) {
      const auto db = audit::db_path(ctx.config);
      audit::fold_pending(db, 200);  // the witness is the head with every record so far on it
      const auto head = audit::chain_head(db);
      r.audit_head = {{"seq", head.seq}, {"hash", head.hash}};
    }
  } catch (const std::exception&) {
    // Witness data is best effort: the audit step reports store problems itself.
  }
  return r;
}


// What makes two calls identical for approval reuse, hashed with the audit
// key so that the grants file names no input and cannot be forged without it.
std::string grant_key_for(const HookContext& ctx) {
  const Decision& d = ctx.decision;
  return audit::input_hash(nlohmann::json{{"tool", ctx.event.tool_name},
                                          {"input", ctx.event.tool_input},
                                          {"rule", d.rule.id.empty() ? d.rule.tool : d.rule.id},
                                          {"rule_location", d.rule.location()},
                                          {"workflow", d.rule.workflow},
                                          {"session", ctx.event.session_id},
                                          {"cwd", ctx.event.cwd}},
                           ctx.config);
}

// The service operator's note reaches the model beside the decision (and, on
// a deny, in the reason Claude Code shows from stderr).
void add_operator_note(HookContext& ctx, const std::string& note) {
  if (note.empty()) return;
  const std::string text = "Note from the Preloop operator: " + note;
  ctx.additional_context += ctx.additional_context.empty() ? text : "\n" + text;
  if (ctx.decision.verdict == Verdict::Deny) ctx.decision.reason += " " + text;
}

}  // namespace

void approval_step(HookContext& ctx) {
  Decision& d = ctx.decision;
  if (!d.needs_approval) return;
  const ApprovalSettings settings = parse_approval_settings(ctx.config->section("approval"));  // bad config: deny
  if (!settings.enabled) return apply_not_configured(d, "approval.enabled is false");
  std::optional<Credentials> creds;
  try {
    creds = resolve_credentials(default_credential_sources(settings));
  } catch (const CredentialError& e) {
    return apply_credential_error(d, e.what(), settings);
  }
  if (!creds) return apply_not_configured(d);

  // The rule's window plus headroom for the service's own expiry answer,
  // never past the hook's deadline.
  auto deadline = ctx.deadline;
  if (d.rule.timeout_seconds > 0)
    deadline = std::min(deadline, Clock::now() + std::chrono::seconds(d.rule.timeout_seconds) + settings.headroom);
  // A human approved this very call a moment ago, and the workflow allows reuse.
  const ReusePolicy reuse = reuse_for(settings.reuse, d.rule.workflow);
  const GrantSigner sign = [&ctx](const std::string& fields) { return audit::input_hash(fields, ctx.config); };
  std::string grant_key;
  if (reuse.enabled()) {
    try {
      grant_key = grant_key_for(ctx);
    } catch (const std::exception&) {
      grant_key.clear();  // no audit key: no reuse, the service is asked
    }
    if (!grant_key.empty())
      if (auto g = take_grant(grants_file(), grant_key, SystemClock::now(), sign)) return apply_reused(d, *g, reuse);
  }
  // A service found down moments ago is not waited for again.
  const auto state = outage_file();
  if (auto down = remembered_outage(state, creds->url, settings.outage_window, SystemClock::now()))
    return apply_outcome(d, *down, settings);
  const ApprovalOutcome outcome = request_approval(build_request(ctx), *creds, settings, deadline);
  if (settings.outage_window.count() > 0) note_outcome(state, creds->url, outcome, SystemClock::now());
  if (!grant_key.empty()) add_grant(grants_file(), grant_key, outcome, reuse, SystemClock::now(), sign);
  apply_outcome(d, outcome, settings);
  add_operator_note(ctx, outcome.operator_note);
}

void maybe_background_sync(const HookContext& ctx) {
  try {
    const SyncSettings sync = parse_sync_settings(ctx.config->section("sync"));
    const auto dir = paths::synced_dir();
    if (!sync_due(dir, sync.interval)) return;  // the common case: one stat
    const ApprovalSettings settings = parse_approval_settings(ctx.config->section("approval"));
    if (!settings.enabled || !service_maybe_configured(default_credential_sources(settings))) return;
    const std::string exe = process::self_exe();
    if (!exe.empty()) spawn_background_sync(dir, exe);
  } catch (const std::exception&) {
    // Never affects the decision; `preloop-hook doctor` and `sync --status` report problems.
  }
}

}  // namespace preloop::hook
