// Doctor checks on the deployment mode and the tamper surface.
#include <sys/stat.h>

#include "config/paths.h"
#include "install/doctor.h"
#include "install/guard_files.h"
#include "install/hook_entries.h"
#include "install/settings_file.h"
#include "policy/layers.h"

namespace preloop::install {
namespace fs = std::filesystem;
namespace {

bool managed_settings_run_hook(const ClaudeLocations& claude) {
  std::vector<fs::path> files = {claude.managed_settings_file()};
  for (const auto& d : claude.managed_dropins()) files.push_back(d);
  for (const auto& f : files) {
    try {
      for (const auto& h : find_own_handlers(read_settings(f).json))
        if (h.event == "PreToolUse") return true;
    } catch (const SettingsError&) {
    }
  }
  return false;
}

// Owned by root and writable by nobody else.
bool root_owned(const fs::path& dir) {
  struct stat st {};
  return ::stat(dir.c_str(), &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == 0 && !(st.st_mode & (S_IWGRP | S_IWOTH));
}

std::string list(const std::vector<nlohmann::json>& entries, std::size_t max) {
  std::string out;
  for (std::size_t i = 0; i < entries.size() && i < max; ++i)
    out += (i ? "; " : "") + entries[i]["path"].get<std::string>() + " (" + entries[i]["role"].get<std::string>() +
           ": " + entries[i]["why"].get<std::string>() + ")";
  if (entries.size() > max) out += "; and " + std::to_string(entries.size() - max) + " more (see --json)";
  return out;
}

}  // namespace

std::vector<CheckResult> check_guard(const DoctorContext& ctx) {
  std::vector<CheckResult> out;
  bool hooks_managed = managed_settings_run_hook(ctx.claude);
  bool config_root = root_owned(paths::managed_dir());
  bool managed = hooks_managed && config_root;
  std::string mode = managed ? "managed" : "personal";
  if (managed) {
    out.push_back({"guard.mode", CheckStatus::Ok,
                   "managed: the hooks are in " + ctx.claude.managed_settings_file().string() +
                       " and the config in root-owned " + paths::managed_dir().string(),
                   ""});
  } else if (hooks_managed) {
    out.push_back({"guard.mode", CheckStatus::Warn,
                   "personal: the hooks are in the managed settings, but " + paths::managed_dir().string() +
                       " is not a root-owned directory that only root can write",
                   "run `sudo preloop-hook install --scope managed`, or chown -R root:root and chmod go-w it"});
  } else {
    out.push_back({"guard.mode", CheckStatus::Ok,
                   "personal: the hooks and config belong to the user, so changes to them are detected and "
                   "recorded, not prevented",
                   "for prevention, run `sudo preloop-hook install --scope managed`"});
  }

  if (managed && ctx.config) {
    policy::LoadOptions lo;
    lo.project_dir = ctx.claude.project_dir.string();
    if (!policy::managed_snapshot_current(policy::policy_inputs(*ctx.config, lo)))
      out.push_back({"guard.managed_snapshot", CheckStatus::Warn,
                     "the managed policy snapshot in " + (paths::managed_dir() / "cache").string() +
                         " is missing or out of date: every hook call parses the managed policy and the packs "
                         "(slower, same decisions)",
                     "run `sudo preloop-hook install --scope managed` after changing the managed policy or "
                     "upgrading preloop-hook"});
  }

  Principal who = ctx.principal ? *ctx.principal : Principal::current();
  if (who.uid == 0) {
    out.push_back({"guard.tamper_surface", CheckStatus::Skip,
                   "run as root, who can change every path: use `doctor --user NAME` to see what a user could change",
                   "", {{"mode", mode}}});
    return out;
  }
  std::vector<nlohmann::json> enforcing, informational;
  nlohmann::json surface = nlohmann::json::array();
  for (const auto& g : guard_files(ctx.claude, ctx.config ? &*ctx.config : nullptr, ctx.self_binary)) {
    auto why = changeable_by(g.path, who);
    if (!why) continue;
    nlohmann::json e = {{"path", g.path.string()}, {"role", g.role}, {"why", *why}, {"enforcing", g.enforcing}};
    surface.push_back(e);
    (g.enforcing ? enforcing : informational).push_back(e);
  }
  std::string whose = "user " + who.name + " (uid " + std::to_string(who.uid) + ")";
  if (managed && !enforcing.empty()) {
    out.push_back({"guard.tamper_surface", CheckStatus::Fail,
                   std::to_string(enforcing.size()) + " path(s) the managed policy depends on can be changed by " +
                       whose + ": " + list(enforcing, 5),
                   "make them owned by root and not writable by group or others (chown root:root; chmod go-w)"});
  } else if (surface.empty()) {
    out.push_back({"guard.tamper_surface", CheckStatus::Ok, "no path the guard depends on can be changed by " + whose,
                   ""});
  } else {
    std::vector<nlohmann::json> all = enforcing;
    all.insert(all.end(), informational.begin(), informational.end());
    out.push_back({"guard.tamper_surface", CheckStatus::Ok,
                   std::to_string(all.size()) + " path(s) the guard depends on can be changed by " + whose +
                       (managed ? " (they cannot weaken the managed policy): " : " (detected, not prevented): ") +
                       list(all, 5),
                   ""});
  }
  out.back().data = {{"mode", mode},
                     {"tamper_surface", {{"user", who.name}, {"uid", who.uid}, {"paths", surface}}}};
  return out;
}

}  // namespace preloop::install
