// Subcommand registration. Each add_* attaches one command group to the
// application; a failing command throws CLI::RuntimeError(exit_code).
#pragma once

#include <filesystem>
#include <functional>
#include <iostream>
#include <string>

#include <CLI/CLI.hpp>

namespace preloop::cmd {

// Prints "preloop-hook: message" on stderr and ends the command with code.
[[noreturn]] inline void fail(int code, const std::string& message) {
  std::cerr << "preloop-hook: " << message << "\n";
  throw CLI::RuntimeError(code);
}

// Whether stdout gets colour: a terminal, NO_COLOR unset or empty
// (no-color.org), and TERM not "dumb".
bool colour_stdout();

void add_hook_command(CLI::App& app);      // hook (run by Claude Code)
void add_test_command(CLI::App& app);      // test (dry-run, suites)
void add_rules_command(CLI::App& app);     // rules validate | list
void add_audit_command(CLI::App& app);     // audit list|show|tail|stats|export|verify|prune
void add_sync_command(CLI::App& app);      // sync [--status]
void add_scan_command(CLI::App& app);      // scan FILE|-
void add_install_commands(CLI::App& app);  // install | uninstall
void add_doctor_command(CLI::App& app);    // doctor
// audit forward, under the audit command; resolve_db gives the store's path.
void add_forward_command(CLI::App* audit, std::function<std::filesystem::path()> resolve_db);

}  // namespace preloop::cmd
