#include "selfguard/git_check.h"

#include <algorithm>
#include <cstdlib>
#include <optional>
#include <sstream>
#include <sys/stat.h>

#include "selfguard/finding.h"
#include "selfguard/resolve.h"
#include "selfguard/run.h"

namespace preloop::selfguard {
namespace {

bool has(const std::vector<std::string>& v, std::initializer_list<const char*> any) {
  for (const char* a : any)
    if (std::find(v.begin(), v.end(), a) != v.end()) return true;
  return false;
}

bool has_prefix(const std::vector<std::string>& v, const char* prefix) {
  return std::any_of(v.begin(), v.end(), [&](const std::string& s) { return s.rfind(prefix, 0) == 0; });
}

// The path of a diff header line ("+++ b/x\tdate" → "b/x").
std::string header_path(std::string_view line, std::size_t skip) {
  std::string p(line.substr(skip));
  if (std::size_t tab = p.find('\t'); tab != std::string::npos) p.resize(tab);
  while (!p.empty() && (p.back() == '\r' || p.back() == ' ')) p.pop_back();
  if (p.size() >= 2 && p.front() == '"' && p.back() == '"') p = p.substr(1, p.size() - 2);
  return p;
}

std::vector<std::string> lines_of(const std::string& out) {
  std::vector<std::string> files;
  std::istringstream in(out);
  for (std::string l; std::getline(in, l);)
    if (!l.empty() && std::find(files.begin(), files.end(), l) == files.end() && files.size() < 5) files.push_back(l);
  return files;
}

std::vector<std::string> with_paths(std::vector<std::string> args, const std::vector<std::string>& revs) {
  args.insert(args.end(), revs.begin(), revs.end());
  for (const char* p : {"--", ":(top,glob)**/.claude/settings*.json", ":(top,glob)**/.preloop/**"}) args.push_back(p);
  return args;
}

// git with the repository's own configuration kept from running anything.
RunResult git_in(const std::string& dir, const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"git",  "--no-pager", "--no-optional-locks", "-c", "core.fsmonitor=false",
                                   "-c",   "log.showSignature=false", "-c", "core.quotePath=false", "-c",
                                   "diff.external="};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_with_deadline(argv, dir, std::chrono::milliseconds(2000));
}

// The revisions whose difference is what the command writes into the work
// tree, for `git diff` (one revision: against the work tree); nullopt when
// that is not plain (no target, several, options, a remote).
std::optional<std::vector<std::string>> compared_revisions(const shell::Command& c) {
  const auto& ops = c.operands;
  const std::string& sub = ops[0];
  std::string target = ops.size() == 2 ? ops[1] : "";
  if (target.empty() || target[0] == '-' || target.find("..") != std::string::npos) return std::nullopt;
  if (sub == "checkout" || sub == "switch") return std::vector<std::string>{"HEAD", target};
  if (sub == "reset") return std::vector<std::string>{target};  // the work tree, local changes included
  if (sub == "merge" || sub == "rebase") return std::vector<std::string>{"HEAD..." + target};
  if (sub == "cherry-pick" || sub == "revert") return std::vector<std::string>{target + "^", target};
  return std::nullopt;  // stashes (untracked files live in a third parent), pull, am, …: the whole history
}

}  // namespace

std::string replacing_git_command(const shell::Command& c) {
  if (c.name != "git" || c.operands.empty()) return "";
  const auto& ops = c.operands;
  const std::string& sub = ops[0];
  const auto& args = c.args;
  std::string target = ops.size() > 1 ? " " + ops[1] : "";
  if (has(c.flags, {"--abort", "--quit", "-h", "--help"})) return "";
  if (sub == "checkout") {
    if (has(args, {"--"}) || ops.size() < 2) return "";  // restoring named files: their names are checked
    return "git checkout" + target;
  }
  if (sub == "switch") return ops.size() < 2 ? "" : "git switch" + target;
  if (sub == "merge" || sub == "pull" || sub == "rebase" || sub == "cherry-pick" || sub == "revert")
    return "git " + sub + target;
  if (sub == "stash") return ops.size() > 1 && (ops[1] == "pop" || ops[1] == "apply" || ops[1] == "branch")
                                 ? "git stash " + ops[1]
                                 : "";
  if (sub == "checkout-index") return "git checkout-index";
  if (sub == "read-tree") return has(c.flags, {"-u"}) || has_prefix(args, "--reset") ? "git read-tree -u" : "";
  if (sub == "reset")
    return has(c.flags, {"--hard", "--merge", "--keep"}) && ops.size() > 1 ? "git reset --hard" + target : "";
  if (sub == "restore")
    return has(args, {"-s", "--source"}) || has_prefix(args, "--source=") || has_prefix(args, "-s")
               ? "git restore --source"
               : "";
  if (sub == "apply" || sub == "am") {
    if (has(c.flags, {"--check", "--stat", "--numstat", "--summary", "--cached"})) return "";
    return "git " + sub;
  }
  return "";
}

