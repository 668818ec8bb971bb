#include "approval/outcome.h"

namespace preloop::approval {
namespace {

Verdict verdict_of(Fallback f) { return f == Fallback::Deny ? Verdict::Deny : Verdict::Ask; }

void record(Decision& d, const ApprovalOutcome& o) {
  d.approval_request_id = o.request_id;
  d.approval_status = to_string(o.status);
  d.approver = o.approver;
  d.approval_wait_ms = o.wait_ms;
  d.failure_class = o.failure_class;
}

std::string request_suffix(const ApprovalOutcome& o) {
  return o.request_id.empty() ? "" : " (request " + o.request_id + ")";
}

std::string fallback_text(Fallback f) {
  return f == Fallback::Ask ? "asking you to decide locally" : "denied by the approval.on_* setting";
}

}  // namespace

std::string rule_label(const RuleRef& r) {
  std::string s = "rule '" + (r.id.empty() ? r.tool : r.id) + "'";
  if (!r.file.empty()) s += " (" + r.file + (r.line > 0 ? ":" + std::to_string(r.line) : "") + ")";
  s += r.workflow.empty() ? ", default workflow" : ", workflow '" + r.workflow + "'";
  return s;
}

void apply_outcome(Decision& d, const ApprovalOutcome& o, const ApprovalSettings& s) {
  record(d, o);
  d.needs_approval = false;
  const std::string rule = rule_label(d.rule);
  switch (o.status) {
    case Status::Approved:
      d.verdict = Verdict::Allow;
      d.reason = "Approved via Preloop" + (o.approver.empty() ? "" : " by " + o.approver) +
                 (o.reason.empty() ? "" : ": " + o.reason) + request_suffix(o) + ".";
      return;
    case Status::Declined:
      d.verdict = Verdict::Deny;
      d.reason = "Denied via Preloop" + (o.approver.empty() ? "" : " by " + o.approver) +
                 (o.reason.empty() ? "" : ": " + o.reason) + request_suffix(o) + ". " + rule + ".";
      return;
    case Status::TimedOut:
      d.verdict = Verdict::Deny;  // never a local prompt: the approval was required and not given
      d.reason = "No approver answered in time" + request_suffix(o) + "; the request expired, so the call is denied. " +
                 rule + " requires approval.";
      return;
    case Status::AuthError:
      d.verdict = verdict_of(s.on_auth_error);
      d.reason = "Approval unavailable: " + o.reason + "; " + fallback_text(s.on_auth_error) + ". " + rule +
                 " requires approval.";
      return;
    case Status::Unreachable:
      d.verdict = verdict_of(s.on_unreachable);
      d.reason = "Approval unavailable: " + o.reason + "; " + fallback_text(s.on_unreachable) + ". " + rule +
                 " requires approval.";
      return;
  }
}

void apply_reused(Decision& d, const Grant& g, const ReusePolicy& policy) {
  d.needs_approval = false;
  d.verdict = Verdict::Allow;
  d.approval_status = "reused";
  d.approval_request_id = g.request_id;
  d.approver = g.approver;
  d.approval_wait_ms = 0;
  d.reason = "Approved via Preloop" + (g.approver.empty() ? "" : " by " + g.approver) +
             (g.request_id.empty() ? "" : " (request " + g.request_id + ")") +
             "; reused for this identical call (approval.reuse: " + policy.describe() + "). " + rule_label(d.rule) + ".";
}

void apply_not_configured(Decision& d, const std::string& why) {
  d.needs_approval = false;
  d.verdict = Verdict::Ask;
  d.approval_status = "not_configured";
  d.reason = rule_label(d.rule) + " requires approval and no approval service is configured" +
             (why.empty() ? "" : " (" + why + ")") + "; asking you to decide." +
             (d.rule.description.empty() ? "" : " " + d.rule.description);
}

void apply_credential_error(Decision& d, const std::string& message, const ApprovalSettings& s) {
  d.needs_approval = false;
  d.verdict = verdict_of(s.on_auth_error);
  d.approval_status = "auth_error";
  d.failure_class = "credentials";
  d.reason = "Approval unavailable: " + message + "; " + fallback_text(s.on_auth_error) + ". " +
             rule_label(d.rule) + " requires approval.";
}

}  // namespace preloop::approval
