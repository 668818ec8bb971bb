// Where preloop-hook keeps its files (XDG base directories).
#pragma once

#include <filesystem>
#include <string>

namespace preloop::paths {

std::filesystem::path home_dir();             // $HOME, else the passwd entry
std::filesystem::path config_home();          // $XDG_CONFIG_HOME or ~/.config
std::filesystem::path data_home();            // $XDG_DATA_HOME or ~/.local/share
std::filesystem::path state_home();           // $XDG_STATE_HOME or ~/.local/state

std::filesystem::path managed_dir();          // /etc/preloop-hook (PRELOOP_HOOK_MANAGED_DIR overrides, for tests)
std::filesystem::path managed_config_file();  // managed_dir()/config.yaml
std::filesystem::path managed_rules_dir();    // managed_dir()/rules
std::filesystem::path data_dir();             // data_home()/preloop-hook
std::filesystem::path user_config_dir();      // config_home()/preloop-hook
std::filesystem::path user_config_file();     // user_config_dir()/config.yaml
std::filesystem::path user_rules_dir();       // user_config_dir()/rules
std::filesystem::path synced_dir();           // data_home()/preloop-hook/synced
std::filesystem::path default_audit_db();     // data_home()/preloop-hook/audit.db
std::filesystem::path cache_dir();            // data_dir()/cache: config and policy snapshots
std::filesystem::path guard_state_dir();      // data_dir()/guard-states: the last configuration fingerprint, per project
std::string session_state_dir();              // data_dir()/sessions: per-session state (as text: read on every call)
std::filesystem::path credentials_file();     // user_config_dir()/credentials
std::filesystem::path project_dir(const std::filesystem::path& project_root);  // <root>/.preloop
std::filesystem::path claude_user_dir();      // Claude Code's: $CLAUDE_CONFIG_DIR, else ~/.claude
std::filesystem::path claude_managed_dir();   // Claude Code's: /etc/claude-code (PRELOOP_HOOK_CLAUDE_MANAGED_DIR overrides)

// Expands a leading "~" or "~/" with home_dir().
std::filesystem::path expand_user(const std::string& path);

}  // namespace preloop::paths
