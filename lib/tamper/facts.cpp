#include "tamper/facts.h"

#include "audit/sha256.h"
#include "config/safe_file.h"
#include "install/hook_entries.h"
#include "install/settings_file.h"
#include "policy/loader.h"

namespace preloop::tamper {
namespace fs = std::filesystem;

std::optional<std::string> read_regular_file(const fs::path& path, std::size_t max_bytes, std::string* error,
                                             bool* missing, bool owner_only) {
  try {
    FileContent c = read_file_safely(path, FileRule{"fingerprinted files", max_bytes, true, owner_only});
    if (missing) *missing = false;
    return std::move(c.text);
  } catch (const FileError& e) {
    if (error) *error = e.what();
    if (missing) *missing = e.missing;
    return std::nullopt;
  }
}

std::string digest_of(const std::string& text) { return audit::to_hex(audit::sha256(text)); }

namespace {

// An empty expression is a catch-all; so is the literal `true`.
bool matches_everything(const std::string& expr) {
  auto first = expr.find_first_not_of(" \t\r\n(");
  if (first == std::string::npos) return true;
  auto last = expr.find_last_not_of(" \t\r\n)");
  return expr.substr(first, last - first + 1) == "true";
}

}  // namespace

PolicyFacts policy_facts(const std::string& text, const std::string& file) {
  std::vector<policy::Diagnostic> diags;
  policy::Document doc = policy::load_document_text(text, file, diags);
  PolicyFacts f;
  for (const auto& d : diags)
    if (d.severity == policy::Diagnostic::Severity::Error) f.valid = false;
  for (const auto& t : doc.tools) {
    if (!t.enabled || t.conditions.empty()) {
      ++f.rules;  // denies, or requires approval for, every call of the tool
      if (doc.observe) ++f.relaxed;
      continue;
    }
    for (const auto& c : t.conditions) {
      if (!c.enabled) continue;
      ++f.rules;
      f.relaxed += int(c.overrides.size()) + (!c.enforce || doc.observe ? 1 : 0);
      if (c.action == Action::Allow && matches_everything(c.expression)) f.allow_all = true;
    }
  }
  f.relaxed += int(doc.tuning.size());
  return f;
}

SettingsFacts settings_facts(const std::string& text, const fs::path& file) {
  SettingsFacts f;
  try {
    install::Json json = install::parse_settings(text, file);
    for (const auto& h : install::find_own_handlers(json))
      if (h.event == "PreToolUse") f.runs_hook = true;
    auto it = json.find("disableAllHooks");
    f.disables_hooks = it != json.end() && *it == true;
  } catch (const install::SettingsError&) {
    f.valid = false;
  }
  return f;
}

}  // namespace preloop::tamper
