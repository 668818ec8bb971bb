// The audit record of one hook event: redacted, bound to the raw input by HMAC,
// kept in the store or its spool before the hook answers.
#include <chrono>
#include <cstdio>
#include <sys/utsname.h>
#include <unistd.h>

#include "audit/key.h"
#include "audit/location.h"
#include "audit/writer.h"
#include "hook/steps.h"
#include "process/detached.h"
#include "protocol/json_size.h"
#include "secrets/redact.h"

namespace preloop::hook {
namespace {

constexpr int kReplyMarginMs = 500;  // time kept for answering after the store gave up

std::string host_name() {
  utsname u{};
  return uname(&u) == 0 ? u.nodename : "";
}

int busy_timeout_ms(const HookContext& ctx) {
  const int ms = ctx.config->audit_busy_timeout_ms;
  long long left = ctx.remaining().count() - kReplyMarginMs;
  return int(std::max(0LL, std::min<long long>(ms, left)));
}

void add_failure(std::string& classes, const std::string& c) { classes += (classes.empty() ? "" : ",") + c; }

// success | error, from the event kind and the tool's own report.
std::string execution_result(const protocol::HookEvent& ev) {
  if (ev.kind == protocol::EventKind::PostToolUseFailure || !ev.error.empty()) return "error";
  const auto& r = ev.tool_response;
  if (r.is_object()) {
    if (auto it = r.find("success"); it != r.end() && it->is_boolean() && !it->get<bool>()) return "error";
    if (auto it = r.find("is_error"); it != r.end() && it->is_boolean() && it->get<bool>()) return "error";
  }
  return "success";
}

// The fields every record of this call shares: time, event, session, agent, user.
void fill_common(const HookContext& ctx, audit::Record& r) {
  const protocol::HookEvent& ev = ctx.event;
  r.ts = audit::now_rfc3339();
  if (r.hook_event.empty()) r.hook_event = ev.event_name;
  r.session_id = ev.session_id;
  r.tool_use_id = ev.tool_use_id;
  r.prompt_id = prompt_id_of(ev);
  r.agent_id = ev.agent_id;
  r.agent_type = ev.agent_type;
  r.cwd = ev.cwd;
  r.permission_mode = ev.permission_mode;
  r.os_uid = geteuid();  // the store looks the name up
  r.host = host_name();
  r.identity = ctx.config->identity;
  r.latency_us = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - ctx.started).count();
}

audit::WriteOptions write_options(const HookContext& ctx) {
  return {.mode = ctx.config->audit_direct ? audit::WriteMode::Direct : audit::WriteMode::Journal,
          .busy_timeout_ms = busy_timeout_ms(ctx)};
}

audit::Record build_record(const HookContext& ctx, const std::filesystem::path& db) {
  const protocol::HookEvent& ev = ctx.event;
  const Decision& d = ctx.decision;
  secrets::RedactOptions redact{ev.session_id, ctx.config};
  audit::Record r;
  fill_common(ctx, r);
  r.tool = ev.tool_name;
  // The input is serialised once: hashed, and recorded as is when nothing in it is masked.
  std::string canonical = audit::canonical_input(ev.tool_input);
  try {
    r.input_hmac = audit::input_hash_of_text(audit::install_key(db), canonical);
  } catch (const std::exception&) {
    add_failure(r.failure_class, "audit_key");
  }
  nlohmann::json masked = ev.tool_input;
  if (secrets::redact_json(masked, redact) == 0) r.arguments = std::move(canonical);
  else r.arguments = audit::canonical_input(masked);
  if (ev.kind == protocol::EventKind::PreToolUse || ev.kind == protocol::EventKind::PreSkillShellCommand) {
    r.decision = std::string(to_string(d.verdict));
    r.reason = d.reason;
    secrets::redact_text(r.reason, redact);
    const RuleRef* rule = d.has_rule ? &d.rule : nullptr;
    if (d.has_observed) {
      // Observe mode: the record carries what the observed rules would have
      // answered ("would_deny"); the reason says what was answered.
      r.decision = "would_" + std::string(d.observed_verdict == Verdict::None ? "pass" : to_string(d.observed_verdict));
      r.reason = "observe mode: answered " + std::string(d.verdict == Verdict::None ? "pass" : to_string(d.verdict)) +
                 (d.observed_reason.empty() ? "" : "; " + d.observed_reason) + (d.reason.empty() ? "" : " | " + d.reason);
      secrets::redact_text(r.reason, redact);
      rule = d.observed_verdict == Verdict::None ? rule : &d.observed_rule;
    }
    if (rule) {
      r.rule_layer = rule->layer;
      r.rule_location = rule->location();
      r.rule_id = rule->id;
      r.rule_description = rule->description;
    }
    r.approval_request_id = d.approval_request_id;
    r.approval_status = d.approval_status;
    r.approver = d.approver;
    r.approval_wait_ms = d.approval_wait_ms;
  } else {
    r.execution_result = execution_result(ev);
    r.exec_duration_ms = ev.duration_ms;
    if (!ev.tool_response.is_null())
      r.output_size = std::int64_t(protocol::dumped_size(ev.tool_response));
    r.exec_error = ev.error;
    secrets::redact_text(r.exec_error, redact);
    if (!ctx.updated_output.is_null()) r.reason = "secrets in the tool output were masked before the model read it";
  }
  if (!d.failure_class.empty()) add_failure(r.failure_class, d.failure_class);
  r.latency_us = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - ctx.started).count();
  return r;
}

