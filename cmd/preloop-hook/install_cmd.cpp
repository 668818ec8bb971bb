// preloop-hook install | uninstall: edit Claude Code's settings.
#include <iostream>
#include <memory>
#include <unistd.h>

#include "commands.h"
#include "config/config.h"
#include "config/paths.h"
#include "install/installer.h"
#include "install/starter.h"
#include "policy/layers.h"

namespace preloop::cmd {

namespace {

struct Options {
  std::string scope = "user";
  bool dry_run = false;
  bool managed_hooks_only = false;
};

void add_scope_options(CLI::App* cmd, Options& opts, const char* managed_only_help) {
  cmd->add_option("--scope", opts.scope,
                  "user: ~/.claude/settings.json; project: .claude/settings.json; "
                  "local: .claude/settings.local.json (in the working directory); "
                  "managed: /etc/claude-code/managed-settings.json with config and policy in /etc/preloop-hook "
                  "(as root)")
      ->check(CLI::IsMember({"user", "project", "local", "managed"}))
      ->capture_default_str();
  cmd->add_flag("--dry-run", opts.dry_run, "print the change as a diff and write nothing");
  cmd->add_flag("--managed-hooks-only", opts.managed_hooks_only, managed_only_help);
}

// Managed scope: root only; --managed-hooks-only needs it.
void check_scope(const Options& opts, install::Scope scope, const char* command) {
  if (opts.managed_hooks_only && scope != install::Scope::Managed) {
    std::cerr << "preloop-hook " << command << ": --managed-hooks-only needs --scope managed\n";
    throw CLI::RuntimeError(1);
  }
  if (scope == install::Scope::Managed && ::geteuid() != 0 && !opts.dry_run) {
    std::cerr << "preloop-hook " << command << ": --scope managed changes "
              << install::ClaudeLocations::from_environment().managed_settings_file().string() << " and "
              << paths::managed_dir().string()
              << ", which only root may write: run it as root (sudo preloop-hook " << command
              << " --scope managed); nothing was changed\n";
    throw CLI::RuntimeError(1);
  }
}

void print_change(const install::SettingsChange& change, bool dry_run, const char* done, const char* none) {
  if (!change.changed) {
    std::cout << none << ": " << change.settings.string() << "\n";
    return;
  }
  if (dry_run) {
    std::cout << change.diff;
    return;
  }
  std::cout << done << ": " << change.settings.string() << "\n";
  if (!change.backup.empty()) std::cout << "backup: " << change.backup.string() << "\n";
}

void run_install(const Options& opts) {
  auto scope = *install::parse_scope(opts.scope);
  check_scope(opts, scope, "install");
  std::vector<std::filesystem::path> created;
  try {
    created = scope == install::Scope::Managed
                  ? install::create_managed_starter_files(Config{}.hook_timeout_seconds, opts.dry_run)
                  : install::create_starter_files(Config{}.hook_timeout_seconds, opts.dry_run);
  } catch (const install::SettingsError& e) {
    std::cerr << "preloop-hook install: " << e.what() << "\n";
    throw CLI::RuntimeError(1);
  }
  Config config;
  try {
    config = load_config();
  } catch (const ConfigError& e) {
    std::cerr << "preloop-hook install: " << e.what() << "\nfix the config file first; nothing was changed\n";
    throw CLI::RuntimeError(1);
  }
  install::HookSpec spec;
  spec.binary = install::current_executable();
  spec.pre_timeout_seconds = config.hook_timeout_seconds;
  install::SettingsChange change;
  try {
    change = install::install_hooks(install::ClaudeLocations::from_environment(), scope, spec, opts.dry_run,
                                    opts.managed_hooks_only);
  } catch (const install::SettingsError& e) {
    std::cerr << "preloop-hook install: " << e.what() << "\n";
    throw CLI::RuntimeError(1);
  }
  if (scope == install::Scope::Project) {
    const auto found = install::find_on_path(install::kCommandOnPath);
    std::cout << "the project's entries run '" << install::kCommandOnPath << "' from each user's PATH"
              << (found.empty() ? "" : " (here: " + found.string() + ")") << "\n";
    if (found.empty())
      std::cerr << "preloop-hook install: warning: '" << install::kCommandOnPath
                << "' is not on PATH here: install it (the .deb puts it in /usr/bin) or Claude Code cannot run the "
                   "hook and blocks every tool call\n";
  }
  for (const auto& file : created) std::cout << (opts.dry_run ? "would create: " : "created: ") << file.string() << "\n";
  print_change(change, opts.dry_run, "installed", "already installed, nothing to change");
  if (scope == install::Scope::Managed && !opts.dry_run) {
    // Hooks read the managed policy from a snapshot only root writes.
    auto problems = policy::compile_managed_snapshots(config);
    for (const auto& d : problems) std::cerr << "preloop-hook install: " << d.render() << "\n";
    if (!problems.empty()) {
      std::cerr << "preloop-hook install: the managed policy has errors: every tool call is denied until they are "
                   "fixed (then run this again)\n";
      throw CLI::RuntimeError(1);
    }
    std::cout << "managed policy snapshot: " << (paths::managed_dir() / "cache").string() << "\n";
  }
  if (!opts.dry_run) std::cout << "check the setup with: preloop-hook doctor\n";
}

void run_uninstall(const Options& opts) {
  auto scope = *install::parse_scope(opts.scope);
  check_scope(opts, scope, "uninstall");
  try {
    auto change = install::uninstall_hooks(install::ClaudeLocations::from_environment(), scope, opts.dry_run,
                                           opts.managed_hooks_only);
    print_change(change, opts.dry_run, "removed preloop-hook's entries from", "no preloop-hook entries in");
  } catch (const install::SettingsError& e) {
    std::cerr << "preloop-hook uninstall: " << e.what() << "\n";
    throw CLI::RuntimeError(1);
  }
}

}  // namespace

void add_install_commands(CLI::App& app) {
  auto install_opts = std::make_shared<Options>();
  auto* install = app.add_subcommand(
      "install", "Add preloop-hook's hooks (PreToolUse, PostToolUse, ConfigChange, InstructionsLoaded, "
                 "PreSkillShellCommand, UserPromptSubmit, SessionStart, SessionEnd, Stop, SubagentStart, "
                 "SubagentStop) to Claude Code's settings, and create a starter config and policy if none exist");
  add_scope_options(install, *install_opts,
                    "with --scope managed: also set allowManagedHooksOnly, so that only managed hooks run");
  install->callback([install_opts] { run_install(*install_opts); });

  auto uninstall_opts = std::make_shared<Options>();
  auto* uninstall = app.add_subcommand("uninstall", "Remove exactly preloop-hook's hooks from Claude Code's settings");
  add_scope_options(uninstall, *uninstall_opts, "with --scope managed: also remove allowManagedHooksOnly");
  uninstall->callback([uninstall_opts] { run_uninstall(*uninstall_opts); });
}

}  // namespace preloop::cmd
