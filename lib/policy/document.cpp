#include "policy/document.h"

namespace preloop::policy {

std::string Diagnostic::render() const {
  std::string out = loc.str() + ": " + (severity == Severity::Error ? "error: " : "warning: ") + message;
  if (!detail.empty()) out += "\n" + detail;
  return out;
}

bool has_errors(const std::vector<Diagnostic>& diags) {
  for (const auto& d : diags)
    if (d.severity == Diagnostic::Severity::Error) return true;
  return false;
}

const Workflow* Document::find_workflow(const std::string& name) const {
  for (const auto& w : workflows)
    if (w.name == name) return &w;
  return nullptr;
}

}  // namespace preloop::policy
