#include <filesystem>
#include <iostream>
#include <optional>
#include <unistd.h>

#include "commands.h"
#include "config/config.h"
#include "hook/dry_run.h"
#include "packs/packs.h"
#include "policy/layers.h"
#include "policy/loader.h"
#include "policy/tuning.h"
#include "policy/validate.h"

namespace preloop::cmd {
namespace {

struct RulesArgs {
  std::vector<std::string> files;
  std::string profile;
  bool quiet = false;
};

std::error_code& ec_ignored() {
  static std::error_code ec;
  return ec;
}

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
  // Inline tests run against what the hook would load: every configured
  // layer with the project's trust, the packs of the profile, and (for a
  // file given here that is not one of them) the file as an extra layer.
  policy::LoadOptions lo;
  lo.profile = a.profile;
  char buf[4096];
  if (const char* p = std::getenv("CLAUDE_PROJECT_DIR"); p && *p) lo.project_dir = p;
  else if (getcwd(buf, sizeof buf)) lo.project_dir = buf;
  std::optional<policy::PolicySet> all;
  if (a.files.empty()) {
    all = policy::load_policy_set(config, lo);
    diags = all->diags;
    for (const auto& f : all->files) std::cout << "loaded " << f << "\n";
    layers = all->engine.layers();
  } else {
    policy::LayerDocs l{"file", {}, true};
    for (const auto& f : a.files) l.docs.push_back(policy::load_document_file(f, diags));
    layers.push_back(std::move(l));
  }
  auto targets = policy::check_tuning_targets(all ? all->engine.layers() : layers);
  diags.insert(diags.end(), targets.begin(), targets.end());
  int tests_passed = 0, tests_failed = 0;
  for (const auto& layer : layers) {
    for (const auto& doc : layer.docs) {
      auto more = policy::check_document(doc);
      diags.insert(diags.end(), more.begin(), more.end());
      if (doc.tests.empty()) continue;
      std::optional<policy::PolicySet> own;
      if (!all) {
        policy::LoadOptions with = lo;
        // A project's policy file is tested as that project's layer, with its trust.
        std::filesystem::path parent = std::filesystem::absolute(doc.file).parent_path();
        if (parent.filename() == ".preloop") with.project_dir = parent.parent_path().string();
        with.extra_files.push_back(doc.file);
        own = policy::load_policy_set(config, with);
        bool configured = false;  // already one of the layers: not loaded twice
        for (const auto& [layer_name, f] : own->inputs.files)
          configured = configured || (layer_name != "cli" && std::filesystem::equivalent(f, doc.file, ec_ignored()));
        if (configured) {
          with.extra_files.clear();
          own = policy::load_policy_set(config, with);
        }
        std::cout << "inline tests of " << doc.file << " with:\n";
        for (const auto& f : own->files) std::cout << "  " << f << "\n";
        for (const auto& d : own->diags)
          if (d.severity == policy::Diagnostic::Severity::Error && d.loc.file != doc.file) diags.push_back(d);
        if (policy::has_errors(own->diags)) continue;
      }
      auto r = hook::run_cases(doc.tests, all ? *all : *own, config, std::cout, false);
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
