#include <fstream>
#include <algorithm>
#include <iostream>
#include <set>
#include <sstream>
#include <unistd.h>

#include "agents/adapter.h"
#include "commands.h"
#include "config/config.h"
#include "hook/dry_run.h"
#include "hook/hook.h"
#include "hook/suite_report.h"
#include "policy/loader.h"
#include "protocol/event.h"

namespace preloop::cmd {
namespace {

struct TestArgs {
  std::string tool = "Bash";
  std::string input;
  std::string cwd;
  std::vector<std::string> command;
  std::vector<std::string> suites;
  std::vector<std::string> rules;
  std::string profile;
  std::string project;
  std::string junit;
  std::string agent;
  bool packs_only = false;
  bool json = false;
  bool verbose = false;
};

std::string read_file(const std::string& path) {
  if (path == "-") {
    std::stringstream ss;
    ss << std::cin.rdbuf();
    return ss.str();
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(hook::kExitError, "cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The project whose layer applies: --project, else $CLAUDE_PROJECT_DIR, else
// the current directory (as the hook finds it).
std::string project_of(const TestArgs& a) {
  if (a.packs_only) return "";
  if (!a.project.empty()) return a.project;
  if (const char* p = std::getenv("CLAUDE_PROJECT_DIR"); p && *p) return p;
  char buf[4096];
  return getcwd(buf, sizeof buf) ? buf : "";
}

int run_suites(const TestArgs& a, const Config& config) {
  std::vector<hook::SuiteRun> runs;
  std::vector<policy::PolicySet> sets;
  std::set<std::string> exercised;
  std::ostringstream text;  // case lines, printed unless --json
  for (const auto& file : a.suites) {
    std::vector<policy::Diagnostic> diags;
    std::string suite_profile;
    auto cases = policy::load_suite_text(read_file(file), file, diags, &suite_profile);
    for (const auto& d : diags) std::cerr << d.render() << "\n";
    if (policy::has_errors(diags)) return hook::kExitError;
    policy::LoadOptions lo;
    lo.profile = a.profile.empty() ? suite_profile : a.profile;
    lo.packs_only = a.packs_only;
    lo.project_dir = project_of(a);
    lo.extra_files.assign(a.rules.begin(), a.rules.end());
    auto& set = sets.emplace_back(policy::load_policy_set(config, lo));
    for (const auto& d : set.diags) std::cerr << d.render() << "\n";
    if (policy::has_errors(set.diags)) return hook::kExitError;
    text << file << ": loaded" << (set.files.empty() ? " no policy files" : "") << "\n";
    for (const auto& f : set.files) text << "  " << f << "\n";
    auto r = hook::run_cases(cases, set, config, text, a.verbose);
    exercised.insert(r.exercised.begin(), r.exercised.end());
    runs.push_back({file, set.files, std::move(r)});
  }
  // Coverage over every set: a rule counts once, exercised by any suite.
  hook::Coverage coverage;
  std::set<std::string> seen;
  for (const auto& set : sets)
    for (auto& r : hook::rule_coverage(set, exercised).not_exercised)
      if (seen.insert(r.location).second) coverage.not_exercised.push_back(std::move(r));
  for (const auto& set : sets) coverage.rules = std::max(coverage.rules, hook::rule_coverage(set, {}).rules);
  int passed = 0, failed = 0;
  for (const auto& r : runs) {
    passed += r.result.passed;
    failed += r.result.failed;
  }
  if (!a.junit.empty()) {
    std::ofstream out(a.junit, std::ios::binary | std::ios::trunc);
    out << hook::junit_xml(runs);
    if (!out.flush()) fail(hook::kExitError, "cannot write " + a.junit);
  }
  if (a.json) {
    std::cout << hook::suites_json(runs, coverage).dump(2) << "\n";
  } else {
    std::cout << text.str() << passed << " passed, " << failed << " failed\n";
    std::cout << "coverage: " << coverage.rules - int(coverage.not_exercised.size()) << " of " << coverage.rules
              << " rule(s) exercised";
    if (!coverage.not_exercised.empty()) std::cout << "; no case exercises:";
    std::cout << "\n";
    for (const auto& r : coverage.not_exercised)
      std::cout << "  " << r.rule << " (" << r.layer << ", " << r.location << ")\n";
  }
  return failed ? 1 : 0;
}

int run_one(const TestArgs& a, const Config& config) {
  std::string event;
  std::string cwd = a.cwd;
  if (cwd.empty()) {
    char buf[4096];
    cwd = getcwd(buf, sizeof buf) ? buf : "/";
  }
  if (!a.command.empty()) {
    std::string cmd;
    for (const auto& w : a.command) cmd += (cmd.empty() ? "" : " ") + w;
    event = hook::make_event("Bash", {{"command", cmd}}, cwd);
  } else if (!a.input.empty()) {
    nlohmann::json in;
    try {
      in = nlohmann::json::parse(a.input);
    } catch (const std::exception& e) {
      fail(hook::kExitError, std::string("--input is not valid JSON: ") + e.what());
    }
    if (!in.is_object()) fail(hook::kExitError, "--input must be a JSON object");
    event = hook::make_event(a.tool, in, cwd);
  } else {
    event = protocol::read_all_capped(0, config.max_input_bytes);
  }
  hook::RunOptions opt;
  if (!a.agent.empty()) {
    if (!a.command.empty() || !a.input.empty())
      fail(hook::kExitError, "--agent reads the agent's own hook event from stdin: it does not go with a command or --input");
    opt.adapter = agents::find_adapter(a.agent);  // the name is checked by the option
  }
  opt.dry_run = true;
  opt.load.profile = a.profile;
  opt.load.packs_only = a.packs_only;
  opt.load.project_dir = a.project;
  opt.load.extra_files.assign(a.rules.begin(), a.rules.end());
  hook::HookContext ctx;
  hook::run(event, config, opt, &ctx);
  if (a.json) {
    std::cout << hook::explanation_json(ctx).dump(2) << "\n";
  } else {
    hook::print_explanation(std::cout, ctx, colour_stdout());
  }
  return hook::exit_code_for(ctx.decision.verdict);
}

}  // namespace

void add_test_command(CLI::App& app) {
  auto a = std::make_shared<TestArgs>();
  auto* sub = app.add_subcommand("test", "Dry-run the policies on a tool call, or run policy test suites");
  sub->footer(
      "Examples:\n"
      "  preloop-hook test -- 'rm -rf /'\n"
      "  preloop-hook test --tool Write --input '{\"file_path\":\"/p/.env\",\"content\":\"x\"}'\n"
      "  preloop-hook test < event.json          (a full hook event)\n"
      "  preloop-hook test --suite rules/suites/core.yaml\n"
      "Never contacts a server, never writes the audit log.\n"
      "Exit codes: 0 allow or no decision, 2 deny, 3 ask (require approval), 1 error;\n"
      "with --suite: 0 all cases passed, 1 a case failed.");
  sub->add_option("--tool", a->tool, "Tool name (with --input)");
  sub->add_option("--input", a->input, "Tool input as a JSON object");
  sub->add_option("--cwd", a->cwd, "Working directory of the call (default: the current one)");
  sub->add_option("--suite", a->suites, "Run a policy test suite file (repeatable)");
  sub->add_option("--rules", a->rules, "Also load this policy file (repeatable)");
  sub->add_option("--profile", a->profile, "Rule pack profile: recommended, strict or off");
  sub->add_option("--project", a->project,
                  "Project whose .preloop/ layer applies (default: $CLAUDE_PROJECT_DIR, else the working directory)");
  sub->add_option("--junit", a->junit, "With --suite: also write a JUnit XML report to this file");
  sub->add_option("--agent", a->agent, "Read the event on stdin in this agent's hook format: " + agents::adapter_names())
      ->check(CLI::IsMember({"claude", "gemini", "qwen", "codex", "copilot", "cursor"}));
  sub->add_flag("--packs-only", a->packs_only, "Evaluate the built-in packs only, not the configured layers");
  sub->add_flag("--json", a->json, "Machine-readable output (with --suite: cases, loaded files and rule coverage)");
  sub->add_flag("-v,--verbose", a->verbose, "List passing suite cases too");
  sub->add_option("command", a->command, "A Bash command (after --)");
  sub->callback([a] {
    Config config;
    try {
      config = load_config();
    } catch (const std::exception& e) {
      fail(hook::kExitError, e.what());
    }
    int code = a->suites.empty() ? run_one(*a, config) : run_suites(*a, config);
    if (code != 0) throw CLI::RuntimeError(code);
  });
}

}  // namespace preloop::cmd
