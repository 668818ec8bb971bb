// Claude Code's ConfigChange and InstructionsLoaded events: what changed in
// the settings and which instruction files reached the model's context.
#include <nlohmann/json.hpp>

#include "config/paths.h"
#include "hook/steps.h"
#include "install/locations.h"
#include "tamper/facts.h"
#include "tamper/fingerprint.h"

namespace preloop::hook {
namespace {

constexpr std::size_t kMaxSettingsBytes = 4u << 20;

// The settings file a ConfigChange names, else the one of its source.
std::filesystem::path changed_file(const protocol::HookEvent& ev) {
  if (!ev.file_path.empty()) return ev.file_path;
  auto loc = install::ClaudeLocations::for_project(project_dir_for(ev));
  if (ev.source == "user_settings") return loc.settings_file(install::Scope::User);
  if (ev.source == "project_settings") return loc.settings_file(install::Scope::Project);
  if (ev.source == "local_settings") return loc.settings_file(install::Scope::Local);
  if (ev.source == "policy_settings") return loc.managed_settings_file();
  return {};
}

bool is_settings_source(const std::string& source) {
  return source == "user_settings" || source == "project_settings" || source == "local_settings" ||
         source == "policy_settings";
}

// Why the file as it is now switches the gate off; empty when it does not.
std::string switches_off(const std::filesystem::path& file, const std::optional<tamper::SettingsFacts>& before) {
  std::string error;
  bool missing = false;
  auto text = tamper::read_regular_file(file, kMaxSettingsBytes, &error, &missing);
  tamper::SettingsFacts now;
  if (text) now = tamper::settings_facts(*text, file);
  if (text && now.disables_hooks) return file.string() + " sets disableAllHooks: true";
  bool ran = before && before->runs_hook;
  if (!ran || (text && now.runs_hook)) return "";
  if (missing) return file.string() + " was removed, and with it preloop-hook's hook";
  if (!text) return file.string() + " cannot be read (" + error + "), so preloop-hook's hook in it would not run";
  if (!now.valid) return file.string() + " is no longer valid JSON, so preloop-hook's hook in it would not run";
  return file.string() + " no longer runs preloop-hook";
}

}  // namespace

protocol::Reply config_change(HookContext& ctx) {
  const protocol::HookEvent& ev = ctx.event;
  std::filesystem::path file = changed_file(ev);
  std::string problem;
  if (is_settings_source(ev.source) && !file.empty()) {
    // What the file did before this change, as the last call saw it.
    auto before = tamper::recorded_settings(paths::guard_state_dir(), project_dir_for(ev), file);
    problem = switches_off(file, before);
  }
  guard_step(ctx, nullptr, "");
  bool blocked = !problem.empty() && ev.source != "policy_settings";

  audit::Record r;
  r.arguments = nlohmann::json{{"source", ev.source}, {"file_path", file.string()}, {"blocked", blocked}}.dump(
      -1, ' ', false, nlohmann::json::error_handler_t::replace);
  r.decision = blocked ? "deny" : "none";
  if (!problem.empty())
    r.reason = problem + (blocked ? ": the change is blocked" : " (managed policy settings cannot be blocked)");
  if (!problem.empty()) r.failure_class = "config_weakened";
  bool kept = audit_note(ctx, r);

  protocol::Reply reply;
  if (blocked) {
    reply.exit_code = 2;
    reply.stderr_text = "preloop-hook blocked this settings change: " + problem +
                        ". Tool calls are gated by preloop-hook; ask the user to make this change outside the "
                        "session if it is intended.\n";
  } else if (!kept && ctx.config->fail_mode == FailMode::Closed) {
    reply.exit_code = 2;
    reply.stderr_text = "preloop-hook blocked this settings change: it could not be recorded in the audit trail\n";
  }
  return reply;
}

protocol::Reply instructions_loaded(HookContext& ctx) {
  const protocol::HookEvent& ev = ctx.event;
  guard_step(ctx, nullptr, "");
  audit::Record r;
  r.arguments = nlohmann::json{{"file_path", ev.file_path}, {"memory_type", ev.memory_type},
                               {"load_reason", ev.load_reason}}
                    .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  r.decision = "none";
  audit_note(ctx, r);
  return {};  // nothing to decide: Claude Code reads no output of this event
}

}  // namespace preloop::hook
