// What the hook remembers between the events of one session, in small
// owner-only files under $XDG_DATA_HOME/preloop-hook/sessions/: the current
// prompt's id (for events that do not carry one) and, for a git command that
// may commit, the HEADs before it ran (read back by its PostToolUse).
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace preloop::provenance {

class SessionState {
 public:
  explicit SessionState(std::string session_id, std::filesystem::path dir = default_dir());
  static std::filesystem::path default_dir();

  // The prompt id UserPromptSubmit stored; "" when none.
  std::string current_prompt() const;
  void set_current_prompt(const std::string& prompt_id) const;

  // Text kept for one tool call until its PostToolUse takes it (removed then).
  void put_pending(const std::string& tool_use_id, const std::string& text) const;
  std::optional<std::string> take_pending(const std::string& tool_use_id) const;

  // Removes every file of the session (SessionEnd).
  void clear() const;

 private:
  std::filesystem::path file(const std::string& suffix) const;
  std::string session_id_;
  std::string key_;  // hex digest of the session id: file names never carry its text
  std::filesystem::path dir_;
};

}  // namespace preloop::provenance
