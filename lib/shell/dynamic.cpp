#include "shell/dynamic.h"

#include <algorithm>

#include "shell/walker.h"

namespace preloop::shell {

void note_assignment(Analysis& out, std::string_view name, std::string_view value, std::string_view command) {
  if (name == "IFS") {
    if (command == "read" || command == "mapfile" || command == "readarray") return;  // only read splits with it
    // only blanks (IFS=$'\n', IFS=): bash splits on fewer characters than the analysis assumes, so
    // every word it sees is one the analysis saw whole or in pieces
    if (value.find_first_not_of(" \t\n") == std::string_view::npos) return;
    out.unknowns.push_back(Unknown{"ifs", "IFS=" + std::string(value)});
  } else if (name == "CDPATH" && !value.empty()) {
    out.unknowns.push_back(Unknown{"cdpath", "CDPATH=" + std::string(value)});
  }
}

void WrittenFiles::note(const std::string& path, const std::optional<std::string>& text, std::string_view writer,
                        bool append) {
  note_impl(path, text, writer, append);
}

void WrittenFiles::note(const std::string& path, std::optional<std::string>&& text, std::string_view writer,
                        bool append) {
  note_impl(path, std::move(text), writer, append);
}

template <class Text>
void WrittenFiles::note_impl(const std::string& path, Text&& text, std::string_view writer, bool append) {
  constexpr std::size_t kMax = 64 * 1024;
  auto it = files_.find(path);
  if (it == files_.end()) it = files_.emplace(path, Entry{}).first;
  else if (!append) it->second.text.reset();
  Entry& entry = it->second;
  entry.writer.assign(writer);
  bool fits = text && (append ? entry.text && entry.text->size() + text->size() <= kMax : text->size() <= kMax);
  if (!fits) {
    entry.text.reset();  // unknown content, too large, or appended to content that is not known
    return;
  }
  if (append) *entry.text += *text;
  else entry.text = std::forward<Text>(text);
}

const WrittenFiles::Entry* WrittenFiles::find(const std::string& path) const {
  auto it = files_.find(path);
  return it == files_.end() ? nullptr : &it->second;
}

namespace {

bool option_like(const std::string& s) { return !s.empty() && (s[0] == '-' || s == "(" || s == "!"); }

// The producer of a stage's input: the last earlier command named like the
// nearest upstream stage that is not a pure line filter.
const Command* producer(const Analysis& out, const Exec& e) {
  static const std::vector<std::string_view> filters = {"grep", "egrep", "fgrep", "sort", "uniq", "head", "tail"};
  for (auto name = e.stdin.from.rbegin(); name != e.stdin.from.rend(); ++name) {
    const Command* c = nullptr;
    std::size_t scanned = 0;
    for (auto it = out.commands.rbegin(); it != out.commands.rend() && scanned < 64; ++it, ++scanned)
      if (it->name == *name && it->depth == e.depth) {
        c = &*it;
        break;
      }
    if (!c) return nullptr;
    bool filter = std::find(filters.begin(), filters.end(), c->name) != filters.end();
    // a filter of its input: grep PATTERN, sort, head -n 5 (no file operands)
    std::size_t files = c->operands.size() - std::min<std::size_t>(c->operands.size(), c->name == "grep" ? 1 : 0);
    if (filter && files == 0 && !c->options.count("-f")) continue;
    return c;
  }
  return nullptr;
}

}  // namespace

std::vector<std::string> listed_entries(const Analysis& out, const Exec& e) {
  const Command* c = producer(out, e);
  if (!c || c->dynamic_args || c->dynamic_name) return {};
  // every entry ("*", as `rm -rf *`) unless the producer selects some ("?*")
  bool selected = true;
  auto below = [&selected](std::string dir) {
    if (dir.empty() || dir[0] == '$') return std::string();
    if (dir.back() != '/') dir += '/';
    return dir + (selected ? "?*" : "*");
  };
  std::vector<std::string> dirs;
  if (c->name == "find") {
    std::size_t i = 0;
    while (i < c->args.size() && (c->args[i] == "-H" || c->args[i] == "-L" || c->args[i] == "-P")) ++i;
    for (; i < c->args.size() && !option_like(c->args[i]); ++i) dirs.push_back(c->args[i]);
    if (dirs.empty()) dirs.push_back(".");
    selected = false;
    for (; i < c->args.size(); ++i)
      if (c->args[i].size() > 1 && c->args[i][0] == '-' && c->args[i] != "-print" && c->args[i] != "-print0" &&
          c->args[i] != "-depth" && c->args[i] != "-xdev" && c->args[i] != "-mount" && c->args[i] != "-follow")
        selected = true;
  } else if (c->name == "fd" || c->name == "fdfind") {
    selected = !c->operands.empty();
    dirs.push_back(c->operands.size() >= 2 ? c->operands[1] : ".");
  } else if ((c->name == "grep" || c->name == "rg") &&
             std::any_of(c->flags.begin(), c->flags.end(), [](const std::string& f) {
               return f == "-l" || f == "-L" || f == "--files-with-matches" || f == "--files";
             })) {
    bool files_mode = std::find(c->flags.begin(), c->flags.end(), "--files") != c->flags.end();
    for (std::size_t k = files_mode ? 0 : 1; k < c->operands.size(); ++k) dirs.push_back(c->operands[k]);
    if (dirs.empty()) dirs.push_back(".");
  } else if (c->name == "ls" && !c->operands.empty()) {
    // `ls NAME…`: the names themselves, or the entries of directories, printed relative to the
    // working directory of xargs
    std::vector<std::string> bounds{"./?*"};
    for (const auto& o : c->operands) {
      if (o.empty() || o[0] == '$' || bounds.size() >= 4) return {};
      bounds.push_back(o);
    }
    return bounds;
  } else if ((c->name == "ls" && c->operands.empty()) ||
             (c->name == "git" && !c->operands.empty() &&
              (c->operands[0] == "ls-files" || (c->operands[0] == "diff" &&
                                                std::find(c->flags.begin(), c->flags.end(), "--name-only") !=
                                                    c->flags.end())))) {
    selected = c->name == "git" && c->operands.size() > 1;  // ls, git ls-files: every entry
    dirs.push_back(".");
  } else {
    return {};
  }
  std::vector<std::string> bounds;
  for (const auto& d : dirs) {
    std::string b = below(d);
    if (b.empty()) return {};
    bounds.push_back(std::move(b));
    if (bounds.size() >= 4) break;
  }
  return bounds;
}

}  // namespace preloop::shell
