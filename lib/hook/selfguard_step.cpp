#include <cstdlib>

#include "audit/location.h"
#include "hook/steps.h"
#include "policy/variables.h"
#include "selfguard/guard.h"
#include "shell/analyze.h"

namespace preloop::hook {
namespace {

// The guard is on when the profile enables the self-protection pack.
bool enabled(const policy::Engine& engine) {
  for (const auto& l : engine.layers())
    if (l.name.rfind("pack:", 0) == 0)
      for (const auto& d : l.docs)
        if (d.name == "self-protection") return true;
  return false;
}

}  // namespace

void selfguard_step(HookContext& ctx, const policy::Engine& engine, const policy::EvalOptions& eo,
                    std::shared_ptr<const shell::Analysis> analysis) {
  if (ctx.decision.verdict == Verdict::Deny && !ctx.dry_run) return;  // nothing can be more restrictive
  if (!enabled(engine)) return;
  const protocol::HookEvent& ev = ctx.event;
  selfguard::Inputs in;
  in.home = eo.home;
  if (in.home.empty())
    if (const char* h = std::getenv("HOME")) in.home = h;
  in.project_dir = eo.project_dir;
  if (in.project_dir.empty()) {
    const char* p = std::getenv("CLAUDE_PROJECT_DIR");
    in.project_dir = p && *p ? p : ev.cwd;
  }
  in.cwd = ev.cwd;
  in.agent = ev.agent;
  in.audit_db = audit::db_path(ctx.config).string();
  auto get_analysis = [&]() -> const shell::Analysis& {
    if (!analysis) analysis = policy::analyze_call(ev, in.home, in.project_dir);
    return *analysis;
  };
  selfguard::Finding f = selfguard::check(ev, in, get_analysis);
  if (ctx.dry_run)
    ctx.decision.trace.push_back({"builtin", "self-protection", "protected locations, resolved for this call",
                                  f.verdict == Verdict::None ? "no match"
                                                             : "matched: " + std::string(to_string(f.verdict)) + " (" +
                                                                   f.rule + ")"});
  if (f.verdict <= ctx.decision.verdict) return;  // most restrictive wins; on a tie the policy's rule is kept
  Decision& d = ctx.decision;
  d.verdict = f.verdict;
  d.needs_approval = false;
  d.reason = f.reason + " [" + f.rule + "]";
  d.has_rule = true;
  d.rule = RuleRef{};
  d.rule.layer = "builtin";
  d.rule.file = "self-protection";
  d.rule.tool = ev.tool_name;
  d.rule.id = f.rule;
  d.rule.description = f.reason;
}

}  // namespace preloop::hook
