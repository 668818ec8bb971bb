// The configuration fingerprint on every hook call: changes become audit
// records, a weakening during the session makes the next tool call ask.
#include <nlohmann/json.hpp>

#include "config/paths.h"
#include "hook/steps.h"
#include "install/locations.h"
#include "tamper/fingerprint.h"

namespace preloop::hook {
namespace {

// The stricter of the configured action and the one in force before a change lowered it.
TamperAction action_for(const Config& config, const std::vector<tamper::Change>& changes) {
  TamperAction a = config.tamper_on_weakening;
  for (const auto& c : changes)
    if (c.kind == "setting" && c.path == "tamper.on_weakening") {
      TamperAction before = c.old_digest == "deny" ? TamperAction::Deny
                            : c.old_digest == "ask" ? TamperAction::Ask
                                                    : TamperAction::Record;
      if (before > a) a = before;
    }
  return a;
}

void escalate(Decision& d, TamperAction action, const std::string& why) {
  std::string reason = "preloop-hook's configuration was weakened during this session (" + why +
                       "); check the change before going on";
  Verdict wanted = action == TamperAction::Deny ? Verdict::Deny : Verdict::Ask;
  if (d.verdict == Verdict::Deny || (d.verdict == Verdict::Ask && wanted == Verdict::Ask)) {
    d.reason += (d.reason.empty() ? "" : "; ") + reason;
    return;
  }
  d.verdict = wanted;
  d.reason = reason;
  d.has_rule = false;
  d.failure_class = d.failure_class.empty() ? "config_weakened" : d.failure_class + ",config_weakened";
}

}  // namespace

void guard_step(HookContext& ctx, const policy::PolicyInputs* policy, const std::string& signature) {
  const Config& config = *ctx.config;
  std::string project = project_dir_for(ctx.event);
  policy::PolicyInputs listed;
  if (!policy) {
    policy::LoadOptions lo;
    lo.project_dir = project;
    listed = policy::policy_inputs(config, lo);
    policy = &listed;
  }
  tamper::Inputs inputs = tamper::gather_inputs(config, *policy, signature, install::ClaudeLocations::for_project(project), project);
  // PostToolUse takes the fingerprint too, though only PreToolUse can act on a
  // weakening: a change made by the tool call is recorded right after that call,
  // and one the call makes and undoes before the next PreToolUse is still seen
  // (kept pending for it). With an unchanged state per project it costs a few
  // stats and one small read.
  bool pre = ctx.event.kind == protocol::EventKind::PreToolUse;
  tamper::Outcome out = tamper::check(paths::guard_state_dir(), inputs, ctx.event.session_id, pre);
  TamperAction action = action_for(config, out.changes);
  for (const auto& c : out.changes) {
    audit::Record r;
    r.hook_event = "ConfigFingerprint";
    r.reason = "configuration changed: " + c.describe();
    r.rule_layer = c.kind;
    r.rule_location = c.path;
    nlohmann::json args = {{"kind", c.kind}, {"path", c.path}, {"old_digest", c.old_digest},
                           {"new_digest", c.new_digest}, {"weakening", c.weakening}};
    r.arguments = args.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    if (!c.weakening.empty()) r.failure_class = "config_weakened";
    audit_note(ctx, r);
  }
  if (pre && !out.escalate.empty() && action != TamperAction::Record) escalate(ctx.decision, action, out.escalate);
}

}  // namespace preloop::hook
