#include "selfguard/protected_set.h"

#include <algorithm>
#include <cstdlib>
#include <sys/stat.h>
#include <unistd.h>

#include "process/helper.h"
#include "selfguard/resolve.h"
#include "shell/paths.h"

namespace preloop::selfguard {
namespace {

using Kind = Protected::Kind;

std::string parent_of(const std::string& p) {
  std::size_t s = p.rfind('/');
  return s == 0 || s == std::string::npos ? "/" : p.substr(0, s);
}

bool equal_path(std::string_view a, std::string_view b) { return a.size() == b.size() && same_or_under(a, b); }

bool hits(const Protected& e, const std::string& path, const std::string& target) {
  if (path.empty() || target.empty()) return false;
  switch (e.kind) {
    case Kind::Dir: return same_or_under(path, target);
    case Kind::File: return equal_path(path, target);
    case Kind::Prefix: {
      std::string dir = parent_of(target);
      if (!equal_path(parent_of(path), dir)) return false;
      std::string_view name = std::string_view(path).substr(path.rfind('/') + 1);
      std::string_view stem = std::string_view(target).substr(target.rfind('/') + 1);
      return name.size() >= stem.size() && equal_path(name.substr(0, stem.size()), stem);
    }
  }
  return false;
}

// A shell glob (no `**`; a wildcard does not match a leading dot) matches the whole path.
bool shell_glob_match(std::string_view path, std::string_view pattern) {
  std::size_t i = 0, j = 0;
  while (true) {
    while (i < path.size() && path[i] == '/') ++i;
    while (j < pattern.size() && pattern[j] == '/') ++j;
    if (i >= path.size() || j >= pattern.size()) return i >= path.size() && j >= pattern.size();
    std::size_t ie = path.find('/', i), je = pattern.find('/', j);
    if (ie == std::string_view::npos) ie = path.size();
    if (je == std::string_view::npos) je = pattern.size();
    if (!shell::component_match(path.substr(i, ie - i), pattern.substr(j, je - j), true)) return false;
    i = ie;
    j = je;
  }
}

bool strictly_below(const std::string& entry, const std::string& dir) {
  return !dir.empty() && !entry.empty() && same_or_under(entry, dir) && !equal_path(entry, dir);
}

// The part of a pattern before its first component with a glob character.
std::string literal_prefix(const std::string& pattern) {
  std::size_t g = pattern.find_first_of("*?[");
  if (g == std::string::npos) return pattern;
  std::size_t s = pattern.rfind('/', g);
  return s == 0 || s == std::string::npos ? "/" : pattern.substr(0, s);
}

std::string_view without_trailing_slashes(std::string_view p) {
  while (p.size() > 1 && p.back() == '/') p.remove_suffix(1);
  return p;
}

}  // namespace

void ProtectedSet::add_keys(const Protected& e) const {
  for (const std::string* p : {&e.path, &e.real}) {
    if (p->empty()) continue;
    std::string key(without_trailing_slashes(*p));
    if (e.kind == Kind::Prefix) key = parent_of(key);
    longest_key_ = std::max(longest_key_, key.size());
    if (key_lengths_.size() <= key.size()) key_lengths_.resize(key.size() + 1);
    key_lengths_[key.size()] = true;
    keys_.insert(std::move(key));
  }
}

bool ProtectedSet::may_hit(std::string_view path) const {
  if (kCaseInsensitiveFs) return true;
  path = without_trailing_slashes(path);
  if (path.empty()) return false;
  if (keys_.count(std::string_view("/"))) return true;
  // Only prefixes as long as a key can match: a long word costs its first bytes.
  std::size_t n = std::min(path.size(), longest_key_ + 1);
  auto is_key = [&](std::string_view p) { return key_lengths_[p.size()] && keys_.count(p); };
  for (std::size_t i = 1; i < n; ++i)
    if (path[i] == '/' && is_key(without_trailing_slashes(path.substr(0, i)))) return true;
  return path.size() <= longest_key_ && is_key(path);
}

void ProtectedSet::resolve_reals(bool secrets_only) const {
  if (resolved_ || (secrets_only && secrets_resolved_)) return;
  secrets_resolved_ = true;
  if (secrets_only) {
    for (auto& e : entries_)
      if (e.secret && e.real.empty()) {
        e.real = resolver_.real_path(e.path);
        if (indexed_) add_keys(e);
      }
    return;
  }
  resolved_ = true;
  std::string exe = executable_;
  if (exe.empty()) {
    char buf[4096];
    ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n > 0) exe.assign(buf, static_cast<std::size_t>(n));
  }
  if (!exe.empty()) {
    entries_.push_back({Kind::File, shell::normalize_path(exe, ""), "", "the preloop-hook binary", false, true});
    // The network helper a static binary hands its requests (and token) to.
    for (const std::string& helper : process::network_helper_candidates(exe))
      entries_.push_back({Kind::File, shell::normalize_path(helper, ""), "", "preloop-hook's network helper"});
  }
  for (auto& e : entries_)
    if (e.real.empty()) {
      e.real = resolver_.real_path(e.path);
      if (indexed_) add_keys(e);
    }
}

