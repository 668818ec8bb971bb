// Running the real preloop-hook binary ($PRELOOP_HOOK_BIN) in an isolated
// home: temporary XDG directories, a config file and one user policy.
#pragma once

#include <filesystem>
#include <map>
#include <string>

#include "support/process.h"

namespace preloop::testing {

// True when $PRELOOP_HOOK_BIN names an existing file (ctest sets it).
bool hook_binary_available();

class HookHome {
 public:
  HookHome();  // a fresh temporary home
  ~HookHome();
  HookHome(const HookHome&) = delete;
  HookHome& operator=(const HookHome&) = delete;

  const std::filesystem::path& root() const { return root_; }
  std::filesystem::path synced_dir() const;
  void write_config(const std::string& yaml);   // the PRELOOP_HOOK_CONFIG file
  void write_user_policy(const std::string& yaml);
  // HOME, XDG_*, PRELOOP_HOOK_CONFIG, PRELOOP_HOOK_MANAGED_DIR, no PRELOOP_URL or
  // PRELOOP_API_KEY from the caller's environment; then extra.
  std::map<std::string, std::string> env(const std::map<std::string, std::string>& extra = {}) const;

 private:
  std::filesystem::path root_;
};

// A PreToolUse event for Bash.
std::string bash_event(const std::string& command, const std::string& tool_use_id = "toolu_test_1");

// A policy where `git push` requires approval with workflow manual-approval.
extern const char* const kApprovalPolicy;

}  // namespace preloop::testing
