// The repository a tool call runs in, as Preloop's permission check takes it
// (`repository`: remote, toplevel, relative_path, source, no_remote): read
// from the working directory's git metadata, never from the tool's arguments,
// and without running git.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace preloop::approval {

// The object for `cwd`, or null when cwd is not inside a git work tree.
// The remote is origin's URL (else the first remote's) with any user name and
// password removed; no_remote is true when the repository has none.
nlohmann::json observe_repository(const std::string& cwd);

// "https://user:tok@host/x.git" -> "https://host/x.git"; other forms unchanged.
std::string strip_url_credentials(const std::string& url);

}  // namespace preloop::approval