const std::vector<Protected>& ProtectedSet::entries(bool secrets_only) const {
  resolve_reals(secrets_only);
  return entries_;
}

const Protected* ProtectedSet::containing(const std::string& lexical, const std::string& real,
                                         bool secrets_only) const {
  if (!real.empty()) resolve_reals(secrets_only);
  // Past the first few paths of a call, the entries are indexed by path.
  if (++queries_ > kIndexAfter) {
    if (!indexed_) {
      for (const auto& e : entries_) add_keys(e);
      indexed_ = true;
    }
    if (!may_hit(lexical) && !may_hit(real)) return nullptr;
  }
  for (const auto& e : entries_)
    if ((!secrets_only || e.secret) &&
        (hits(e, lexical, e.path) || hits(e, real, e.real) || hits(e, real, e.path) || hits(e, lexical, e.real)))
      return &e;
  return nullptr;
}

const Protected* ProtectedSet::hard_link_to(const std::string& real) const {
  struct stat st;
  if (real.empty() || ::stat(real.c_str(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_nlink < 2) return nullptr;
  resolve_reals();
  for (const auto& e : entries_) {
    std::string file = e.kind == Kind::Dir ? e.real + "/config.yaml" : e.real;
    struct stat pe;
    if (::stat(file.c_str(), &pe) == 0 && pe.st_dev == st.st_dev && pe.st_ino == st.st_ino) return &e;
  }
  return nullptr;
}

const Protected* ProtectedSet::below(const std::string& lexical, const std::string& real) const {
  resolve_reals();
  for (const auto& e : entries_)
    if (strictly_below(e.path, lexical) || strictly_below(e.real, real) || strictly_below(e.path, real) ||
        strictly_below(e.real, lexical))
      return &e;
  return nullptr;
}

const Protected* ProtectedSet::matched_by_glob(const std::string& pattern) const {
  std::string lit = literal_prefix(pattern);
  resolve_reals();
  for (const auto& e : entries_) {
    for (const std::string* p : {&e.path, &e.real}) {
      if (p->empty()) continue;
      if (shell_glob_match(*p, pattern) || shell::path_covers(pattern, *p)) return &e;
      if (e.kind == Kind::Dir && same_or_under(lit, *p)) return &e;
    }
  }
  return nullptr;
}

std::string audit_key_path(const std::string& db) { return db + ".key"; }

ProtectedSet::ProtectedSet(const Inputs& in) : executable_(in.executable) {
  auto env = [&](const char* name) -> std::string {
    const char* v = in.getenv ? in.getenv(name) : std::getenv(name);
    return v ? v : "";
  };
  auto xdg = [&](const char* name, const char* fallback) {
    std::string v = env(name);
    return !v.empty() && v[0] == '/' ? v : in.home + fallback;  // XDG: relative values are ignored
  };
  std::vector<Protected>& out = entries_;
  out.reserve(28);
  auto add = [&](Kind kind, const std::string& path, const char* what, bool secret = false) {
    if (path.empty()) return;
    std::string abs = absolute(path, in.cwd, in.home);
    if (abs.empty()) return;
    std::string norm = shell::is_normal_path(abs) ? std::move(abs) : shell::normalize_path(abs, "");
    for (const auto& e : out)
      if (e.path == norm && e.kind == kind) return;
    out.push_back({kind, norm, "", what, secret});
  };
  const char* config = "preloop-hook's configuration and rules";
  const char* data = "preloop-hook's data (audit store, synced policy, cache)";
  const char* settings = "Claude Code's settings";

  // The audit key first: it is the one entry whose reading is denied too.
  add(Kind::File, audit_key_path(in.audit_db), "the audit store's key", true);
  add(Kind::File, audit_key_path(in.home + "/.local/share/preloop-hook/audit.db"), "the audit store's key", true);
  add(Kind::Prefix, in.audit_db, "the audit store (database, journals, spool)");

  add(Kind::Dir, xdg("XDG_CONFIG_HOME", "/.config") + "/preloop-hook", config);
  add(Kind::Dir, in.home + "/.config/preloop-hook", config);
  add(Kind::File, env("PRELOOP_HOOK_CONFIG"), config);
  add(Kind::Dir, env("PRELOOP_HOOK_MANAGED_DIR"), "preloop-hook's managed configuration");
  add(Kind::Dir, "/etc/preloop-hook", "preloop-hook's managed configuration");
  add(Kind::Dir, xdg("XDG_DATA_HOME", "/.local/share") + "/preloop-hook", data);
  add(Kind::Dir, in.home + "/.local/share/preloop-hook", data);
  const char* state = "preloop-hook's state (the audit head witness, approval outages and reuse grants)";
  add(Kind::Dir, xdg("XDG_STATE_HOME", "/.local/state") + "/preloop-hook", state);
  add(Kind::Dir, in.home + "/.local/state/preloop-hook", state);
  add(Kind::Dir, env("CLAUDE_PLUGIN_ROOT"), "the Claude Code plugin that runs preloop-hook");

  std::string claude_dir = env("CLAUDE_CONFIG_DIR");
  for (const std::string& dir : {in.home + "/.claude", claude_dir}) {
    if (dir.empty()) continue;
    // The directory itself: replaced (a symlink, a clone, a mount) it brings its own settings.
    add(Kind::File, dir, "the directory of Claude Code's user settings");
    add(Kind::File, dir + "/settings.json", settings);
    add(Kind::File, dir + "/settings.local.json", settings);
  }
  add(Kind::File, in.home + "/.claude.json", "Claude Code's user state (MCP servers, allowed tools)");
  add(Kind::Dir, "/etc/claude-code", "Claude Code's managed settings");
#ifdef __APPLE__
  add(Kind::Dir, "/Library/Application Support/ClaudeCode", "Claude Code's managed settings");
#endif
  for (const std::string& root : {in.project_dir, in.cwd}) {
    if (root.empty()) continue;
    add(Kind::Dir, root + "/.claude", "the project's Claude Code settings");
    add(Kind::Dir, root + "/.preloop", "the project's preloop-hook policies");
  }

  // Every supported agent's user-level hook files (and, for Codex, their trust),
  // whichever agent makes the call: one guarded agent must not unhook another.
  // A project's hook files count for the agent making the call (below).
  const char* hooks = "an agent's hook settings";
  const std::string codex_home = env("CODEX_HOME"), copilot_home = env("COPILOT_HOME");
  const std::string codex = codex_home.empty() ? in.home + "/.codex" : codex_home;
  const std::string copilot = copilot_home.empty() ? in.home + "/.copilot" : copilot_home;
  for (const std::string& file : {in.home + "/.gemini/settings.json", in.home + "/.qwen/settings.json",
                                  codex + "/hooks.json", codex + "/config.toml", copilot + "/config.json",
                                  in.home + "/.cursor/hooks.json"})
    add(Kind::File, file, hooks);
  add(Kind::Dir, copilot + "/hooks", hooks);
  auto project_files = [&](const char* dir, std::initializer_list<const char*> names) {
    for (const std::string& root : {in.project_dir, in.cwd}) {
      if (root.empty()) continue;
      add(Kind::File, root + "/" + dir, hooks);  // replaced wholesale, it brings its own files
      for (const char* name : names) add(Kind::File, root + "/" + dir + "/" + name, hooks);
    }
  };
  if (in.agent == "gemini_cli") {
    add(Kind::File, in.home + "/.gemini", hooks);
    project_files(".gemini", {"settings.json"});
    add(Kind::Dir, "/etc/gemini-cli", hooks);
  } else if (in.agent == "qwen_code") {
    add(Kind::File, in.home + "/.qwen", hooks);
    project_files(".qwen", {"settings.json"});
    add(Kind::Dir, "/etc/qwen-code", hooks);
  } else if (in.agent == "codex_cli") {
    add(Kind::File, codex, hooks);
    project_files(".codex", {"hooks.json", "config.toml"});
    add(Kind::Dir, "/etc/codex", hooks);
  } else if (in.agent == "copilot_cli") {
    add(Kind::File, copilot, hooks);
    for (const std::string& root : {in.project_dir, in.cwd})
      if (!root.empty()) add(Kind::Dir, root + "/.github/hooks", hooks);
  } else if (in.agent == "cursor") {
    add(Kind::File, in.home + "/.cursor", hooks);
    project_files(".cursor", {"hooks.json"});
    add(Kind::Dir, "/etc/cursor", hooks);
  }
}

}  // namespace preloop::selfguard