// Waiting journal records join the chain in a detached `audit fold`: the work of
// a fold grows with the store and the backlog, and must not delay this answer.
void start_fold(const std::filesystem::path& db) {
  if (!audit::claim_background_fold(db)) return;  // one was started within the last second
  const std::string exe = process::self_exe();
  if (!exe.empty()) process::spawn_detached(exe, {"audit", "--db", db.string(), "fold", "--background"});
}

// With a sink under audit.forward, a detached `audit forward` folds the journal
// and sends what is new; this call only starts it (at most once a second; the
// forwarder's lock lets one run). No socket, no libcurl, no store read here.
void start_forward(const std::filesystem::path& db) {
  if (!audit::claim_background_forward(db)) return;
  const std::string exe = process::self_exe();
  if (!exe.empty()) process::spawn_detached(exe, {"audit", "--db", db.string(), "forward", "--background"});
}

bool keep(const HookContext& ctx, const std::filesystem::path& db, audit::Record& r, std::string* failure_class) {
  audit::WriteResult res = audit::write_record(db, r, write_options(ctx));
  if (ctx.background && ctx.config->audit_forward) start_forward(db);
  else if (res.fold_due && ctx.background) start_fold(db);
  if (!res.message.empty()) std::fprintf(stderr, "preloop-hook: %s\n", res.message.c_str());
  if (res.outcome != audit::Outcome::Lost) return true;
  if (failure_class) *failure_class = "audit_" + res.failure_class;
  return false;
}

}  // namespace

bool audit_step(HookContext& ctx) {
  if (ctx.dry_run || !ctx.config->audit_enabled) return true;
  std::filesystem::path db = audit::db_path(ctx.config);
  audit::Record r = build_record(ctx, db);
  std::string failure;
  if (keep(ctx, db, r, &failure)) return true;
  if (ctx.decision.failure_class.empty()) ctx.decision.failure_class = failure;
  return false;
}

bool audit_note(const HookContext& ctx, audit::Record& r, bool of_call) {
  if (ctx.dry_run || !ctx.config->audit_enabled) return true;
  fill_common(ctx, r);
  if (!of_call) r.tool_use_id.clear();  // not the tool call's own record
  secrets::RedactOptions redact{ctx.event.session_id, ctx.config};
  secrets::redact_text(r.reason, redact);
  return keep(ctx, audit::db_path(ctx.config), r, nullptr);
}

}  // namespace preloop::hook
