// `preloop-hook doctor`: a list of independent checks, each explaining what is
// wrong and how to fix it, and a one-line verdict.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/config.h"
#include "install/locations.h"
#include "install/surface.h"

namespace preloop::install {

enum class CheckStatus { Ok, Warn, Fail, Skip };
const char* status_name(CheckStatus status);

struct CheckResult {
  CheckResult() = default;
  CheckResult(std::string id_, CheckStatus status_, std::string message_, std::string fix_,
              nlohmann::json data_ = nullptr)
      : id(std::move(id_)), status(status_), message(std::move(message_)), fix(std::move(fix_)),
        data(std::move(data_)) {}
  std::string id;       // stable, for scripts: "hook.installed", "config.valid", ...
  CheckStatus status = CheckStatus::Ok;
  std::string message;  // what was found
  std::string fix;      // what to do about it ("" when nothing to do)
  nlohmann::json data;  // structured details, merged into the top level of `doctor --json` (null: none)
};

// What the checks look at. Built once from the environment by the command;
// tests fill it in by hand.
struct DoctorContext {
  ClaudeLocations claude;
  std::filesystem::path self_binary;       // the running preloop-hook
  std::optional<Config> config;            // nullopt when it failed to load
  std::string config_error;                // why it failed
  std::optional<Principal> principal;      // whose tamper surface; nullopt: this process's user
};

using Check = std::function<std::vector<CheckResult>(const DoctorContext&)>;

// Claude Code settings: entries present, binary path, matcher, onFailure,
// timeouts, kill switches, malformed files.
std::vector<CheckResult> check_claude_settings(const DoctorContext& ctx);
// preloop-hook's own config file.
std::vector<CheckResult> check_config(const DoctorContext& ctx);
// Policy layers load without errors; approval timeouts fit the wait budget.
std::vector<CheckResult> check_policies(const DoctorContext& ctx);
// The audit store is writable and its hash chain intact.
std::vector<CheckResult> check_audit(const DoctorContext& ctx);
// Per audit.forward sink: last success, records waiting (over max_backlog
// fails), last error, whether its credentials can be read.
std::vector<CheckResult> check_forward(const DoctorContext& ctx);
// The approval service is reachable and accepts the credential; synced policy age.
std::vector<CheckResult> check_approval(const DoctorContext& ctx);
// The deployment mode (managed: hooks in managed settings, config in a
// root-owned directory; personal otherwise) and the tamper surface: the paths
// the guard depends on that the user could change. In managed mode a path
// that enforces the managed policy being changeable is a failure.
std::vector<CheckResult> check_guard(const DoctorContext& ctx);

// Runs the PreToolUse command of the settings, as Claude Code would, on a
// synthetic event and on a malformed one: it must answer in the hook
// protocol, and deny the malformed one.
std::vector<CheckResult> check_self_test(const DoctorContext& ctx);

// The checks run by `preloop-hook doctor`, in order.
std::vector<Check> default_checks();

struct DoctorReport {
  std::vector<CheckResult> results;
  int failures = 0;
  int warnings = 0;
  std::string verdict;  // one line
};

DoctorReport run_doctor(const DoctorContext& ctx, const std::vector<Check>& checks);
std::string render_text(const DoctorReport& report);
nlohmann::json render_json(const DoctorReport& report);

}  // namespace preloop::install
