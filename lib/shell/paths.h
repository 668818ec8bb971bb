// Path helpers shared by the analyser and the CEL functions.
#pragma once

#include <string>
#include <string_view>

namespace preloop::shell {

// Makes `path` absolute against `cwd` (unless `cwd` is empty) and removes
// ".", ".." and repeated or trailing slashes. A leading "~" or "~/" is
// replaced by `home` when given.
std::string normalize_path(std::string_view path, std::string_view cwd, std::string_view home = {});
// No empty, "." or ".." component and no trailing slash: normalize_path
// (without cwd and home) returns such a path unchanged.
bool is_normal_path(std::string_view path);

// `path` equals `dir` or lies below it (component-wise: /etc2 is not under /etc).
bool path_under(std::string_view path, std::string_view dir);

// Deleting or overwriting `pattern` (a path, possibly with glob characters)
// would affect `target` as a whole: some expansion of the pattern is
// `target` or one of its ancestors, or the pattern is `target/*`. As in the
// shell, a wildcard does not match a leading dot (`*` does not cover `.git`).
bool path_covers(std::string_view pattern, std::string_view target);

// Glob match of a whole path: `*`, `?`, `[...]` within one component,
// `**` across components ("**/x" also matches "x").
bool glob_match(std::string_view path, std::string_view pattern);

// fnmatch-style match of one component (no '/'). With `shell_dots`, a
// leading '.' of the name must be matched by a literal '.'.
bool component_match(std::string_view name, std::string_view pattern, bool shell_dots = false);

bool has_glob(std::string_view s);

}  // namespace preloop::shell
