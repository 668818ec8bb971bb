// apply_patch (Codex, Copilot): a patch that adds, updates or deletes files,
// read as the file tool Claude Code would have used, so that the policies on
// Write and Edit apply.
#pragma once

#include "protocol/event.h"

namespace preloop::agents {

// When ev is an apply_patch call (tool_input.command holds the patch) that
// changes exactly one file: tool_name becomes Write (an added file: file_path,
// content) or Edit (an updated file: file_path, old_string, new_string), with
// the path made absolute against ev.cwd. A patch that deletes, moves, or
// changes several files becomes Bash: the shell commands with its effect
// (each file written from a quoted here-document of its added lines, rm, mv),
// so that the policies on written, deleted and moved paths and the secrets
// check apply. A patch with no file header keeps the name apply_patch. Other
// events are left as they are.
void map_apply_patch(protocol::HookEvent& ev);

}  // namespace preloop::agents
