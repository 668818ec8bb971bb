#include "shell/paths.h"

#include <vector>

namespace preloop::shell {

namespace {

// The non-empty '/'-separated components of a path, in place; no allocation
// (and no initialisation of the in-place slots) for paths of up to kInline
// components: glob_match runs for every path against every pattern of a rule.
class Components {
 public:
  explicit Components(std::string_view p) : text_(p) {
    std::size_t i = 0;
    while (i < p.size()) {
      while (i < p.size() && p[i] == '/') ++i;
      if (i >= p.size()) break;
      std::size_t j = p.find('/', i);
      if (j == std::string_view::npos) j = p.size();
      push({i, j - i});
      i = j;
    }
  }
  Components(const Components&) = delete;
  Components& operator=(const Components&) = delete;
  std::size_t size() const { return size_; }
  std::string_view operator[](std::size_t i) const {
    const Span& s = i < kInline ? inline_[i] : more_[i - kInline];
    return text_.substr(s.pos, s.len);
  }

  class Iterator {
   public:
    Iterator(const Components& c, std::size_t i) : c_(c), i_(i) {}
    std::string_view operator*() const { return c_[i_]; }
    Iterator& operator++() { return ++i_, *this; }
    bool operator!=(const Iterator& o) const { return i_ != o.i_; }

   private:
    const Components& c_;
    std::size_t i_;
  };
  Iterator begin() const { return {*this, 0}; }
  Iterator end() const { return {*this, size_}; }

 private:
  struct Span {
    std::size_t pos, len;
  };
  static constexpr std::size_t kInline = 32;
  void push(Span s) {
    if (size_ < kInline) inline_[size_] = s;
    else more_.push_back(s);
    ++size_;
  }
  std::string_view text_;
  Span inline_[kInline];  // left uninitialised: only the first size_ are read
  std::vector<Span> more_;
  std::size_t size_ = 0;
};

}  // namespace

bool is_normal_path(std::string_view p) {
  if (p.empty() || p == "/") return !p.empty();
  if (p.back() == '/') return false;
  for (std::size_t i = p[0] == '/' ? 1 : 0; i <= p.size();) {
    std::size_t j = p.find('/', i);
    if (j == std::string_view::npos) j = p.size();
    std::string_view c = p.substr(i, j - i);
    if (c.empty() || c == "." || c == "..") return false;
    i = j + 1;
  }
  return true;
}

bool has_glob(std::string_view s) {
  // A plain loop: find_first_of calls memchr on the set for every character.
  for (char c : s)
    if (c == '*' || c == '?' || c == '[') return true;
  return false;
}

std::string normalize_path(std::string_view path, std::string_view cwd, std::string_view home) {
  std::string full;
  if (!home.empty() && (path == "~" || path.substr(0, 2) == "~/")) {
    full = std::string(home) + std::string(path.substr(1));
  } else if (!path.empty() && path[0] == '/') {
    full = std::string(path);
  } else if (!cwd.empty()) {
    full = std::string(cwd) + "/" + std::string(path);
  } else {
    full = std::string(path);
  }
  if (is_normal_path(full)) return full;  // most paths of a command line: no split and join
  bool absolute = !full.empty() && full[0] == '/';
  std::vector<std::string_view> out;
  std::size_t leading_up = 0;
  for (auto c : Components(full)) {
    if (c == ".") continue;
    if (c == "..") {
      if (!out.empty() && out.back() != "..") out.pop_back();
      else if (!absolute) out.push_back(c), ++leading_up;
      continue;
    }
    out.push_back(c);
  }
  std::string r = absolute ? "/" : "";
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (i) r += '/';
    r += out[i];
  }
  if (r.empty()) r = absolute ? "/" : ".";
  return r;
}

bool path_under(std::string_view path, std::string_view dir) {
  while (dir.size() > 1 && dir.back() == '/') dir.remove_suffix(1);
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  if (dir.empty() || path.empty()) return false;
  if (dir == "/") return path[0] == '/';
  if (path.substr(0, dir.size()) != dir) return false;
  return path.size() == dir.size() || path[dir.size()] == '/';
}

