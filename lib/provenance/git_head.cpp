#include "provenance/git_head.h"

#include <sstream>
#include <sys/stat.h>

#include "config/safe_file.h"

namespace preloop::provenance {
namespace {

// Files of a repository the agent can write: a FIFO or a huge file is refused, never waited on.
constexpr FileRule kGitFile{"git repository files", 16u << 20, true};

std::optional<std::string> contents(const std::string& path) {
  try {
    auto f = read_file_if_present(path, kGitFile);
    if (f) return std::move(f->text);
  } catch (const FileError&) {
  }
  return std::nullopt;
}

// The first line of a small file, without its newline; nullopt when unreadable.
std::optional<std::string> first_line(const std::string& path) {
  auto text = contents(path);
  if (!text) return std::nullopt;
  std::string line = text->substr(0, text->find('\n'));
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
  return line;
}

bool is_dir(const std::string& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool is_file(const std::string& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

std::string joined(const std::string& base, const std::string& rel) {
  return !rel.empty() && rel[0] == '/' ? rel : base + "/" + rel;
}

// The commit a ref names: its loose file, else its line in packed-refs.
std::string resolve_ref(const std::string& common_dir, const std::string& ref) {
  if (auto loose = first_line(common_dir + "/" + ref)) return *loose;
  std::istringstream packed(contents(common_dir + "/packed-refs").value_or(""));
  for (std::string line; std::getline(packed, line);) {
    if (line.empty() || line[0] == '#' || line[0] == '^') continue;
    auto space = line.find(' ');
    if (space != std::string::npos && line.compare(space + 1, std::string::npos, ref) == 0) return line.substr(0, space);
  }
  return "";
}

bool is_hex_id(const std::string& s) {
  return (s.size() == 40 || s.size() == 64) && s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

}  // namespace

std::optional<Head> read_head(const std::string& start) {
  if (start.empty() || start[0] != '/') return std::nullopt;
  Head h;
  for (std::string d = start;; d = d.substr(0, d.rfind('/'))) {
    const std::string dot = (d.empty() ? "" : d) + "/.git";
    if (is_dir(dot)) {
      h.git_dir = dot;
    } else if (is_file(dot)) {
      auto line = first_line(dot);
      if (!line || line->rfind("gitdir: ", 0) != 0) return std::nullopt;
      h.git_dir = joined(d.empty() ? "" : d, line->substr(8));
    }
    if (!h.git_dir.empty()) {
      h.top = d.empty() ? "/" : d;
      break;
    }
    if (d.empty() || d.find('/') == std::string::npos) return std::nullopt;
  }
  std::string common = h.git_dir;
  if (auto c = first_line(h.git_dir + "/commondir")) common = joined(h.git_dir, *c);
  auto head = first_line(h.git_dir + "/HEAD");
  if (!head) return std::nullopt;
  if (head->rfind("ref: ", 0) == 0) {
    const std::string ref = head->substr(5);
    if (ref.rfind("refs/heads/", 0) == 0) h.branch = ref.substr(11);
    h.commit = resolve_ref(common, ref);
  } else {
    h.commit = *head;
  }
  if (!h.commit.empty() && !is_hex_id(h.commit)) return std::nullopt;
  return h;
}

}  // namespace preloop::provenance
