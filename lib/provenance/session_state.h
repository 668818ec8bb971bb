// What the hook remembers between the events of one session, in small
// owner-only files under $XDG_DATA_HOME/preloop-hook/sessions/: the current
// prompt's id (for events that do not carry one) and, for a git command that
// may commit, the HEADs before it ran (read back by its PostToolUse).
#pragma once

#include <cstddef>
#include <optional>
#include <string>

namespace preloop::provenance {

class SessionState {
 public:
  // dir: paths::session_state_dir() unless given.
  explicit SessionState(std::string session_id, std::string dir = "");

  // The prompt id UserPromptSubmit stored; "" when none.
  std::string current_prompt() const;
  void set_current_prompt(const std::string& prompt_id) const;

  // Text kept for one tool call until its PostToolUse takes it (removed then).
  void put_pending(const std::string& tool_use_id, const std::string& text) const;
  std::optional<std::string> take_pending(const std::string& tool_use_id) const;

  // Removes every file of the session (SessionEnd).
  void clear() const;

  // Removes the files of every session not written for `days` days (sessions
  // that ended without SessionEnd). Returns how many went.
  static std::size_t prune(int days, std::string dir = "");

 private:
  // Plain strings, not std::filesystem::path: the hook builds one on every call.
  std::string file(const std::string& suffix) const;
  std::string key_;  // a hash of the session id: file names never carry its text
  std::string dir_;
};

}  // namespace preloop::provenance
