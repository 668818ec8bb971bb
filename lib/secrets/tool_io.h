// Secrets in Claude Code tool calls: the fields a tool will write or run
// (PreToolUse) and the output the model is about to see (PostToolUse).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "secrets/detector.h"

namespace preloop::secrets {

enum class InputKind { Other, FileWrite, Command };

// Write/Edit/MultiEdit/NotebookEdit -> FileWrite; Bash/PowerShell -> Command.
InputKind classify_tool(std::string_view tool_name);

struct InputCheck {
  InputKind kind = InputKind::Other;
  std::vector<Finding> findings;  // with JSON pointer paths into the tool input
  nlohmann::json masked;          // the whole input with those findings masked (null when none)
};

// Scans what the tool writes or runs: Write.content, Edit.new_string,
// MultiEdit.edits[].new_string, NotebookEdit.new_source, Bash/PowerShell
// command. A secret an edit's new_string shares with its old_string is
// already in the file and is not reported. Other tools: nothing.
InputCheck check_tool_input(std::string_view tool_name, const nlohmann::json& tool_input, const Detector& detector,
                            std::string_view session_id);

// The tool's output with every secret in every string masked, in the same
// shape (all fields kept, only strings changed; image/binary payloads left
// alone). Null when nothing was found.
nlohmann::json mask_tool_output(const nlohmann::json& tool_response, const Detector& detector,
                                std::string_view session_id, std::size_t* masked = nullptr);

// The tool's output with every string replaced by `notice` (same shape; other
// values and schema fields such as type/mode/mimeType/filePath kept): what to send as updatedToolOutput when the output could not
// be scanned, so that a failure does not show the model an unchecked output.
// When the output itself is unknown (null: the event did not parse), the
// shape of the tool's output is built from its name: Bash's
// {stdout, stderr, interrupted, isImage}, else the notice as a string (what
// MCP tools accept; other built-in tools may ignore an output of the wrong shape).
nlohmann::json withhold_tool_output(const nlohmann::json& tool_response, const std::string& notice,
                                    std::string_view tool_name = {});

}  // namespace preloop::secrets
