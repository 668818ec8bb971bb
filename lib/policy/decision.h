// The answer to one tool call, and the rule that produced it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace preloop {

// Ordered by restrictiveness: across layers the largest wins.
enum class Verdict { None = 0, Allow = 1, Ask = 2, Deny = 3 };

// What a policy condition asks for (Preloop's actions).
enum class Action { Allow, Deny, RequireApproval };

constexpr std::string_view to_string(Verdict v) {
  switch (v) {
    case Verdict::Allow: return "allow";
    case Verdict::Ask: return "ask";
    case Verdict::Deny: return "deny";
    default: return "none";
  }
}
constexpr std::string_view to_string(Action a) {
  switch (a) {
    case Action::Allow: return "allow";
    case Action::Deny: return "deny";
    default: return "require_approval";
  }
}

// Where a decision came from.
struct RuleRef {
  std::string layer;        // managed | synced | user | project | pack:<name> | builtin
  std::string file;         // source file (or embedded pack name)
  int line = 0;             // 1-based line of the condition (or tool) in file
  int column = 0;
  std::string tool;         // the policy's tool entry name
  std::string id;           // condition id, when given
  std::string description;  // description / message
  std::string expression;
  std::string workflow;     // approval workflow name, for require_approval
  int timeout_seconds = 0;  // approval timeout (condition, else workflow), 0 = default
  std::string location() const {  // "file:line:col"
    return file + ":" + std::to_string(line) + ":" + std::to_string(column);
  }
};

// One line of the evaluation trace shown by `preloop-hook test`.
struct TraceStep {
  std::string layer;
  std::string location;     // file:line:col
  std::string expression;
  std::string outcome;      // "matched", "no match", "error: ...", "skipped: ..."
};

struct Decision {
  Verdict verdict = Verdict::None;
  bool needs_approval = false;  // a require_approval rule decided (verdict Ask until resolved)
  std::string reason;           // for deny: what the agent is told; for ask: what the user sees
  bool has_rule = false;
  RuleRef rule;
  std::vector<TraceStep> trace;
  // Observe mode: what rules in observe mode would have answered, when that
  // differs from the verdict (which they did not influence).
  bool has_observed = false;
  Verdict observed_verdict = Verdict::None;
  std::string observed_reason;
  RuleRef observed_rule;
  // Approval outcome, filled when an approval service was asked.
  std::string approval_request_id;
  std::string approval_status;  // approved | declined | timed_out | unreachable | auth_error | not_configured
  std::string approver;
  long long approval_wait_ms = 0;
  std::string failure_class;    // approval / store failure class, empty when none
};

}  // namespace preloop