const Protected* patch_touches(const std::string& text, const std::string& dir, const ProtectedSet& set) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> names;
    if (line.rfind("--- ", 0) == 0 || line.rfind("+++ ", 0) == 0) names.push_back(header_path(line, 4));
    else if (line.rfind("rename to ", 0) == 0 || line.rfind("copy to ", 0) == 0 || line.rfind("rename from ", 0) == 0)
      names.push_back(header_path(line, line.find(' ', 7) + 1));
    else if (line.rfind("diff --git ", 0) == 0) {
      std::istringstream w(line.substr(11));
      for (std::string s; w >> s;) names.push_back(s);
    } else if (line.rfind("Index: ", 0) == 0) {
      names.push_back(header_path(line, 7));
    }
    for (std::string name : names) {
      if (name.empty() || name == "/dev/null") continue;
      // Every -pN a patch could be applied with.
      for (int strip = 0; strip < 4 && !name.empty(); ++strip) {
        Resolved r = set.resolve(name, dir, "");
        if (!r.lexical.empty())
          if (const Protected* e = set.containing(r.lexical, r.real)) return e;
        std::size_t slash = name.find('/');
        if (slash == std::string::npos) break;
        name = name.substr(slash + 1);
      }
    }
  }
  return nullptr;
}

Finding check_git_replace(const shell::Command& c, const std::string& what, const std::string& dir) {
  auto cannot_tell = [&](const std::string& why) {
    return ask("self-protection.git",
               "`" + what + "` can replace tracked files, and whether the repository tracks Claude Code settings "
               "(.claude/settings*.json) or preloop-hook policies (.preloop/) could not be told (" + why +
               "); it could replace them with other versions. Check before allowing.");
  };
  for (const auto& a : c.args)
    if (a.rfind("--git-dir", 0) == 0 || a.rfind("--work-tree", 0) == 0) return cannot_tell("another repository");
  for (const auto& a : c.assignments)
    if (a.rfind("GIT_DIR=", 0) == 0 || a.rfind("GIT_WORK_TREE=", 0) == 0) return cannot_tell("another repository");
  // Outside a repository the command fails by itself.
  struct stat st;
  if (dir.empty() || ::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return {};
  bool in_repo = false;
  for (std::string d = dir; !in_repo; d = d.substr(0, d.rfind('/'))) {
    in_repo = ::stat((d.empty() ? std::string("/.git") : d + "/.git").c_str(), &st) == 0;
    if (d.empty() || d.find('/') == std::string::npos) break;
  }
  if (!in_repo && !std::getenv("GIT_DIR")) return {};
  // First what this command would bring in (a tree comparison); when that
  // cannot be said (several or unusual revisions, a remote), the whole history.
  std::vector<std::string> files;
  bool known = false;
  if (auto revs = compared_revisions(c)) {
    RunResult r = git_in(dir, with_paths({"diff", "--name-only", "--no-renames", "--no-ext-diff", "--no-textconv",
                                          "--end-of-options"},
                                         *revs));
    if (r.exit_code == 0) {
      known = true;
      files = lines_of(r.out);
    } else if (c.operands[0] == "checkout" && ::stat((dir + "/" + c.operands[1]).c_str(), &st) == 0) {
      return {};  // not a revision but a path: files restored from the index, their names checked as such
    }
  }
  std::string where = "the files it brings in include ";
  if (!known) {
    RunResult r = git_in(dir, with_paths({"log", "--all", "--reflog", "--format=", "--name-only", "--no-renames", "-n",
                                          "200", "--end-of-options"},
                                         {}));
    if (r.exit_code != 0) return cannot_tell(r.exit_code < 0 ? "git did not answer in time" : "git failed");
    files = lines_of(r.out);
    where = "this repository's history holds ";
  }
  if (files.empty()) return {};
  std::string list;
  for (const auto& f : files) list += (list.empty() ? "" : ", ") + f;
  return ask("self-protection.git", "`" + what + "` can replace tracked files, and " + where + list +
                                        ": the command could change Claude Code's settings or preloop-hook's policy "
                                        "for this project. Check what it brings in before allowing.");
}

}  // namespace preloop::selfguard
