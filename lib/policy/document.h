// A Preloop-style policy document, as loaded from YAML or JSON.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "policy/decision.h"
#include "policy/prefilter.h"

namespace preloop::policy {

struct SourceLoc {
  std::string file;
  int line = 0;    // 1-based
  int column = 0;  // 1-based
  std::string str() const { return file + ":" + std::to_string(line) + ":" + std::to_string(column); }
};

struct Diagnostic {
  enum class Severity { Error, Warning };
  Severity severity = Severity::Error;
  SourceLoc loc;
  std::string message;
  std::string detail;  // e.g. the expression with a caret under the error
  std::string render() const;
};
bool has_errors(const std::vector<Diagnostic>& diags);

struct Workflow {
  std::string name;
  std::string description;
  int timeout_seconds = 300;
  int approvals_required = 1;
  std::vector<std::string> approver_users;
  std::vector<std::string> approver_teams;
  SourceLoc loc;
};

enum class ConditionType { Simple, Cel };

struct Condition {
  std::string id;             // optional, "<pack>.<rule>" in packs
  std::string expression;     // empty = catch-all
  Action action = Action::RequireApproval;
  ConditionType type = ConditionType::Cel;
  bool type_explicit = false;
  std::string description;    // description or message
  std::string workflow;       // approval_workflow on the condition
  int timeout_seconds = 0;    // on the condition; 0 = the workflow's
  bool enabled = true;
  bool enforce = true;        // false: observed (the would-be decision is recorded, not answered)
  std::vector<std::string> overrides;  // rule ids this allow/ask rule overrides when it matches
  SourceLoc loc;              // the condition entry
  SourceLoc expr_loc;         // the expression scalar
  Prefilter prefilter;        // derived when the policy snapshot is written; else by the engine
};

struct ToolRule {
  std::vector<std::string> names;  // exact (case-insensitive), glob, or @group
  std::string source = "builtin";
  bool enabled = true;
  std::string workflow;
  std::string description;
  std::vector<Condition> conditions;
  SourceLoc loc;
};

// One case of a policy test suite (suite files and inline `tests:`).
struct TestCase {
  std::string name;
  std::string tool = "Bash";
  nlohmann::json input = nlohmann::json::object();
  std::string cwd = "/home/user/project";
  std::string home = "/home/user";
  std::string permission_mode = "default";
  Verdict expect = Verdict::None;
  std::string expect_rule;  // optional rule id
  SourceLoc loc;
};

// An entry of a document's `disable:` or `observe:` list: a pack (by name)
// or a rule (by id), with the reason and an optional last day.
struct Tuning {
  enum class Kind { Disable, Observe };
  Kind kind = Kind::Disable;
  std::string pack;     // a pack's metadata.name ...
  std::string rule;     // ... or a rule id
  std::string reason;
  std::string expires;  // YYYY-MM-DD (UTC), last day in force; empty = no end
  SourceLoc loc;
  std::string target() const { return pack.empty() ? rule : "pack " + pack; }
};

struct Document {
  std::string file;     // path or embedded name
  std::string version = "1.0";
  std::string name;
  std::string description;
  std::vector<std::string> profiles;  // packs: which profiles enable them
  std::vector<Workflow> workflows;
  std::vector<ToolRule> tools;
  std::vector<TestCase> tests;
  std::vector<Tuning> tuning;  // disable: and observe: entries
  bool observe = false;        // mode: observe (every rule of the document)
  bool rule_tuning = false;    // a condition has enforce: false or override (derived)
  const Workflow* find_workflow(const std::string& name) const;
};

}  // namespace preloop::policy
