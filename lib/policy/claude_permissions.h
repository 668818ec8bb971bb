// Claude Code's own permission rules (settings.json `permissions.allow`,
// `ask`, `deny`) read as a policy document, so that a team writes its rules
// once (config: policy.claude_permissions: true).
//
//   Bash                      every call          Bash(npm run test:*)   the command or its prefix + arguments
//   Bash(git log *)           a glob (* any text) Read(~/.ssh/**)        a path glob: // absolute, ~/ home,
//   Edit(/src/**)             / the project root, ./x or x anywhere below; Edit covers Write, MultiEdit, NotebookEdit;
//   Read covers Grep and Glob WebFetch(domain:x.com)  the host or a subdomain   mcp__server, mcp__server__tool
//
// `ask` becomes require_approval, `deny` deny, `allow` allow; a rule that
// cannot be translated is a warning and is left out.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "policy/document.h"

namespace preloop::policy {

// `project_root` anchors "/x" paths (project and local settings); empty: such rules
// are anchored at the filesystem root.
Document claude_permissions_document(std::string_view json_text, const std::string& file,
                                     const std::filesystem::path& project_root, std::vector<Diagnostic>& diags);

}  // namespace preloop::policy
