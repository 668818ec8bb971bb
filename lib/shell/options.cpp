#include "shell/options.h"

#include <algorithm>
#include <array>

namespace preloop::shell {

namespace {

struct Spec {
  std::string_view name;
  std::string_view short_value;             // short options taking a value
  std::string_view short_optional;          // short options with an optional attached value
  std::vector<std::string_view> long_value; // long options taking a value (also --opt=value)
  std::vector<std::pair<std::string_view, std::string_view>> aliases;  // long -> short
  bool single_dash_long = false;            // -name style options: no bundling
};

const std::vector<Spec>& specs() {
  static const std::vector<Spec> s = {
      {"rm", "", "", {}, {{"--recursive", "-r"}, {"-R", "-r"}, {"--force", "-f"}, {"--dir", "-d"},
                          {"--interactive", "-i"}, {"--verbose", "-v"}}},
      {"cp", "tS", "", {"--target-directory", "--suffix", "--backup", "--reflink", "--sparse", "--preserve",
                         "--no-preserve"},
       {{"--recursive", "-r"}, {"-R", "-r"}, {"--force", "-f"}, {"--target-directory", "-t"}}},
      {"mv", "tS", "", {"--target-directory", "--suffix", "--backup"},
       {{"--force", "-f"}, {"--target-directory", "-t"}}},
      {"install", "tSmog", "", {"--target-directory", "--suffix", "--mode", "--owner", "--group"},
       {{"--target-directory", "-t"}}},
      {"ln", "tS", "", {"--target-directory", "--suffix"}, {{"--target-directory", "-t"}, {"--force", "-f"}}},
      {"chmod", "", "", {"--reference"}, {{"--recursive", "-R"}}},
      {"chown", "", "", {"--reference", "--from"}, {{"--recursive", "-R"}}},
      {"chgrp", "", "", {"--reference"}, {{"--recursive", "-R"}}},
      {"tee", "", "", {"--output-error"}, {{"--append", "-a"}}},
      {"truncate", "sr", "", {"--size", "--reference"}, {{"--size", "-s"}}},
      {"touch", "dtr", "", {"--date", "--reference", "--time"}, {}},
      {"mkdir", "m", "", {"--mode", "--context"}, {{"--parents", "-p"}}},
      {"sed", "ef", "i", {"--expression", "--file", "--line-length", "--in-place"},
       {{"--in-place", "-i"}, {"--expression", "-e"}, {"--file", "-f"}}},
      {"shred", "ns", "", {"--iterations", "--size", "--random-source", "--remove"},
       {{"--remove", "-u"}, {"--force", "-f"}, {"--zero", "-z"}}},
      {"curl", "dFHXoTuAeEbcKrmwxyYzCPQ",
       "",
       {"--data", "--data-binary", "--data-raw", "--data-ascii", "--data-urlencode", "--json", "--form",
        "--form-string", "--header", "--request", "--output", "--upload-file", "--user", "--user-agent",
        "--referer", "--cert", "--key", "--cacert", "--cookie", "--cookie-jar", "--config", "--range",
        "--max-time", "--write-out", "--proxy", "--connect-timeout", "--retry", "--url", "--resolve",
        "--output-dir", "--netrc-file", "--oauth2-bearer", "--data-binary"},
       {{"--data", "-d"}, {"--form", "-F"}, {"--output", "-o"}, {"--upload-file", "-T"}, {"--request", "-X"},
        {"--header", "-H"}}},
      {"wget", "OoPUeiaTtwQ", "",
       {"--output-document", "--output-file", "--post-file", "--post-data", "--body-file", "--body-data",
        "--header", "--user-agent", "--directory-prefix", "--method", "--user", "--password", "--input-file"},
       {{"--output-document", "-O"}}},
      {"scp", "PioFclSJD", "", {}, {}},
      {"sftp", "PioFclSJDBbRs", "", {}, {}},
      {"rsync", "eTfM", "",
       {"--rsh", "--exclude", "--include", "--filter", "--port", "--password-file", "--temp-dir",
        "--backup-dir", "--suffix", "--log-file", "--files-from", "--include-from", "--exclude-from",
        "--chmod", "--chown", "--rsync-path", "--compare-dest", "--link-dest", "--copy-dest", "--out-format",
        "--bwlimit", "--timeout", "--max-size", "--min-size", "--partial-dir"},
       {{"--recursive", "-r"}, {"--delete", "--delete"}}},
      {"ssh", "pioFlLRDJWbcEemOQSwB", "", {}, {}},
      {"nc", "psqwiIxXOTVe", "", {}, {}},
      {"ncat", "psqwiIxXde", "", {"--exec", "--sh-exec", "--lua-exec", "--proxy", "--source-port"}, {}},
      {"netcat", "psqwiIxXe", "", {}, {}},
      {"kubectl", "nflcoLs",
       "",
       {"--namespace", "--filename", "--selector", "--context", "--kubeconfig", "--output", "--cluster",
        "--user", "--field-selector", "--container", "--server", "--token", "--grace-period", "--timeout",
        "--cascade", "--kustomize", "--type", "--patch", "--image", "--replicas", "--from-literal",
        "--from-file", "--as", "--request-timeout", "--template"},
       {{"--all-namespaces", "-A"}, {"--filename", "-f"}, {"--namespace", "-n"}, {"--kustomize", "-k"}}},
      {"helm", "nfo", "",
       {"--namespace", "--values", "--set", "--set-string", "--set-file", "--set-json", "--version", "--repo",
        "--kube-context", "--kubeconfig", "--output", "--timeout", "--post-renderer", "--description"},
       {{"--namespace", "-n"}}},
      {"docker", "Hlcfteuwvp", "",
       {"--host", "--context", "--config", "--log-level", "--file", "--tag", "--env", "--user", "--workdir",
        "--volume", "--publish", "--name", "--network", "--platform", "--entrypoint", "--mount", "--label",
        "--filter", "--format", "--build-arg", "--target"},
       {}},
      {"terraform", "", "", {"-var", "-var-file", "-target", "-chdir", "-state", "-out", "-replace"}, {},
       true},
      {"psql", "cfdhUpvPoLT", "",
       {"--command", "--file", "--dbname", "--host", "--username", "--port", "--set", "--variable", "--output",
        "--log-file", "--pset"},
       {{"--command", "-c"}, {"--file", "-f"}}},
      {"mysql", "euhDPSO", "p",
       {"--execute", "--user", "--host", "--database", "--port", "--socket", "--password"},
       {{"--execute", "-e"}}},
      {"mariadb", "euhDPSO", "p", {"--execute", "--user", "--host", "--database", "--port", "--socket"},
       {{"--execute", "-e"}}},
      {"sqlite3", "", "", {"-cmd", "-separator", "-init", "-newline", "-nullvalue"}, {}, true},
      {"redis-cli", "hpanuisrdD", "", {"--user", "--pass", "--tls", "--cacert", "--cert", "--key"}, {}},
      {"mongo", "uph", "", {"--eval", "--host", "--port", "--username", "--password", "--file",
                            "--authenticationDatabase"}, {}},
      {"mongosh", "uphf", "", {"--eval", "--host", "--port", "--username", "--password", "--file",
                               "--authenticationDatabase"}, {}},
      {"xargs", "dnLPsEa", "iIle",
       {"--delimiter", "--max-args", "--max-lines", "--max-procs", "--max-chars", "--eof", "--arg-file",
        "--process-slot-var", "--replace"},
       {}},
      {"npm", "wC", "", {"--prefix", "--workspace", "--registry", "--tag", "--cache", "--userconfig"}, {}},
      {"pnpm", "FC", "", {"--filter", "--dir", "--registry", "--store-dir"}, {}},  // -w: --workspace-root
      {"yarn", "", "", {"--cwd", "--registry", "--cache-folder", "--modules-folder"}, {}},
      {"pip", "rceitf", "",
       {"--requirement", "--constraint", "--editable", "--index-url", "--extra-index-url", "--target",
        "--prefix", "--root", "--python-version", "--platform", "--find-links", "--log", "--cache-dir", "--src",
        "--upgrade-strategy", "--trusted-host", "--proxy", "--timeout", "--retries", "--python"},
       {}},
      {"apt", "otc", "", {"--option", "--target-release", "--config-file"}, {}},
      {"apt-get", "otc", "", {"--option", "--target-release", "--config-file"}, {}},
      {"cargo", "jFpZ", "",
       {"--version", "--git", "--branch", "--tag", "--rev", "--path", "--root", "--index", "--registry",
        "--bin", "--example", "--features", "--jobs", "--target", "--profile", "--package", "--manifest-path",
        "--config", "--target-dir", "--color"},
       {}},
      {"gem", "vinsp", "", {"--version", "--install-dir", "--bindir", "--source", "--platform"}, {}},
      {"go", "oC", "", {}, {}},
      {"aws", "", "",
       {"--profile", "--region", "--output", "--endpoint-url", "--query", "--cli-input-json", "--exclude",
        "--include", "--bucket", "--key", "--acl", "--storage-class", "--sse", "--color", "--ca-bundle"},
       {}},
      {"gcloud", "", "", {"--project", "--format", "--account", "--configuration", "--zone", "--region",
                          "--filter", "--impersonate-service-account"}, {{"--quiet", "-q"}}},
      {"az", "ngo", "", {"--name", "--resource-group", "--subscription", "--output", "--query"},
       {{"--yes", "-y"}, {"--name", "-n"}, {"--resource-group", "-g"}}},
      {"helmfile", "fenl", "", {"--file", "--environment", "--namespace", "--selector"}, {}},
      {"find", "", "", {}, {}, true},
      {"dd", "", "", {}, {}},
      {"patch", "iodpDFrBYzVg", "",
       {"--input", "--output", "--directory", "--strip", "--ifdef", "--fuzz", "--reject-file", "--prefix",
        "--basename-prefix", "--suffix", "--version-control", "--get", "--quoting-style", "--reject-format"},
       {{"--input", "-i"}, {"--output", "-o"}, {"--directory", "-d"}, {"--strip", "-p"}}},
      {"sort", "otkST", "", {"--output", "--field-separator", "--key", "--buffer-size", "--temporary-directory"},
       {{"--output", "-o"}}},
      {"unzip", "dP", "", {}, {}},
      {"tar", "fCTXbLNg", "", {"--file", "--directory", "--files-from", "--exclude", "--exclude-from"},
       {{"--file", "-f"}, {"--directory", "-C"}}},
      {"grep", "efABCmd", "", {"--regexp", "--file", "--include", "--exclude", "--exclude-dir", "--context",
                              "--after-context", "--before-context", "--max-count", "--label", "--color"},
       {{"--regexp", "-e"}, {"--file", "-f"}}},
      {"egrep", "efABCm", "", {"--regexp", "--file", "--include", "--exclude"}, {{"--regexp", "-e"}}},
      {"fgrep", "efABCm", "", {"--regexp", "--file", "--include", "--exclude"}, {{"--regexp", "-e"}}},
      {"rg", "eftgTABCjmMr", "",
       {"--regexp", "--file", "--type", "--glob", "--type-not", "--context", "--after-context",
        "--before-context", "--threads", "--max-count", "--replace", "--max-columns", "--sort", "--pre"},
       {{"--regexp", "-e"}}},
      {"head", "nc", "", {"--lines", "--bytes"}, {}},
      {"tail", "ncs", "", {"--lines", "--bytes", "--sleep-interval", "--pid"}, {}},
      {"awk", "fvF", "", {"--file", "--assign", "--field-separator"}, {}},
      {"jq", "", "", {"--arg", "--argjson", "--slurpfile", "--rawfile", "--indent", "--args", "--jsonargs"},
       {}},
      {"python", "cmWXQ", "", {}, {}},
      {"node", "erpC", "", {"--eval", "--print", "--require", "--import", "--loader", "--conditions",
                           "--input-type", "--env-file"},
       {{"--eval", "-e"}, {"--print", "-p"}}},
      {"perl", "eEIMm", "i", {}, {}},
      {"ruby", "eIrCEFi", "", {}, {}},
      {"php", "rdcfBRE", "", {}, {}},
      {"git", "", "", {}, {}},
  };
  return s;
}

const Spec* find_spec(std::string_view name) {
  static const std::vector<Spec>& s = specs();
  std::string_view key = name;
  if (key.substr(0, 6) == "python") key = "python";
  else if (key == "nodejs" || key == "bun" || key == "deno") key = "node";
  else if (key == "pip3" || key.substr(0, 4) == "pip3") key = "pip";
  for (const auto& sp : s)
    if (sp.name == key) return &sp;
  return nullptr;
}

// Per git subcommand: options taking a value, and aliases.
struct GitSub {
  std::string_view sub;
  std::string_view short_value;
  std::vector<std::string_view> long_value;
  std::vector<std::pair<std::string_view, std::string_view>> aliases;
};

const GitSub* git_sub(std::string_view sub) {
  static const std::vector<GitSub> subs = {
      {"push", "o", {"--push-option", "--repo", "--receive-pack", "--exec", "--signed"},
       {{"--force", "-f"}, {"--delete", "-d"}, {"--set-upstream", "-u"}, {"--dry-run", "-n"}, {"--mirror", "--mirror"}}},
      {"commit", "mFCcut", {"--message", "--file", "--reuse-message", "--reedit-message", "--author", "--date",
                           "--template", "--fixup", "--squash", "--cleanup", "--trailer", "--gpg-sign"},
       {{"--message", "-m"}, {"--all", "-a"}}},
      {"clean", "e", {"--exclude"}, {{"--force", "-f"}, {"--dry-run", "-n"}, {"--interactive", "-i"}}},
      {"branch", "tu", {"--set-upstream-to", "--track", "--contains", "--merged", "--no-merged", "--points-at",
                        "--format", "--sort"},
       {{"--delete", "-d"}, {"--force", "-f"}, {"--move", "-m"}, {"--copy", "-c"}}},
      {"checkout", "bB", {"--orphan", "--conflict", "--pathspec-from-file"}, {{"--force", "-f"}}},
      {"switch", "cC", {"--create", "--force-create", "--orphan"},
       {{"--force", "-f"}, {"--discard-changes", "--discard-changes"}}},
      {"restore", "s", {"--source", "--pathspec-from-file"}, {{"--staged", "-S"}, {"--worktree", "-W"}}},
      {"reset", "", {"--pathspec-from-file"}, {{"--hard", "--hard"}, {"--merge", "--merge"}, {"--keep", "--keep"}}},
      {"stash", "m", {"--message"}, {}},
      {"tag", "mFu", {"--message", "--file", "--local-user"}, {{"--delete", "-d"}, {"--force", "-f"}}},
      {"log", "n", {"--max-count", "--format", "--pretty", "--author", "--since", "--until", "--grep"}, {}},
      {"rebase", "sXx", {"--onto", "--strategy", "--strategy-option", "--exec"}, {}},
      {"merge", "msX", {"--message", "--strategy", "--strategy-option"}, {}},
      {"worktree", "b", {"--reason"}, {{"--force", "-f"}}},
      {"config", "f", {"--file", "--blob", "--type"}, {}},
      {"remote", "t", {}, {}},
      {"fetch", "", {"--depth", "--deepen", "--shallow-since", "--upload-pack", "--jobs"}, {}},
      {"pull", "sX", {"--depth", "--strategy", "--strategy-option", "--upload-pack"}, {{"--force", "-f"}}},
      {"submodule", "", {}, {}},
      {"filter-branch", "", {"--env-filter", "--tree-filter", "--index-filter", "--msg-filter", "--subdirectory-filter"}, {}},
  };
  for (const auto& g : subs)
    if (g.sub == sub) return &g;
  return nullptr;
}

bool contains(const std::vector<std::string_view>& v, std::string_view x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

bool numeric_flag(std::string_view a) {
  if (a.size() < 2) return false;
  for (std::size_t i = 1; i < a.size(); ++i)
    if (a[i] < '0' || a[i] > '9') return false;
  return true;
}

void add_flag(ParsedArgs& out, const std::string& f,
              const std::vector<std::pair<std::string_view, std::string_view>>& aliases) {
  out.flags.push_back(f);
  for (auto& [from, to] : aliases)
    if (from == f && std::find(out.flags.begin(), out.flags.end(), std::string(to)) == out.flags.end())
      out.flags.push_back(std::string(to));
}

void set_value(ParsedArgs& out, const std::string& opt, const std::string& v) {
  out.values.emplace_back(opt, v);
  out.options[opt] = v;
}

void parse_generic(ParsedArgs& out, const std::vector<std::string>& args, std::size_t from,
                   std::string_view short_value, std::string_view short_optional,
                   const std::vector<std::string_view>& long_value,
                   const std::vector<std::pair<std::string_view, std::string_view>>& aliases,
                   bool single_dash_long) {
  bool end = false;
  for (std::size_t i = from; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (end || a.size() < 2 || a[0] != '-') {
      out.operands.push_back(a);
      out.operand_index.push_back(i);
      continue;
    }
    if (a == "--") {
      end = true;
      continue;
    }
    if (a[1] == '-' || single_dash_long) {
      std::size_t eq = a.find('=');
      std::string name = a.substr(0, eq);
      add_flag(out, name, aliases);
      // getopt_long and git accept unambiguous abbreviations (--forc, --recur):
      // an abbreviation of a known option counts as that option
      if (name.size() >= 4 && a[1] == '-')
        for (auto& [from, to] : aliases)
          if (from.size() > name.size() && from.substr(0, name.size()) == name) add_flag(out, std::string(from), aliases);
      if (eq != std::string::npos) {
        set_value(out, name, a.substr(eq + 1));
      } else if (contains(long_value, name) && i + 1 < args.size()) {
        set_value(out, name, args[++i]);
      } else if (single_dash_long && name.size() == 2 && short_value.find(name[1]) != std::string_view::npos &&
                 i + 1 < args.size()) {
        set_value(out, name, args[++i]);
      }
      continue;
    }
    if (numeric_flag(a)) {
      out.flags.push_back(a);
      continue;
    }
    for (std::size_t j = 1; j < a.size(); ++j) {
      char c = a[j];
      std::string f = std::string("-") + c;
      add_flag(out, f, aliases);
      if (short_value.find(c) != std::string_view::npos) {
        if (j + 1 < a.size()) set_value(out, f, a.substr(j + 1));
        else if (i + 1 < args.size()) set_value(out, f, args[++i]);
        break;
      }
      if (short_optional.find(c) != std::string_view::npos) {
        if (j + 1 < a.size()) set_value(out, f, a.substr(j + 1));
        break;
      }
    }
  }
}

}  // namespace

std::size_t git_subcommand_index(const std::vector<std::string>& args, std::vector<std::string>* dirs) {
  static constexpr std::array<std::string_view, 6> with_value = {"-C", "-c", "--git-dir", "--work-tree",
                                                                  "--namespace", "--config-env"};
  std::size_t i = 0;
  while (i < args.size()) {
    const std::string& a = args[i];
    if (a.empty() || a[0] != '-') break;
    if (a == "--") return i + 1;
    std::string name = a.substr(0, a.find('='));
    bool takes = std::find(with_value.begin(), with_value.end(), name) != with_value.end();
    if (takes && a.find('=') == std::string::npos && i + 1 < args.size()) {
      if (name == "-C" && dirs) dirs->push_back(args[i + 1]);
      i += 2;
      continue;
    }
    ++i;
  }
  return i;
}

ParsedArgs parse_args(std::string_view name, const std::vector<std::string>& args) {
  ParsedArgs out;
  if (name == "git") {
    std::size_t sub = git_subcommand_index(args, nullptr);
    // global options count as flags
    for (std::size_t i = 0; i < sub && i < args.size(); ++i) {
      const std::string& a = args[i];
      if (a.size() > 1 && a[0] == '-') {
        std::string n = a.substr(0, a.find('='));
        out.flags.push_back(n);
        if ((n == "-C" || n == "-c") && a.find('=') == std::string::npos && i + 1 < sub) set_value(out, n, args[++i]);
        else if (a.find('=') != std::string::npos) set_value(out, n, a.substr(a.find('=') + 1));
      }
    }
    if (sub >= args.size()) return out;
    out.operands.push_back(args[sub]);
    out.operand_index.push_back(sub);
    const GitSub* g = git_sub(args[sub]);
    static const std::vector<std::string_view> none;
    static const std::vector<std::pair<std::string_view, std::string_view>> no_alias;
    parse_generic(out, args, sub + 1, g ? g->short_value : "", "", g ? g->long_value : none,
                  g ? g->aliases : no_alias, false);
    return out;
  }
  if (const Spec* sp = find_spec(name)) {
    parse_generic(out, args, 0, sp->short_value, sp->short_optional, sp->long_value, sp->aliases,
                  sp->single_dash_long);
    return out;
  }
  static const std::vector<std::string_view> none;
  static const std::vector<std::pair<std::string_view, std::string_view>> no_alias;
  parse_generic(out, args, 0, "", "", none, no_alias, false);
  return out;
}

}  // namespace preloop::shell
