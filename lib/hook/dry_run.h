// `preloop-hook test`: run the pipeline without network or audit and explain
// the decision; policy test suites built on the same run.
#pragma once

#include <ostream>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "hook/context.h"
#include "policy/document.h"
#include "policy/layers.h"

namespace preloop::hook {

// Exit codes of `preloop-hook test` for one call.
inline constexpr int kExitPass = 0;    // allow or no decision
inline constexpr int kExitError = 1;   // bad usage or input
inline constexpr int kExitDeny = 2;
inline constexpr int kExitAsk = 3;     // ask / require_approval
int exit_code_for(Verdict v);

// A PreToolUse event for a tool call given on the command line.
std::string make_event(const std::string& tool, const nlohmann::json& input, const std::string& cwd,
                       const std::string& permission_mode = "default");

void print_explanation(std::ostream& out, const HookContext& ctx, bool color);
nlohmann::json explanation_json(const HookContext& ctx);

struct CaseResult {
  std::string name, location, expected, got;
  bool passed = false;
  std::string detail;  // input, expectation and trace of a failed case
};

struct SuiteResult {
  int passed = 0;
  int failed = 0;
  std::vector<CaseResult> cases;
  std::set<std::string> exercised;  // file:line:col of every rule a case matched
};

// Runs test cases against a policy set; prints each failure with its trace.
SuiteResult run_cases(const std::vector<policy::TestCase>& cases, const policy::PolicySet& set, const Config& config,
                      std::ostream& out, bool verbose);

}  // namespace preloop::hook
