// Doctor checks on the policy layers: they load without errors, and their
// approval timeouts fit in the hook's wait budget.
#include "install/doctor.h"
#include "policy/layers.h"

namespace preloop::install {

std::vector<CheckResult> check_policies(const DoctorContext& ctx) {
  if (!ctx.config) return {{"policy.valid", CheckStatus::Skip, "config did not load; policies not checked", ""}};
  policy::LoadOptions options;
  options.project_dir = ctx.claude.project_dir.string();
  policy::PolicySet set = policy::load_policy_set(*ctx.config, options);

  std::vector<CheckResult> out;
  int errors = 0;
  for (const auto& d : set.diags) {
    if (d.severity == policy::Diagnostic::Severity::Error) {
      ++errors;
      out.push_back({"policy.valid", CheckStatus::Fail, d.render(),
                     "fix the policy at that location (check with `preloop-hook rules validate`); "
                     "until then every tool call is denied"});
    } else {
      out.push_back({"policy.warning", CheckStatus::Warn, d.render(), "see `preloop-hook rules validate`"});
    }
  }
  if (errors == 0)
    out.push_back({"policy.valid", CheckStatus::Ok,
                   std::to_string(set.files.size()) + " policy source(s) load without errors", ""});

  // A require_approval rule whose wait is longer than the hook may wait ends
  // early with the on_unreachable answer; say so rather than surprise the user.
  int budget = ctx.config->wait_budget_seconds();
  for (const auto& layer : set.engine.layers()) {
    for (const auto& doc : layer.docs) {
      for (const auto& wf : doc.workflows) {
        if (wf.timeout_seconds > budget)
          out.push_back({"approval.timeout", CheckStatus::Warn,
                         "workflow '" + wf.name + "' (" + doc.file + ") allows " + std::to_string(wf.timeout_seconds) +
                             " s for an answer, but the hook stops waiting after " + std::to_string(budget) +
                             " s (hook_timeout_seconds " + std::to_string(ctx.config->hook_timeout_seconds) + ")",
                         "raise hook_timeout_seconds to at least " + std::to_string(wf.timeout_seconds + 30) +
                             " and rerun `preloop-hook install`, or shorten the workflow's timeout_seconds"});
      }
    }
  }
  return out;
}

}  // namespace preloop::install