bool component_match(std::string_view name, std::string_view pat, bool shell_dots) {
  if (shell_dots && !name.empty() && name[0] == '.' && (pat.empty() || pat[0] != '.')) return false;
  // iterative wildcard match with single backtrack point
  std::size_t n = 0, p = 0, star_p = std::string_view::npos, star_n = 0;
  auto class_match = [&](std::size_t& pp, char c) -> int {  // -1: malformed
    std::size_t j = pp + 1;
    bool neg = false;
    if (j < pat.size() && (pat[j] == '!' || pat[j] == '^')) neg = true, ++j;
    bool ok = false;
    bool first = true;
    while (j < pat.size() && (first || pat[j] != ']')) {
      first = false;
      char lo = pat[j];
      if (j + 2 < pat.size() && pat[j + 1] == '-' && pat[j + 2] != ']') {
        if (c >= lo && c <= pat[j + 2]) ok = true;
        j += 3;
      } else {
        if (c == lo) ok = true;
        ++j;
      }
    }
    if (j >= pat.size()) return -1;
    pp = j + 1;
    return ok != neg;
  };
  while (n < name.size()) {
    if (p < pat.size() && pat[p] == '*') {
      star_p = p++;
      star_n = n;
      continue;
    }
    if (p < pat.size() && pat[p] == '?') {
      ++p, ++n;
      continue;
    }
    if (p < pat.size() && pat[p] == '[') {
      std::size_t pp = p;
      int m = class_match(pp, name[n]);
      if (m == 1) {
        p = pp, ++n;
        continue;
      }
      if (m == -1 && name[n] == '[') {
        ++p, ++n;
        continue;
      }
    } else if (p < pat.size() && pat[p] == name[n]) {
      ++p, ++n;
      continue;
    }
    if (star_p == std::string_view::npos) return false;
    p = star_p + 1;
    n = ++star_n;
  }
  while (p < pat.size() && pat[p] == '*') ++p;
  return p == pat.size();
}

namespace {

// `work` bounds the total number of steps (patterns with many ** backtrack).
bool match_parts(const Components& name, std::size_t ni, const Components& pat, std::size_t pi, int& work) {
  while (pi < pat.size()) {
    if (--work < 0) return false;
    if (pat[pi] == "**") {
      for (std::size_t k = ni; k <= name.size(); ++k)
        if (match_parts(name, k, pat, pi + 1, work)) return true;
      return false;
    }
    if (ni >= name.size() || !component_match(name[ni], pat[pi])) return false;
    ++ni, ++pi;
  }
  return ni == name.size();
}

}  // namespace

namespace {

std::string_view first_component(std::string_view p) {
  std::size_t i = p.find_first_not_of('/');
  if (i == std::string_view::npos) return {};
  return p.substr(i, p.find('/', i) - i);
}

std::string_view last_component(std::string_view p) {
  std::size_t e = p.find_last_not_of('/');
  if (e == std::string_view::npos) return {};
  std::size_t s = p.rfind('/', e);
  return s == std::string_view::npos ? p.substr(0, e + 1) : p.substr(s + 1, e - s);
}

}  // namespace

bool glob_match(std::string_view path, std::string_view pattern) {
  bool pabs = !pattern.empty() && pattern[0] == '/';
  bool tabs = !path.empty() && path[0] == '/';
  // A literal first component must be the path's: most paths fail here,
  // before either is split.
  std::string_view lead = first_component(pattern);
  if (!lead.empty() && lead != "**" && !has_glob(lead) && lead != first_component(path)) return false;
  // A last component other than ** matches the path's last one, and only it.
  std::string_view tail = last_component(pattern), name = last_component(path);
  if (!tail.empty() && tail != "**" && !name.empty() && !component_match(name, tail)) return false;
  Components pp(pattern);
  if (pabs != tabs && !(pp.size() && pp[0] == "**")) return false;
  int work = 4096;
  return match_parts(Components(path), 0, pp, 0, work);
}

namespace {

// Next non-empty '/'-separated component of p at or after i.
bool next_component(std::string_view p, std::size_t& i, std::string_view& out) {
  while (i < p.size() && p[i] == '/') ++i;
  if (i >= p.size()) return false;
  std::size_t j = p.find('/', i);
  if (j == std::string_view::npos) j = p.size();
  out = p.substr(i, j - i);
  i = j;
  return true;
}

std::size_t count_components(std::string_view p) {
  std::size_t n = 0, i = 0;
  std::string_view c;
  while (next_component(p, i, c)) ++n;
  return n;
}

}  // namespace

// Allocation-free: it runs for every deleted path against every protected one.
bool path_covers(std::string_view pattern, std::string_view target) {
  if (pattern.empty() || target.empty() || (pattern[0] == '/') != (target[0] == '/')) return false;
  std::size_t np = count_components(pattern), nt = count_components(target);
  if (np > nt + 1) return false;
  std::size_t ip = 0, it = 0;
  std::string_view a, b;
  for (std::size_t k = 0; k < std::min(np, nt); ++k) {
    next_component(pattern, ip, a);
    next_component(target, it, b);
    if (!component_match(b, a, true)) return false;
  }
  if (np == nt + 1) {  // pattern is target/*: every entry of target
    next_component(pattern, ip, a);
    return a == "*" || a == "**";
  }
  return true;
}

}  // namespace preloop::shell
