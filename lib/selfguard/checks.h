// The checks behind selfguard::check, one per kind of tool call.
#pragma once

#include <string_view>

#include "selfguard/guard.h"

namespace preloop::selfguard {

// Write, Edit, MultiEdit, NotebookEdit; Read, Grep, Glob; MCP tools.
Finding check_file_tool(const protocol::HookEvent& ev, const Inputs& in, const ProtectedSet& set);
Finding check_mcp_tool(const protocol::HookEvent& ev, const Inputs& in, const ProtectedSet& set);
// Bash: effects, names, archives and patches, the guard's own commands, git.
Finding check_bash(const protocol::HookEvent& ev, const shell::Analysis& a, const Inputs& in, const ProtectedSet& set);

// A recursive search from `dir` reads `file`: it lies below, and, when the
// search skips hidden entries (ripgrep, behind the Grep tool), no directory
// on the way is hidden.
bool search_reaches(const std::string& dir, const std::string& file, bool skips_hidden);

// A word of a command line stands for a path: absolute, ~, $HOME, or relative
// with a slash or a leading dot (plain names like `test` are compared by
// spelling only, without touching the file system).
bool path_like(std::string_view token);

}  // namespace preloop::selfguard
