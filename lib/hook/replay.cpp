#include "hook/replay.h"

#include <cstdlib>

#include <fmt/format.h>

#include "hook/dry_run.h"
#include "hook/hook.h"
#include "policy/layers.h"

namespace preloop::hook {
namespace fs = std::filesystem;
namespace {

std::string word(Verdict v) { return v == Verdict::None ? "pass" : std::string(to_string(v)); }

// What the policy answered for a record: a rule's require_approval counts as
// ask whatever the approver said; observe mode's would-be decision counts.
std::string recorded(const audit::Record& r) {
  if (!r.approval_status.empty()) return "ask";
  if (r.decision.rfind("would_", 0) == 0) return r.decision.substr(6);
  return r.decision == "none" ? "pass" : r.decision;
}

std::string rule_of(const RuleRef& r) { return r.id.empty() ? r.location() : r.id; }

}  // namespace

ReplayReport replay(const audit::Store& store, const Config& config, const ReplayOptions& opt) {
  ReplayReport rep;
  std::vector<fs::path> files;
  for (const auto& p : opt.policy) {
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      auto in = policy::policy_files_in(p);
      files.insert(files.end(), in.begin(), in.end());
    } else if (fs::exists(p, ec)) {
      files.push_back(p);
    } else {
      rep.errors.push_back("no policy file or directory at " + p.string());
    }
  }
  if (!rep.errors.empty()) return rep;
  std::map<std::string, policy::PolicySet> sets;  // by project (the recorded working directory)
  const char* home = std::getenv("HOME");
  for (const auto& r : audit::list(store, opt.filter)) {
    if (r.hook_event != "PreToolUse") continue;
    // Failures were not policy decisions; a secret's decision needs the unmasked input.
    if (!r.failure_class.empty() || r.tool.empty() || r.decision.empty() || r.rule_id.rfind("secrets.", 0) == 0) {
      ++rep.skipped;
      continue;
    }
    nlohmann::json input = nlohmann::json::parse(r.arguments, nullptr, false);
    if (input.is_discarded() || !input.is_object()) {
      ++rep.skipped;
      continue;
    }
    auto it = sets.find(r.cwd);
    if (it == sets.end()) {
      policy::LoadOptions lo;
      lo.project_dir = r.cwd;
      lo.profile = opt.profile;
      lo.user_files = files;
      it = sets.emplace(r.cwd, policy::load_policy_set(config, lo)).first;
      if (rep.loaded.empty()) rep.loaded = it->second.files;
      for (const auto& d : it->second.diags)
        if (d.severity == policy::Diagnostic::Severity::Error) rep.errors.push_back(d.render());
      if (!rep.errors.empty()) return rep;
    }
    RunOptions ro;
    ro.dry_run = true;
    ro.policies = &it->second;
    ro.eval.project_dir = r.cwd;
    if (home) ro.eval.home = home;
    HookContext ctx;
    run(make_event(r.tool, input, r.cwd, r.permission_mode.empty() ? "default" : r.permission_mode), config, ro, &ctx);
    const Decision& d = ctx.decision;
    const bool observed = d.has_observed && d.observed_verdict != Verdict::None;
    const std::string before = recorded(r);
    const std::string after = word(observed ? d.observed_verdict : d.verdict);
    ++rep.examined;
    if (before == after) continue;
    ++rep.changed;
    const std::string change = before + " -> " + after;
    const bool has_rule = observed || d.has_rule;
    std::string rule_after = has_rule ? rule_of(observed ? d.observed_rule : d.rule) : "";
    std::string rule_before = r.rule_id.empty() ? r.rule_location : r.rule_id;
    ++rep.by_rule[rule_after.empty() ? "(none; was " + (rule_before.empty() ? "none" : rule_before) + ")" : rule_after];
    if (rep.by_change[change]++ < opt.examples)
      rep.examples.push_back({r.seq, r.ts, r.tool, r.arguments.substr(0, 200), before, after, rule_before, rule_after});
  }
  return rep;
}

std::string replay_text(const ReplayReport& r) {
  std::string out;
  for (const auto& e : r.errors) out += "error: " + e + "\n";
  if (!r.errors.empty()) return out + "the candidate policy is invalid: nothing compared\n";
  out += "candidate policy:\n";
  for (const auto& f : r.loaded) out += "  " + f + "\n";
  out += fmt::format("{} call(s) re-evaluated, {} skipped, {} would change\n", r.examined, r.skipped, r.changed);
  if (!r.changed) return out;
  out += "by change:\n";
  for (const auto& [k, n] : r.by_change) out += fmt::format("  {:>8}  {}\n", n, k);
  out += "by rule:\n";
  for (const auto& [k, n] : r.by_rule) out += fmt::format("  {:>8}  {}\n", n, k);
  out += "examples:\n";
  for (const auto& e : r.examples)
    out += fmt::format("  #{} {} {} {} -> {} ({} -> {}) {}\n", e.seq, e.ts, e.tool, e.before, e.after,
                       e.rule_before.empty() ? "no rule" : e.rule_before, e.rule_after.empty() ? "no rule" : e.rule_after,
                       e.input);
  return out;
}

nlohmann::json replay_json(const ReplayReport& r) {
  nlohmann::json examples = nlohmann::json::array();
  for (const auto& e : r.examples)
    examples.push_back({{"seq", e.seq}, {"timestamp", e.ts}, {"tool", e.tool}, {"input", e.input},
                        {"before", e.before}, {"after", e.after}, {"rule_before", e.rule_before},
                        {"rule_after", e.rule_after}});
  return {{"examined", r.examined}, {"skipped", r.skipped}, {"changed", r.changed}, {"by_change", r.by_change},
          {"by_rule", r.by_rule},   {"examples", examples},  {"loaded", r.loaded},   {"errors", r.errors}};
}

}  // namespace preloop::hook
