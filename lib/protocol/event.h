// One Claude Code hook event, read from stdin.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace preloop::protocol {

enum class EventKind { PreToolUse, PostToolUse, PostToolUseFailure, ConfigChange, InstructionsLoaded, Other };

// PreToolUse, PostToolUse or PostToolUseFailure: an event about one tool call.
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
  std::string source;                    // ConfigChange: user_settings | project_settings | local_settings | policy_settings | skills
  std::string file_path;                 // ConfigChange, InstructionsLoaded
  std::string memory_type;               // InstructionsLoaded: User | Project | Local | Managed
  std::string load_reason;               // InstructionsLoaded
  std::size_t raw_size = 0;              // bytes read from stdin
  // Which agent sent the event (lib/agents): empty for Claude Code. Agents
  // other than Claude Code are read into Claude Code's vocabulary; their own
  // name of the tool is kept in native_tool_name.
  std::string agent;
  std::string agent_version;             // when the agent tells it (payload or environment)
  std::string native_tool_name;
  std::vector<std::string> renamed_args; // the agent's names of the arguments renamed to Claude Code's
};

// Parses the JSON text of one event. Unknown fields are ignored; missing
// optional fields stay empty. Throws ProtocolError with a specific message.
HookEvent parse_event(std::string_view text);

// The JSON object of one event's text, parsed with the same depth limit and
// error messages as parse_event. Throws ProtocolError.
nlohmann::json parse_event_object(std::string_view text);

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
