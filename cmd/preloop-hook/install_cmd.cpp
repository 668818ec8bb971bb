// preloop-hook install | uninstall: edit Claude Code's settings.
#include <iostream>
#include <memory>

#include "commands.h"
#include "config/config.h"
#include "install/installer.h"
#include "install/starter.h"

namespace preloop::cmd {

namespace {

struct Options {
  std::string scope = "user";
  bool dry_run = false;
};

void add_scope_options(CLI::App* cmd, Options& opts) {
  cmd->add_option("--scope", opts.scope,
                  "user: ~/.claude/settings.json; project: .claude/settings.json; "
                  "local: .claude/settings.local.json (in the working directory)")
      ->check(CLI::IsMember({"user", "project", "local"}))
      ->capture_default_str();
  cmd->add_flag("--dry-run", opts.dry_run, "print the change as a diff and write nothing");
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
  auto created = install::create_starter_files(Config{}.hook_timeout_seconds, opts.dry_run);
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
    change = install::install_hooks(install::ClaudeLocations::from_environment(), scope, spec, opts.dry_run);
  } catch (const install::SettingsError& e) {
    std::cerr << "preloop-hook install: " << e.what() << "\n";
    throw CLI::RuntimeError(1);
  }
  for (const auto& file : created) std::cout << (opts.dry_run ? "would create: " : "created: ") << file.string() << "\n";
  print_change(change, opts.dry_run, "installed", "already installed, nothing to change");
  if (!opts.dry_run) std::cout << "check the setup with: preloop-hook doctor\n";
}

void run_uninstall(const Options& opts) {
  auto scope = *install::parse_scope(opts.scope);
  try {
    auto change = install::uninstall_hooks(install::ClaudeLocations::from_environment(), scope, opts.dry_run);
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
      "install", "Add preloop-hook's PreToolUse and PostToolUse hooks to Claude Code's settings, and create a "
                 "starter config and policy if none exist");
  add_scope_options(install, *install_opts);
  install->callback([install_opts] { run_install(*install_opts); });

  auto uninstall_opts = std::make_shared<Options>();
  auto* uninstall = app.add_subcommand("uninstall", "Remove exactly preloop-hook's hooks from Claude Code's settings");
  add_scope_options(uninstall, *uninstall_opts);
  uninstall->callback([uninstall_opts] { run_uninstall(*uninstall_opts); });
}

}  // namespace preloop::cmd
