#include "policy/validate.h"

#include <algorithm>
#include <set>

#include "policy/simple_condition.h"
#include "policy/tool_match.h"
#include "policy/variables.h"

namespace preloop::policy {
namespace {

Diagnostic warn(SourceLoc loc, std::string msg) {
  return {Diagnostic::Severity::Warning, std::move(loc), std::move(msg), {}};
}

bool is_catch_all(const Condition& c) { return c.expression == "true" || c.expression == "True"; }

// Maps a column inside a single-line expression to the file position.
SourceLoc expr_position(const Condition& c, int line, int column) {
  SourceLoc loc = c.expr_loc;
  if (c.expression.find('\n') == std::string::npos && line == 1) loc.column += column;  // +1 for the opening quote
  return loc;
}

bool covers(const Document& d, std::string_view tool) {
  auto tn = ToolName::parse(tool);
  return std::any_of(d.tools.begin(), d.tools.end(), [&](const ToolRule& t) { return tool_matches(t.names, t.source, tn); });
}

}  // namespace

std::vector<Diagnostic> check_document(const Document& d) {
  std::vector<Diagnostic> out;
  for (const auto& t : d.tools) {
    bool mcp_source = !t.source.empty() && t.source != "builtin" && t.source != "claude_code" && t.source != "agent";
    std::vector<std::string> fields;
    for (const auto& n : t.names) {
      if (!mcp_source && !is_known_tool_pattern(n))
        out.push_back(warn(t.loc, "unknown tool '" + n + "': no Claude Code tool has this name, so the entry never "
                                  "matches (MCP tools are named mcp__<server>__<tool>)"));
      auto f = known_input_fields(n);
      fields.insert(fields.end(), f.begin(), f.end());
      for (const auto& m : group_members(n)) {
        auto g = known_input_fields(m);
        fields.insert(fields.end(), g.begin(), g.end());
      }
    }
    if (!t.workflow.empty() && !d.find_workflow(t.workflow))
      out.push_back(warn(t.loc, "approval workflow '" + t.workflow +
                                    "' is not defined in this file (it must exist on the approval service)"));
    bool after_catch_all = false;
    for (const auto& c : t.conditions) {
      if (after_catch_all)
        out.push_back(warn(c.loc, "condition is unreachable: an earlier condition of this tool always matches"));
      if (c.enabled && is_catch_all(c)) after_catch_all = true;
      if (!c.workflow.empty() && !d.find_workflow(c.workflow))
        out.push_back(warn(c.loc, "approval workflow '" + c.workflow +
                                      "' is not defined in this file (it must exist on the approval service)"));
      if (c.action != Action::RequireApproval && !c.workflow.empty())
        out.push_back(warn(c.loc, "approval_workflow has no effect on an '" + std::string(to_string(c.action)) +
                                      "' condition"));
      if (c.expression.empty()) continue;
      std::vector<std::string> used;
      if (c.type == ConditionType::Simple) {
        std::string err;
        auto s = SimpleCondition::parse(c.expression, &err);
        if (!s) {
          out.push_back({Diagnostic::Severity::Error, c.expr_loc, err, {}});
          continue;
        }
        if (!s->field().empty()) used.push_back(s->field().substr(0, s->field().find('.')));
      } else {
        auto r = policy_env().compile(c.expression);
        if (!r.ok()) {
          out.push_back({Diagnostic::Severity::Error, expr_position(c, r.error->line, r.error->column),
                         "invalid expression: " + r.error->message, r.error->render(c.expression)});
          continue;
        }
        used = r.program->fields_of("args");
      }
      if (fields.empty()) continue;
      for (const auto& f : used)
        if (std::find(fields.begin(), fields.end(), f) == fields.end())
          out.push_back(warn(c.expr_loc, "field 'args." + f + "' does not exist in the input of " + t.names.front() +
                                             " (it is always missing, so the condition errors or never matches)"));
    }
  }
  if (covers(d, "Write") && !covers(d, "Edit")) {
    auto it = std::find_if(d.tools.begin(), d.tools.end(),
                           [](const ToolRule& t) { return tool_matches(t.names, t.source, ToolName::parse("Write")); });
    out.push_back(warn(it->loc, "this policy covers Write but not Edit: the same change can be made with Edit "
                                "(use name: \"@file_write\" for Write, Edit, MultiEdit and NotebookEdit)"));
  }
  return out;
}

}  // namespace preloop::policy
