#include "selfguard/resolve.h"

#include <cctype>
#include <climits>
#include <cstdlib>
#include <sys/stat.h>
#include <unistd.h>

#include "shell/paths.h"

namespace preloop::selfguard {

std::string absolute(std::string_view path, std::string_view cwd, std::string_view home) {
  std::string p(path);
  for (std::string_view var : {"${HOME}", "$HOME"}) {
    if (p.rfind(var, 0) == 0 && (p.size() == var.size() || p[var.size()] == '/')) {
      p = std::string(home) + p.substr(var.size());
      break;
    }
  }
  if (p == "~" || p.rfind("~/", 0) == 0) p = std::string(home) + p.substr(1);
  if (p.empty()) return "";
  if (p[0] == '/') return p;
  if (cwd.empty() || cwd[0] != '/') return "";
  return std::string(cwd) + "/" + p;
}

std::string Resolver::walk(const std::string& abs, int links, bool* missing_out) {
  // `cur` grows and shrinks in place: a path of thousands of components
  // (a whole command line taken as one word) costs its length, not its
  // length times its component count.
  std::string cur;  // real path of the components so far ("" = "/")
  bool missing = false;
  std::size_t i = 0;
  while (i < abs.size()) {
    std::size_t j = abs.find('/', i);
    if (j == std::string::npos) j = abs.size();
    std::string_view comp(abs.data() + i, j - i);
    i = j + 1;
    if (comp.empty() || comp == ".") continue;
    if (comp == "..") {
      std::size_t s = cur.rfind('/');
      cur.resize(s == std::string::npos ? 0 : s);
      continue;
    }
    std::size_t parent = cur.size();
    cur += '/';
    cur += comp;
    if (missing) continue;
    if (auto it = known_.find(cur); it != known_.end()) {
      if (it->second.empty()) missing = true;
      else cur = it->second;
      continue;
    }
    struct stat st;
    if (::lstat(cur.c_str(), &st) != 0) {
      known_.emplace(cur, "");
      missing = true;
      continue;
    }
    if (!S_ISLNK(st.st_mode) || links > 40) {
      known_.emplace(cur, cur);
      continue;
    }
    char buf[PATH_MAX];
    ssize_t n = ::readlink(cur.c_str(), buf, sizeof buf - 1);
    if (n <= 0) {
      known_.emplace(cur, cur);
      continue;
    }
    std::string target(buf, static_cast<std::size_t>(n));
    std::string real = walk(target[0] == '/' ? target : cur.substr(0, parent) + "/" + target, links + 1);
    known_[cur] = real;
    cur = real == "/" ? "" : std::move(real);
  }
  if (missing_out) *missing_out = missing;
  return cur.empty() ? "/" : cur;
}

std::string Resolver::real_path(const std::string& abs, bool* missing) {
  if (missing) *missing = false;
  if (abs.empty() || abs[0] != '/') return shell::normalize_path(abs, "");
  return walk(abs, 0, missing);
}

Resolved Resolver::resolve(std::string_view path, std::string_view cwd, std::string_view home) {
  std::string abs = absolute(path, cwd, home);
  if (abs.empty()) return {};
  return {shell::is_normal_path(abs) ? abs : shell::normalize_path(abs, ""), real_path(abs)};
}

bool same_or_under(std::string_view path, std::string_view dir) {
  if (!kCaseInsensitiveFs) return shell::path_under(path, dir);
  std::string p(path), d(dir);
  for (auto& c : p) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (auto& c : d) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return shell::path_under(p, d);
}

}  // namespace preloop::selfguard
