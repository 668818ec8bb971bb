#include "scan/gitignore.h"

namespace preloop::scan {
namespace {

// [...] at p (p points after '['); sets *end after ']'. False when malformed.
bool class_match(const char* p, char c, const char** end, bool* matched) {
  bool negate = *p == '!' || *p == '^';
  if (negate) ++p;
  bool hit = false;
  const char* start = p;
  while (*p && (*p != ']' || p == start)) {
    if (p[1] == '-' && p[2] && p[2] != ']') {
      if (c >= p[0] && c <= p[2]) hit = true;
      p += 3;
    } else {
      if (*p == c) hit = true;
      ++p;
    }
  }
  if (*p != ']') return false;
  *end = p + 1;
  *matched = hit != negate;
  return true;
}

}  // namespace

bool glob_match(const char* p, const char* t) {
  for (; *p; ++p, ++t) {
    if (p[0] == '*' && p[1] == '*') {
      p += 2;
      if (*p == '/') ++p;  // "**/" also matches no directory at all
      for (const char* s = t;; ++s) {
        if (glob_match(p, s)) return true;
        if (!*s) return false;
      }
    }
    if (*p == '*') {
      for (const char* s = t;; ++s) {
        if (glob_match(p + 1, s)) return true;
        if (!*s || *s == '/') return false;
      }
    }
    if (!*t) return false;
    if (*p == '?') {
      if (*t == '/') return false;
      continue;
    }
    if (*p == '[') {
      const char* end = nullptr;
      bool matched = false;
      if (class_match(p + 1, *t, &end, &matched)) {
        if (!matched || *t == '/') return false;
        p = end - 1;
        continue;
      }
    }
    if (*p == '\\' && p[1]) ++p;
    if (*p != *t) return false;
  }
  return !*t;
}

void IgnoreRules::add_file(const std::string& base, const std::string& text) {
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(pos, end - pos);
    pos = end + 1;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    while (!line.empty() && line.back() == ' ' && (line.size() < 2 || line[line.size() - 2] != '\\')) line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    Rule r;
    r.base = base;
    if (line[0] == '!') r.negate = true, line.erase(0, 1);
    else if (line[0] == '\\') line.erase(0, 1);
    if (!line.empty() && line.back() == '/') r.dir_only = true, line.pop_back();
    if (line.empty()) continue;
    r.anchored = line.find('/') != std::string::npos;
    if (line[0] == '/') line.erase(0, 1);
    r.pattern = line;
    rules_.push_back(std::move(r));
  }
}

bool IgnoreRules::ignored(const std::string& path, bool is_dir) const {
  bool out = false;
  for (const Rule& r : rules_) {
    if (r.dir_only && !is_dir) continue;
    if (!r.base.empty() && path.compare(0, r.base.size() + 1, r.base + "/") != 0) continue;
    const std::string rel = r.base.empty() ? path : path.substr(r.base.size() + 1);
    const std::string name = rel.substr(rel.find_last_of('/') == std::string::npos ? 0 : rel.find_last_of('/') + 1);
    if (glob_match(r.pattern.c_str(), (r.anchored ? rel : name).c_str())) out = !r.negate;
  }
  return out;
}

}  // namespace preloop::scan
