#include <iostream>
#include <unistd.h>

#include "commands.h"
#include "config/config.h"
#include "hook/dry_run.h"
#include "packs/packs.h"
#include "policy/layers.h"
#include "policy/loader.h"
#include "policy/validate.h"

namespace preloop::cmd {
namespace {

struct RulesArgs {
  std::vector<std::string> files;
  std::string profile;
  bool quiet = false;
};

// Validates documents: parse diagnostics, static checks, inline tests.
int validate(const RulesArgs& a) {
  Config config;
  try {
    config = load_config();
  } catch (const std::exception& e) {
    fail(1, e.what());
  }
  std::vector<policy::Diagnostic> diags;
  std::vector<policy::LayerDocs> layers;
  if (a.files.empty()) {
    char buf[4096];
    policy::LoadOptions lo;
    lo.profile = a.profile;
    if (const char* p = std::getenv("CLAUDE_PROJECT_DIR"); p && *p) lo.project_dir = p;
    else if (getcwd(buf, sizeof buf)) lo.project_dir = buf;
    auto set = policy::load_policy_set(config, lo);
    diags = set.diags;
    for (const auto& f : set.files) std::cout << "loaded " << f << "\n";
    layers = set.engine.layers();
  } else {
    policy::LayerDocs l{"file", {}, true};
    for (const auto& f : a.files) l.docs.push_back(policy::load_document_file(f, diags));
    layers.push_back(std::move(l));
  }
  int tests_passed = 0, tests_failed = 0;
  for (const auto& layer : layers) {
    for (const auto& doc : layer.docs) {
      auto more = policy::check_document(doc);
      diags.insert(diags.end(), more.begin(), more.end());
      if (doc.tests.empty()) continue;
      // Inline tests exercise their own document, alone.
      policy::PolicySet one;
      one.engine.add_layer({layer.name, {doc}, true});
      auto r = hook::run_cases(doc.tests, one, config, std::cout, false);
      tests_passed += r.passed;
      tests_failed += r.failed;
    }
  }
  int errors = 0, warnings = 0;
  for (const auto& d : diags) {
    if (d.severity == policy::Diagnostic::Severity::Error) ++errors;
    else ++warnings;
    if (d.severity == policy::Diagnostic::Severity::Error || !a.quiet) std::cerr << d.render() << "\n";
  }
  std::cout << errors << " error(s), " << warnings << " warning(s)";
  if (tests_passed + tests_failed) std::cout << "; inline tests: " << tests_passed << " passed, " << tests_failed << " failed";
  std::cout << "\n";
  return errors || tests_failed ? 1 : 0;
}

}  // namespace

void add_rules_command(CLI::App& app) {
  auto* rules = app.add_subcommand("rules", "Check and inspect policy files and rule packs");
  rules->require_subcommand(1);
  auto a = std::make_shared<RulesArgs>();
  auto* v = rules->add_subcommand("validate", "Load and check policies (all configured layers, or the given files)");
  v->add_option("files", a->files, "Policy files to check (default: every configured layer and pack)");
  v->add_option("--profile", a->profile, "Rule pack profile to check (recommended, strict, off)");
  v->add_flag("-q,--quiet", a->quiet, "Print errors only");
  v->footer("Exit code: 0 valid, 1 errors or failing inline tests.");
  v->callback([a] {
    if (int code = validate(*a)) throw CLI::RuntimeError(code);
  });
  auto* packs = rules->add_subcommand("packs", "List the built-in rule packs, or print one");
  auto name = std::make_shared<std::string>();
  packs->add_option("name", *name, "Pack to print");
  packs->callback([name] {
    for (const auto& p : packs::all()) {
      if (name->empty()) std::cout << p.name << "\t" << p.file << "\n";
      else if (p.name == *name) {
        std::cout << p.text;
        return;
      }
    }
    if (!name->empty()) fail(1, "no built-in pack named '" + *name + "'");
  });
}

}  // namespace preloop::cmd
