#include "install/doctor.h"

#include <exception>

namespace preloop::install {

const char* status_name(CheckStatus status) {
  switch (status) {
    case CheckStatus::Ok: return "ok";
    case CheckStatus::Warn: return "warn";
    case CheckStatus::Fail: return "fail";
    case CheckStatus::Skip: return "skip";
  }
  return "fail";
}

std::vector<Check> default_checks() {
  return {check_claude_settings, check_self_test, check_guard, check_config, check_policies, check_audit,
          check_forward, check_approval};
}

DoctorReport run_doctor(const DoctorContext& ctx, const std::vector<Check>& checks) {
  DoctorReport report;
  for (const auto& check : checks) {
    std::vector<CheckResult> results;
    try {
      results = check(ctx);
    } catch (const std::exception& e) {
      results.push_back({"doctor.internal", CheckStatus::Fail, std::string("a check failed to run: ") + e.what(),
                         "report this as a bug in preloop-hook"});
    }
    for (auto& r : results) {
      if (r.status == CheckStatus::Fail) ++report.failures;
      if (r.status == CheckStatus::Warn) ++report.warnings;
      report.results.push_back(std::move(r));
    }
  }
  if (report.failures > 0) {
    report.verdict = "NOT PROTECTED: " + std::to_string(report.failures) + " problem" +
                     (report.failures == 1 ? "" : "s") + " must be fixed before preloop-hook gates Claude Code";
  } else if (report.warnings > 0) {
    report.verdict = "PROTECTED, with " + std::to_string(report.warnings) + " warning" +
                     (report.warnings == 1 ? "" : "s");
  } else {
    report.verdict = "PROTECTED: preloop-hook gates every Claude Code tool call";
  }
  return report;
}

std::string render_text(const DoctorReport& report) {
  std::string out;
  for (const auto& r : report.results) {
    std::string tag = r.status == CheckStatus::Ok     ? "[ ok ]"
                      : r.status == CheckStatus::Warn ? "[warn]"
                      : r.status == CheckStatus::Fail ? "[FAIL]"
                                                      : "[skip]";
    out += tag + " " + r.id + ": " + r.message + "\n";
    if (!r.fix.empty() && r.status != CheckStatus::Ok) out += "       fix: " + r.fix + "\n";
  }
  out += report.verdict + "\n";
  return out;
}

nlohmann::json render_json(const DoctorReport& report) {
  nlohmann::json checks = nlohmann::json::array();
  nlohmann::json out = {{"ok", report.failures == 0},
                        {"failures", report.failures},
                        {"warnings", report.warnings},
                        {"verdict", report.verdict}};
  for (const auto& r : report.results) {
    nlohmann::json c = {{"id", r.id}, {"status", status_name(r.status)}, {"message", r.message}};
    if (!r.fix.empty()) c["fix"] = r.fix;
    checks.push_back(c);
    if (r.data.is_object())
      for (const auto& [k, v] : r.data.items()) {
        if (out.contains(k) && out[k].is_object() && v.is_object()) out[k].update(v);  // e.g. one entry per sink
        else out[k] = v;
      }
  }
  out["checks"] = checks;
  return out;
}

}  // namespace preloop::install
