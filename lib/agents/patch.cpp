#include "agents/patch.h"

#include <string_view>
#include <vector>

namespace preloop::agents {
namespace {

struct FilePatch {
  std::string op;    // Add | Update | Delete
  std::string path;
  std::string added, removed;
  std::string moved_to;
};

bool starts(std::string_view line, std::string_view prefix) { return line.substr(0, prefix.size()) == prefix; }

std::vector<FilePatch> files_of(std::string_view text) {
  std::vector<FilePatch> files;
  while (!text.empty()) {
    const auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    bool header = false;
    for (std::string_view op : {"Add", "Update", "Delete"}) {
      const std::string prefix = "*** " + std::string(op) + " File: ";
      if (starts(line, prefix)) {
        files.push_back({std::string(op), std::string(line.substr(prefix.size())), "", "", ""});
        header = true;
      }
    }
    if (header || files.empty()) continue;
    if (starts(line, "*** Move to: ")) files.back().moved_to = std::string(line.substr(13));
    else if (starts(line, "***") || starts(line, "@@")) continue;
    else if (starts(line, "+")) files.back().added.append(line.substr(1)).push_back('\n');
    else if (starts(line, "-")) files.back().removed.append(line.substr(1)).push_back('\n');
  }
  return files;
}

std::string absolute(const std::string& path, const std::string& cwd) {
  if (path.empty() || path.front() == '/' || cwd.empty()) return path;
  return cwd + (cwd.back() == '/' ? "" : "/") + path;
}

std::string quoted(const std::string& word) {
  std::string out = "'";
  for (char c : word) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// The shell commands with the patch's effect on the file system: each file
// written from a quoted here-document of its added lines, deleted or moved.
// The shell analysis then sees every path written, deleted or moved, and the
// secrets check every added line.
std::string as_commands(const std::vector<FilePatch>& files, const std::string& cwd) {
  std::string script;
  for (const FilePatch& f : files) {
    const std::string path = quoted(absolute(f.path, cwd));
    if (f.op == "Delete") {
      script += "rm -f -- " + path + "\n";
      continue;
    }
    std::string end = "PRELOOP_PATCH_EOF";
    while (f.added.find(end) != std::string::npos) end += "_";
    script += "cat > " + path + " <<'" + end + "'\n" + f.added + end + "\n";
    if (!f.moved_to.empty()) script += "mv -f -- " + path + " " + quoted(absolute(f.moved_to, cwd)) + "\n";
  }
  return script;
}

}  // namespace

void map_apply_patch(protocol::HookEvent& ev) {
  if (ev.native_tool_name != "apply_patch" || !ev.tool_input.is_object()) return;
  auto it = ev.tool_input.find("command");
  if (it == ev.tool_input.end() || !it->is_string()) return;
  std::vector<FilePatch> files = files_of(it->get_ref<const std::string&>());
  if (files.size() == 1 && files[0].moved_to.empty() && files[0].op != "Delete") {
    FilePatch& f = files[0];
    const std::string path = absolute(f.path, ev.cwd);
    if (f.op == "Add") {
      ev.tool_name = "Write";
      ev.tool_input = {{"file_path", path}, {"content", std::move(f.added)}};
    } else {
      ev.tool_name = "Edit";
      ev.tool_input = {{"file_path", path}, {"old_string", std::move(f.removed)}, {"new_string", std::move(f.added)}};
    }
    return;
  }
  if (files.empty()) return;  // no file header: checked as apply_patch
  ev.tool_name = "Bash";
  ev.tool_input = {{"command", as_commands(files, ev.cwd)}};
}

}  // namespace preloop::agents
