#include <algorithm>
#include <optional>
#include <map>
#include <sstream>
#include <sys/stat.h>

#include "config/safe_file.h"
#include "selfguard/checks.h"
#include "selfguard/claude_cli.h"
#include "selfguard/finding.h"
#include "selfguard/git_check.h"
#include "selfguard/own_cli.h"
#include "selfguard/resolve.h"
#include "selfguard/words.h"
#include "shell/analyze.h"
#include "shell/paths.h"
#include "shell/scripts.h"

namespace preloop::selfguard {
namespace {

constexpr std::size_t kMaxResolved = 2000;  // path-like words resolved through the file system; the rest by spelling
constexpr std::size_t kMaxPatchBytes = 8u << 20;

struct Ctx {
  const protocol::HookEvent& ev;
  const shell::Analysis& a;
  const Inputs& in;
  const ProtectedSet& set;
  std::size_t resolved = 0;
  std::map<std::string, Finding> git_probes;  // per repository directory
};

std::string cwd_of(const Ctx& x, const std::string& cwd) { return cwd.empty() ? x.ev.cwd : cwd; }

bool exists(const std::string& p) {
  struct stat st;
  return !p.empty() && ::stat(p.c_str(), &st) == 0;
}
bool is_dir(const std::string& p) {
  struct stat st;
  return !p.empty() && ::stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

std::string basename_of(std::string p) {
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  std::size_t s = p.rfind('/');
  return s == std::string::npos ? p : p.substr(s + 1);
}

// A relative path that could not be placed (unknown working directory):
// suspicious when one of its components is a protected name.
bool names_protected_component(const std::string& raw) {
  std::istringstream in(raw);
  for (std::string c; std::getline(in, c, '/');)
    if (c == ".claude" || c == ".preloop" || c == "preloop-hook" || c == ".claude.json") return true;
  return false;
}

// The first component of `entry` below `dir` ("/h/.claude/settings.json" below "/h" → ".claude").
std::string next_component(const std::string& entry, const std::string& dir) {
  std::string rest = entry.substr(dir == "/" ? 1 : dir.size() + 1);
  return rest.substr(0, rest.find('/'));
}

const Protected* hit_effect(Ctx& x, const shell::PathEffect& e, bool deletion, std::string* shown) {
  *shown = e.raw.empty() ? e.path : e.raw;
  if (e.path.empty()) return nullptr;
  if (e.glob) return x.set.matched_by_glob(e.path);
  if (e.path[0] != '/') {
    if (!names_protected_component(e.raw)) return nullptr;
    // Compare it as if relative to the call's directory; else report the first entry of its kind.
    Resolved r = x.set.resolve(e.raw, x.ev.cwd, x.in.home);
    if (const Protected* p = x.set.containing(r.lexical, r.real)) return p;
    static const Protected kNamed{Protected::Kind::Dir, "a path whose directory is not known", "",
                                  "named like a protected location (.claude, .preloop, preloop-hook)"};
    return &kNamed;
  }
  std::string abs = absolute(e.raw, e.cwd, x.in.home);
  bool missing = false;
  std::string real = x.set.real_path(abs.empty() ? e.path : abs, &missing);
  if (const Protected* p = x.set.containing(e.path, real)) return p;
  if (!deletion && !missing)  // a file that is not there yet links to nothing
    if (const Protected* p = x.set.hard_link_to(real)) return p;
  // A whole tree changed: a deletion or move, chmod/chown -R. (Copies into a
  // parent directory write one name there: check_copy_into.)
  bool tree = deletion || (e.recursive && (e.command == "chmod" || e.command == "chown" || e.command == "chgrp"));
  if (tree)
    if (const Protected* p = x.set.below(e.path, real)) return p;
  return nullptr;
}

void check_effects(Ctx& x, Finding& best) {
  std::string shown;
  for (const auto& d : x.a.deletes)
    if (const Protected* p = hit_effect(x, d, true, &shown))
      return merge(best, deny("self-protection.delete", blocked("command deletes or moves", shown, *p)));
  for (const auto& w : x.a.writes) {
    if (const Protected* p = hit_effect(x, w, false, &shown))
      return merge(best, deny("self-protection.write", blocked("command writes", shown, *p)));
  }
  for (const auto& r : x.a.reads) {
    if (r.path.empty() || r.path[0] != '/') continue;
    if (const Protected* p = r.glob ? x.set.matched_by_glob(r.path) : x.set.containing(r.path, x.set.real_path(r.path), true);
        p && p->secret)
      return merge(best, deny("self-protection.key", "Blocked: this command reads " + r.raw +
                                                         ", the audit store's key, a credential of the audit trail."));
  }
}

// cp/mv/rsync/ln/install into a directory above a protected location: the
// copy lands inside it when a source has the protected name, or copies a
// directory's contents that hold it.
void check_copy_into(Ctx& x, const shell::Command& c, Finding& best) {
  std::string_view n = c.name;  // compared by size first
  if (n != "cp" && n != "mv" && n != "rsync" && n != "ln" && n != "install" && n != "scp") return;
  std::vector<std::string> ops = c.operands;
  std::string dest;
  for (const char* o : {"-t", "--target-directory"})
    if (auto it = c.options.find(o); it != c.options.end()) dest = it->second;
  if (dest.empty()) {
    if (ops.size() < 2) return;
    dest = ops.back();
    ops.pop_back();
  }
  std::string cwd = cwd_of(x, c.cwd);
  Resolved d = x.set.resolve(dest, cwd, x.in.home);
  if (d.lexical.empty()) return;
  if (!x.set.below(d.lexical, d.real)) return;
  bool dest_is_dir = is_dir(d.real);
  bool recursive = n == "rsync" || std::any_of(c.flags.begin(), c.flags.end(), [](const std::string& f) {
                     return f == "-r" || f == "-R" || f == "-a" || f == "--recursive" || f == "--archive";
                   });
  for (const auto& e : x.set.entries()) {
    std::string next;
    if (same_or_under(e.path, d.lexical) && e.path != d.lexical) next = next_component(e.path, d.lexical);
    else if (same_or_under(e.real, d.real) && e.real != d.real) next = next_component(e.real, d.real);
    if (next.empty()) continue;
    for (const auto& s : ops) {
      std::string base = basename_of(s);
      // A directory's contents land in dest: `src/.`, rsync's `src/`, -T, or a new dest.
      bool contents = recursive && (!dest_is_dir || (s.size() >= 2 && s.compare(s.size() - 2, 2, "/.") == 0) ||
                                    (n == "rsync" && !s.empty() && s.back() == '/') || c.options.count("-T"));
      bool hit = shell::has_glob(base) ? shell::component_match(next, base, true) : base == next;
      if (!hit && contents) {
        Resolved r = x.set.resolve(s, cwd, x.in.home);
        if (!exists(r.real)) {
          // Made earlier in the same command line: what it will hold cannot be seen.
          merge(best, ask("self-protection.extract",
                          "`" + c.name + "` copies the contents of " + s + ", which does not exist yet, into " + dest +
                              ": it could replace " + e.what + " (" + e.path + ")."));
          continue;
        }
        hit = exists(r.real + "/" + next);
      }
      if (hit)
        return merge(best, deny("self-protection.write", blocked("command copies " + s + " into " + dest +
                                                                     " and so writes",
                                                                 dest + "/" + next, e)));
    }
  }
}

// find … -name PATTERN -delete (or -exec a command that changes files): the
// analysis reports "some entries"; a name pattern that matches a protected
// location's name, or a name commonly found inside one, reaches it.
void check_find(Ctx& x, const shell::Command& c, Finding& best) {
  if (c.name != "find") return;
  bool changes = false;
  std::vector<std::string> starts, patterns;
  bool in_starts = true;
  for (std::size_t i = 0; i < c.args.size(); ++i) {
    const std::string& t = c.args[i];
    if (!t.empty() && (t[0] == '-' || t == "(" || t == "!")) in_starts = false;
    if (in_starts) {
      starts.push_back(t);
      continue;
    }
    if (t == "-delete") changes = true;
    if ((t == "-exec" || t == "-execdir" || t == "-ok" || t == "-okdir") && i + 1 < c.args.size()) {
      shell::Command inner;
      inner.name = basename_of(c.args[i + 1]);
      if (!known_read_only(inner)) changes = true;
    }
    if ((t == "-name" || t == "-iname" || t == "-path" || t == "-ipath" || t == "-wholename") && i + 1 < c.args.size())
      patterns.push_back(basename_of(c.args[i + 1]));
  }
  if (!changes) return;
  if (starts.empty()) starts.push_back(".");
  std::string cwd = cwd_of(x, c.cwd);
  if (patterns.empty()) {
    // No name filter: find visits hidden entries too, so every protected location below a start is in reach.
    for (const auto& s : starts) {
      Resolved r = x.set.resolve(s, cwd, x.in.home);
      if (r.lexical.empty()) continue;
      if (const Protected* e = x.set.below(r.lexical, r.real))
        merge(best, ask("self-protection.delete", "`find " + s + "` deletes or changes entries without a name "
                                                  "filter, hidden ones included: it can reach " + e->what + " (" +
                                                  e->path + ")."));
    }
    return;
  }
  static const char* const kInside[] = {"settings.json", "settings.local.json", "config.yaml", "policy.yaml",
                                        "policy.json", "audit.db", "audit.db.key", "credentials"};
  for (const auto& s : starts) {
    Resolved r = x.set.resolve(s, cwd, x.in.home);
    if (r.lexical.empty()) continue;
    for (const auto& e : x.set.entries()) {
      if (!same_or_under(e.path, r.lexical)) continue;
      std::vector<std::string> names(std::begin(kInside), std::end(kInside));
      std::istringstream rel(e.path.substr(r.lexical.size()));
      for (std::string comp; std::getline(rel, comp, '/');)
        if (!comp.empty()) names.push_back(comp);
      for (const auto& pat : patterns)
        for (const auto& n : names)
          if (shell::component_match(n, pat, false))
            return merge(best, deny("self-protection.delete",
                                    blocked("`find " + s + " -name " + pat + "` can reach", e.path, e)));
    }
  }
}

bool extracts(const shell::Command& c, std::string* dest) {
  std::string_view n = c.name;  // compared by size first
  auto opt = [&](std::initializer_list<const char*> names) -> std::string {
    for (const char* o : names)
      if (auto it = c.options.find(o); it != c.options.end()) return it->second;
    return "";
  };
  auto flag = [&](const char* f) { return std::find(c.flags.begin(), c.flags.end(), f) != c.flags.end(); };
  if (n == "tar" || n == "bsdtar" || n == "gtar") {
    bool x = flag("-x") || flag("--extract") || flag("--get") ||
             (!c.args.empty() && !c.args[0].empty() && c.args[0][0] != '-' && c.args[0].find('x') != std::string::npos);
    if (!x) return false;
    *dest = opt({"-C", "--directory"});
    for (std::size_t i = 0; dest->empty() && i + 1 < c.args.size(); ++i)
      if (c.args[i] == "-C" || c.args[i] == "--directory") *dest = c.args[i + 1];
    return true;
  }
  if (n == "unzip") {
    if (flag("-l") || flag("-t") || flag("-v") || flag("-p") || flag("-Z")) return false;
    *dest = opt({"-d"});
    for (std::size_t i = 0; dest->empty() && i + 1 < c.args.size(); ++i)
      if (c.args[i] == "-d") *dest = c.args[i + 1];
    return true;
  }
  if (n == "7z" || n == "7za" || n == "7zz" || n == "7zr") {
    if (c.operands.empty() || (c.operands[0] != "x" && c.operands[0] != "e")) return false;
    for (const auto& a : c.args)
      if (a.rfind("-o", 0) == 0) *dest = a.substr(2);
    return true;
  }
  if (n == "cpio") return flag("-i") || flag("--extract");
  if (n == "ar") return !c.args.empty() && c.args[0].find('x') != std::string::npos;
  if (n == "unrar") return !c.operands.empty() && (c.operands[0] == "x" || c.operands[0] == "e");
  return false;
}

// A patch file's text; nullopt when it cannot be read whole (missing, made
// later in the same command line, or larger than the cap).
// The path comes from the command: a FIFO or a device is not waited on or read.
std::optional<std::string> read_patch(const std::string& path) {
  static constexpr FileRule kPatch{"patch files", kMaxPatchBytes, true};
  try {
    return read_file_safely(path, kPatch).text;
  } catch (const FileError&) {
    return std::nullopt;
  }
}

// The text a patch command reads: files, a `<` redirect, or literal stdin;
// nullopt when some of it cannot be known beforehand.
std::optional<std::string> patch_text(Ctx& x, const shell::Command& c, const std::vector<std::string>& files) {
  std::string cwd = cwd_of(x, c.cwd);
  std::string all;
  bool known = false;
  for (const auto& f : files) {
    auto t = read_patch(x.set.resolve(f, cwd, x.in.home).real);
    if (!t) return std::nullopt;
    all += *t + "\n";
    known = true;
  }
  for (const auto& rd : c.redirects)
    if (rd.op == "<" && !rd.path.empty()) {
      auto t = read_patch(x.set.real_path(rd.path));
      if (!t) return std::nullopt;
      all += *t + "\n";
      known = true;
    }
  if (!c.input.empty()) {
    all += c.input;
    known = true;
  }
  if (!known) return std::nullopt;
  return all;
}

void check_archives_and_patches(Ctx& x, const shell::Command& c, Finding& best) {
  std::string dest;
  if (extracts(c, &dest)) {
    std::string cwd = cwd_of(x, c.cwd);
    Resolved d = x.set.resolve(dest.empty() ? cwd : dest, cwd, x.in.home);
    if (d.lexical.empty()) return;
    if (const Protected* e = x.set.containing(d.lexical, d.real))
      return merge(best, deny("self-protection.write", blocked("command extracts an archive into", dest, *e)));
    if (const Protected* e = x.set.below(d.lexical, d.real))
      merge(best, ask("self-protection.extract",
                      "`" + c.name + "` extracts an archive into " + d.lexical + ", and what the archive holds cannot "
                      "be seen beforehand: it could replace " + e->what + " (" + e->path + ")."));
    return;
  }
  if (std::string_view(c.name) != "patch") return;
  std::string cwd = cwd_of(x, c.cwd);
  std::string dir = cwd;
  if (auto it = c.options.find("-d"); it != c.options.end()) dir = x.set.resolve(it->second, cwd, x.in.home).lexical;
  std::vector<std::string> files;
  for (const char* o : {"-i", "--input"})
    if (auto it = c.options.find(o); it != c.options.end()) files.push_back(it->second);
  if (!c.operands.empty()) return;  // patch FILE [PATCHFILE]: a write of FILE, checked as such
  auto text = patch_text(x, c, files);
  if (text) {
    if (const Protected* e = patch_touches(*text, dir, x.set))
      merge(best, deny("self-protection.write", blocked("patch changes", e->path, *e)));
    return;
  }
  Resolved d = x.set.resolve(dir, cwd, x.in.home);
  if (const Protected* e = x.set.below(d.lexical, d.real))
    merge(best, ask("self-protection.extract", "`patch` applies, in " + d.lexical +
                                                   ", a diff that cannot be read beforehand (from another command, or "
                                                   "made in the same command line): it could change " + e->what +
                                                   " (" + e->path + ")."));
}

void check_git(Ctx& x, const shell::Command& c, Finding& best) {
  std::string what = replacing_git_command(c);
  if (what.empty()) return;
  std::string dir = cwd_of(x, c.cwd);
  const std::string& sub = c.operands[0];
  if (sub == "apply" || sub == "am") {
    std::vector<std::string> files(c.operands.begin() + 1, c.operands.end());
    auto text = patch_text(x, c, files);
    if (!text) {
      merge(best, ask("self-protection.git", "`" + what + "` applies patches that cannot be read beforehand (from "
                                             "another command, or made in the same command line): they could change Claude Code's settings or "
                                             "preloop-hook's policy for this project."));
      return;
    }
    if (const Protected* e = patch_touches(*text, dir, x.set))
      merge(best, deny("self-protection.write", blocked("patch changes", e->path, *e)));
    return;
  }
  auto it = x.git_probes.find(dir);
  if (it == x.git_probes.end()) it = x.git_probes.emplace(dir, check_git_replace(c, what, dir)).first;
  merge(best, it->second);
}

// Recursive searches read every file below their directories: grep -r
// (hidden entries included), rg/ag (hidden entries skipped unless asked).
void check_recursive_read(Ctx& x, const shell::Command& c, Finding& best) {
  auto flag = [&](std::initializer_list<const char*> fs) {
    for (const char* f : fs)
      if (std::find(c.flags.begin(), c.flags.end(), f) != c.flags.end()) return true;
    return false;
  };
  bool grep = c.name == "grep" || c.name == "egrep" || c.name == "fgrep";
  bool rg = c.name == "rg" || c.name == "ag" || c.name == "ack";
  if (!(grep && flag({"-r", "-R", "--recursive", "--dereference-recursive"})) && !rg) return;
  bool skips_hidden = rg && !flag({"--hidden", "-.", "-uu", "-uuu", "--no-ignore", "-u"});
  std::vector<std::string> dirs;
  bool pattern_in_option = c.options.count("-e") || c.options.count("-f") || c.options.count("--regexp") ||
                           c.options.count("--file");
  for (std::size_t k = pattern_in_option ? 0 : 1; k < c.operands.size(); ++k) dirs.push_back(c.operands[k]);
  if (dirs.empty()) dirs.push_back(".");
  std::string cwd = cwd_of(x, c.cwd);
  for (const auto& d : dirs) {
    Resolved r = x.set.resolve(d, cwd, x.in.home);
    for (const auto& e : x.set.entries(true))
      if (e.secret && (search_reaches(r.lexical, e.path, skips_hidden) || search_reaches(r.real, e.real, skips_hidden)))
        return merge(best, deny("self-protection.key", "Blocked: `" + c.name + "` searches " + d +
                                                           " and would read the audit store's key (" + e.path +
                                                           "), a credential of the audit trail."));
  }
}

// A command not known to be read-only that names a protected location in
// any word (operands, option values, code strings) is denied: an unknown
// writer must not get through. Naming the audit key is denied to every command.
void check_names(Ctx& x, const shell::Command& c, Finding& best) {
  bool read_only = known_read_only(c) || (runs_preloop_hook(c, x.set) && own_cli_read_only(c));
  PathTokens tokens;
  for (const auto& a : c.args) path_tokens(a, tokens);
  if (!read_only && !c.input.empty() &&
      (!shell::interpreter_family(c.name).empty() || c.name == "sh" || c.name == "bash" || c.name == "zsh"))
    path_tokens(c.input, tokens);
  std::string cwd = cwd_of(x, c.cwd);
  // A plain word (no slash, no leading dot, ~ or $) names an entry of the
  // working directory, normalised once for all of them.
  std::string dir = cwd.empty() || cwd[0] != '/' ? "" : shell::normalize_path(cwd, "");
  if (dir == "/") dir.clear();
  for (std::string_view t : tokens.list) {
    const Protected* p = nullptr;
    if (shell::has_glob(t) && path_like(t)) {
      std::string abs = absolute(t, cwd, x.in.home);
      if (!abs.empty()) p = x.set.matched_by_glob(shell::normalize_path(abs, ""));
    } else if (path_like(t) && x.resolved < kMaxResolved) {
      ++x.resolved;
      Resolved r = x.set.resolve(t, cwd, x.in.home);
      p = x.set.containing(r.lexical, r.real, read_only);  // a reader only matters for the key
    } else if (!path_like(t)) {
      if (!cwd.empty() && cwd[0] == '/') p = x.set.containing(dir + "/" + std::string(t), "");
    } else {
      std::string abs = absolute(t, cwd, x.in.home);
      if (!abs.empty()) p = x.set.containing(shell::is_normal_path(abs) ? abs : shell::normalize_path(abs, ""), "");
    }
    if (!p) continue;
    if (p->secret)
      return merge(best, deny("self-protection.key", "Blocked: this command names " + std::string(t) +
                                                         ", the audit store's key, a credential of the audit trail."));
    if (!read_only)
      return merge(best,
                   deny("self-protection.names",
                        "Blocked: `" + c.name + "` is given " + std::string(t) + ", which is " + p->what + " (" + p->path +
                            "), and it is not a command known only to read. Reading with cat, grep, ls, jq or git "
                            "log/show/diff is fine; changes to it" + kUserOnly));
  }
}

}  // namespace

bool path_like(std::string_view t) {
  return !t.empty() && (t[0] == '/' || t[0] == '~' || t[0] == '.' || t[0] == '$' || t.find('/') != std::string_view::npos);
}

Finding check_bash(const protocol::HookEvent& ev, const shell::Analysis& a, const Inputs& in, const ProtectedSet& set) {
  Ctx x{ev, a, in, set, 0, {}};
  Finding best;
  std::string text;
  if (auto it = ev.tool_input.find("command"); it != ev.tool_input.end() && it->is_string()) text = it->get<std::string>();
  for (const auto& c : a.commands) {
    if (runs_preloop_hook(c, set)) merge(best, check_own_cli(c, text));
    merge(best, check_claude_cli(c));
  }
  if (best.verdict == Verdict::Deny) return best;
  check_effects(x, best);
  if (best.verdict == Verdict::Deny) return best;
  for (const auto& c : a.commands) {
    check_copy_into(x, c, best);
    check_find(x, c, best);
    check_archives_and_patches(x, c, best);
    if (best.verdict == Verdict::Deny) return best;
    check_names(x, c, best);
    check_recursive_read(x, c, best);
    if (best.verdict == Verdict::Deny) return best;
  }
  if (a.unparseable) {
    // The facts are incomplete: every word of the text counts, as for an unknown command.
    shell::Command whole;
    whole.name = "(unparseable)";
    whole.args = {text};
    check_names(x, whole, best);
    if (best.verdict == Verdict::Deny) return best;
  }
  for (const auto& c : a.commands) check_git(x, c, best);
  return best;
}

}  // namespace preloop::selfguard
