// A sandboxed environment for running the real binary: its own HOME, XDG
// directories, managed directory and config file.
#pragma once

#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "support/process.h"

namespace preloop::testing {

class HookEnv {
 public:
  explicit HookEnv(const std::string& config_yaml = "profile: off\n");
  const TempDir& dir() const { return dir_; }
  std::string home() const { return dir_.path() + "/home"; }
  std::string project() const { return dir_.path() + "/home/project"; }
  std::string user_rules() const { return dir_.path() + "/cfg/preloop-hook/rules"; }
  std::string managed_rules() const { return dir_.path() + "/managed/rules"; }
  std::string synced() const { return dir_.path() + "/data/preloop-hook/synced"; }
  std::string managed() const { return dir_.path() + "/managed"; }                  // preloop-hook's managed dir
  std::string claude_managed() const { return dir_.path() + "/claude-managed"; }    // Claude Code's
  std::string user_settings() const { return home() + "/.claude/settings.json"; }
  void set_config(const std::string& yaml) const;
  std::string write(const std::string& relative, const std::string& text) const { return dir_.write(relative, text); }
  std::map<std::string, std::string> env() const;

  ProcessResult hook(const std::string& stdin_text, std::map<std::string, std::string> extra = {}) const;
  ProcessResult cli(const std::vector<std::string>& args, const std::string& stdin_text = "") const;

  // A PreToolUse event.
  std::string pre(const std::string& tool, const nlohmann::json& input) const;
  std::string bash(const std::string& command) const { return pre("Bash", {{"command", command}}); }

 private:
  TempDir dir_;
};

}  // namespace preloop::testing
