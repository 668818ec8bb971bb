#include "approval/policy_check.h"

#include "policy/loader.h"
#include "policy/validate.h"

namespace preloop::approval {

bool validate_policy_text(const std::string& text, const std::string& source_name, std::string* error,
                          int* warnings) {
  std::vector<policy::Diagnostic> diags;
  const policy::Document doc = policy::load_document_text(text, source_name, diags);
  if (!policy::has_errors(diags)) {
    auto more = policy::check_document(doc);
    diags.insert(diags.end(), more.begin(), more.end());
  }
  int errors = 0;
  *warnings = 0;
  error->clear();
  for (const auto& d : diags) {
    if (d.severity == policy::Diagnostic::Severity::Warning) {
      ++*warnings;
    } else if (++errors <= 3) {
      if (!error->empty()) *error += "; ";
      *error += d.loc.str() + ": " + d.message;
    }
  }
  if (errors > 3) *error += " (and " + std::to_string(errors - 3) + " more)";
  return errors == 0;
}

}  // namespace preloop::approval
