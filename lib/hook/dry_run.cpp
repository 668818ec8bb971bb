#include "hook/dry_run.h"

#include "hook/hook.h"
#include "secrets/detector.h"
#include "secrets/json_scan.h"

namespace preloop::hook {
namespace {

const char* paint(Verdict v, bool color) {
  if (!color) return "";
  switch (v) {
    case Verdict::Deny: return "\033[1;31m";
    case Verdict::Ask: return "\033[1;33m";
    case Verdict::Allow: return "\033[1;32m";
    default: return "\033[1m";
  }
}

// Secrets in the tool input, described without their values.
std::vector<std::string> secret_findings(const HookContext& ctx) {
  const auto& detector = secrets::detector_for(ctx.config);
  return secrets::describe(secrets::scan_json(ctx.event.tool_input, detector), ctx.event.tool_input, "tool_input",
                           ctx.event.session_id);
}

std::string verdict_word(Verdict v) { return v == Verdict::None ? "pass (no decision)" : std::string(to_string(v)); }

}  // namespace

int exit_code_for(Verdict v) {
  switch (v) {
    case Verdict::Deny: return kExitDeny;
    case Verdict::Ask: return kExitAsk;
    default: return kExitPass;
  }
}

std::string make_event(const std::string& tool, const nlohmann::json& input, const std::string& cwd,
                       const std::string& permission_mode) {
  nlohmann::json ev = {{"session_id", "dry-run"},
                       {"transcript_path", ""},
                       {"cwd", cwd},
                       {"permission_mode", permission_mode},
                       {"hook_event_name", "PreToolUse"},
                       {"tool_name", tool},
                       {"tool_input", input},
                       {"tool_use_id", "toolu_dry_run"}};
  return ev.dump();
}

void print_explanation(std::ostream& out, const HookContext& ctx, bool color) {
  const Decision& d = ctx.decision;
  const char* reset = color ? "\033[0m" : "";
  out << "decision: " << paint(d.verdict, color) << verdict_word(d.verdict) << reset;
  if (d.needs_approval) out << " (require_approval: the approval service is not contacted in a dry run)";
  out << "\n";
  if (!d.reason.empty()) out << "reason:   " << d.reason << "\n";
  if (d.has_rule) {
    out << "rule:     " << (d.rule.id.empty() ? d.rule.tool : d.rule.id) << " (" << d.rule.layer << ", "
        << d.rule.location() << ")\n";
    if (!d.rule.workflow.empty()) out << "workflow: " << d.rule.workflow << "\n";
  }
  if (d.has_observed) {
    out << "observed: would have answered " << verdict_word(d.observed_verdict)
        << " (observe mode: recorded in the audit trail, not answered)\n";
    if (!d.observed_reason.empty()) out << "          " << d.observed_reason << "\n";
  }
  if (!ctx.updated_input.is_null()) out << "updated input: " << ctx.updated_input.dump() << "\n";
  if (ctx.policies) {
    out << "loaded:\n";
    for (const auto& f : ctx.policies->files) out << "  " << f << "\n";
  }
  auto findings = secret_findings(ctx);
  if (!findings.empty()) {
    out << "secrets:\n";
    for (const auto& f : findings) out << "  " << f << "\n";
  }
  if (!d.trace.empty()) {
    out << "trace:\n";
    for (const auto& t : d.trace) {
      std::string expr = t.expression;
      for (auto& c : expr)
        if (c == '\n') c = ' ';
      if (expr.size() > 100) expr = expr.substr(0, 97) + "...";
      out << "  " << t.layer << "  " << t.location << "  " << t.outcome << "\n      " << expr << "\n";
    }
  }
}

nlohmann::json explanation_json(const HookContext& ctx) {
  const Decision& d = ctx.decision;
  nlohmann::json j = {{"decision", to_string(d.verdict)},
                      {"needs_approval", d.needs_approval},
                      {"reason", d.reason},
                      {"exit_code", exit_code_for(d.verdict)}};
  if (d.has_rule)
    j["rule"] = {{"layer", d.rule.layer}, {"file", d.rule.file},       {"line", d.rule.line},
                 {"column", d.rule.column}, {"id", d.rule.id},         {"tool", d.rule.tool},
                 {"description", d.rule.description}, {"workflow", d.rule.workflow}};
  else
    j["rule"] = nullptr;
  if (d.has_observed)
    j["observed"] = {{"decision", to_string(d.observed_verdict)}, {"reason", d.observed_reason},
                     {"rule", d.observed_rule.id.empty() ? d.observed_rule.location() : d.observed_rule.id}};
  if (!ctx.updated_input.is_null()) j["updated_input"] = ctx.updated_input;
  if (ctx.policies) j["loaded"] = ctx.policies->files;
  j["secrets"] = secret_findings(ctx);
  nlohmann::json trace = nlohmann::json::array();
  for (const auto& t : d.trace)
    trace.push_back({{"layer", t.layer}, {"location", t.location}, {"expression", t.expression}, {"outcome", t.outcome}});
  j["trace"] = trace;
  return j;
}

SuiteResult run_cases(const std::vector<policy::TestCase>& cases, const policy::PolicySet& set, const Config& config,
                      std::ostream& out, bool verbose) {
  SuiteResult r;
  for (const auto& c : cases) {
    RunOptions opt;
    opt.dry_run = true;
    opt.policies = &set;
    opt.eval.home = c.home;
    opt.eval.project_dir = c.cwd;
    HookContext ctx;
    run(make_event(c.tool, c.input, c.cwd, c.permission_mode), config, opt, &ctx);
    const Decision& d = ctx.decision;
    for (const auto& t : d.trace)
      if (t.outcome.rfind("matched", 0) == 0) r.exercised.insert(t.location);
    CaseResult cr;
    cr.name = c.name.empty() ? c.tool + " " + c.input.dump() : c.name;
    cr.location = c.loc.str();
    cr.expected = verdict_word(c.expect) + (c.expect_rule.empty() ? "" : " by " + c.expect_rule);
    cr.got = verdict_word(d.verdict) +
             (d.has_rule ? " by " + (d.rule.id.empty() ? d.rule.location() : d.rule.id) : std::string());
    cr.passed = d.verdict == c.expect && (c.expect_rule.empty() || d.rule.id == c.expect_rule);
    if (cr.passed) {
      ++r.passed;
      if (verbose) out << "ok   " << c.loc.str() << "  " << c.name << "\n";
      r.cases.push_back(std::move(cr));
      continue;
    }
    ++r.failed;
    cr.detail = "     input:    " + c.tool + " " + c.input.dump() + "\n" + "     expected: " + cr.expected + "\n" +
                "     got:      " + cr.got + "\n";
    for (const auto& t : d.trace)
      if (t.outcome != "no match") cr.detail += "     trace:    " + t.location + " " + t.outcome + "\n";
    out << "FAIL " << c.loc.str() << "  " << (c.name.empty() ? c.input.dump() : c.name) << "\n" << cr.detail;
    r.cases.push_back(std::move(cr));
  }
  return r;
}

}  // namespace preloop::hook
