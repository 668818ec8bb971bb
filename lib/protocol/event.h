// One Claude Code hook event, read from stdin.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace preloop::protocol {

enum class EventKind {
  PreToolUse, PostToolUse, PostToolUseFailure, ConfigChange, InstructionsLoaded,
  PreSkillShellCommand,  // a skill's inline shell line, gated like a PreToolUse of its tool (Bash, PowerShell)
  UserPromptSubmit,
  Session,               // SessionStart, SessionEnd, Stop, SubagentStart, SubagentStop: recorded
  Other
};

// PreToolUse, PostToolUse, PostToolUseFailure or PreSkillShellCommand: an
// event about one tool call (or shell line).
bool is_tool_event(EventKind kind);

struct HookEvent {
  EventKind kind = EventKind::Other;
  std::string event_name;       // hook_event_name as sent
  std::string session_id;
  std::string transcript_path;
  std::string cwd;
  std::string permission_mode;
  std::string agent_id;
  std::string agent_type;
  std::string tool_use_id;
  std::string prompt_id;
  std::string tool_name;
  nlohmann::json tool_input = nlohmann::json::object();
  nlohmann::json tool_response;          // PostToolUse only (null otherwise)
  std::string error;                     // PostToolUseFailure
  std::optional<std::int64_t> duration_ms;
  std::string source;                    // ConfigChange: user_settings | project_settings | local_settings | policy_settings | skills;
                                         // SessionStart: startup | resume | ...; UserPromptSubmit: user | sdk | ...
  std::string file_path;                 // ConfigChange, InstructionsLoaded
  std::string memory_type;               // InstructionsLoaded: User | Project | Local | Managed
  std::string load_reason;               // InstructionsLoaded
  std::string prompt;                    // UserPromptSubmit
  std::string session_title;             // UserPromptSubmit, SessionStart
  std::string model;                     // SessionStart
  std::string reason;                    // SessionEnd
  std::string command_name;              // PreSkillShellCommand: the skill or command
  std::string invoked_by;                // PreSkillShellCommand: user | claude | other
  std::size_t raw_size = 0;              // bytes read from stdin
};

// Parses the JSON text of one event. Unknown fields are ignored; missing
// optional fields stay empty. Throws ProtocolError with a specific message.
HookEvent parse_event(std::string_view text);

struct ProtocolError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// What can be told of an event whose text does not parse (truncated, nested
// too deep, oversized): the top-level string fields hook_event_name (and so
// kind), tool_name, session_id, tool_use_id and cwd, found by one pass over the
// text that ignores everything nested. Fields not found stay empty; kind is
// Other unless hook_event_name was found. Used to answer in the event's shape.
HookEvent sniff_event(std::string_view text);

// Reads all of fd, refusing more than max_bytes (throws ProtocolError). When
// the cap is exceeded, *head (if given) receives the first bytes read.
std::string read_all_capped(int fd, std::size_t max_bytes, std::string* head = nullptr);

}  // namespace preloop::protocol
