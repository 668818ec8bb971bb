#include "shell/named_reads.h"

#include <unistd.h>

#include <algorithm>
#include <string_view>

#include "shell/paths.h"
#include "shell/scripts.h"

namespace preloop::shell {

namespace {

bool one_of(std::string_view x, std::initializer_list<std::string_view> set) {
  return std::find(set.begin(), set.end(), x) != set.end();
}

bool has_flag(const Command& c, std::string_view f) {
  return std::find(c.flags.begin(), c.flags.end(), f) != c.flags.end();
}

// Commands whose effects apply_effects models (their reads are recorded
// there), and commands that never show or send a file's contents: they may
// name a credential freely (`chmod 600 ~/.ssh/id_rsa`, `ls ~/.aws`, `ssh -i key`).
bool reads_modelled_or_none(std::string_view n) {
  return one_of(n, {// modelled
                    "sh", "bash", "zsh", "dash", "ksh", "mksh", "ash", "yash", "posh", "fish", "csh", "tcsh", "rbash",
                    "eval", "source", ".", "find", "xargs", "parallel", "watch", "rm", "unlink", "srm", "rmdir",
                    "trash", "trash-put", "shred", "wipefs", "truncate", "touch", "mkdir", "tee", "sudoedit", "vi",
                    "vim", "nvim", "nano", "emacs", "ed", "pico", "mcedit", "chmod", "chown", "chgrp", "cp", "mv",
                    "install", "ln", "patch", "dd", "curl", "wget", "scp", "rsync", "nc", "ncat", "netcat", "socat",
                    "telnet", "cat", "tac", "less", "more", "head", "tail", "bat", "batcat", "nl", "xxd", "od",
                    "hexdump", "strings", "base64", "view", "diff", "cmp", "gpg", "base32", "openssl", "ssh-keygen",
                    "zcat", "grep", "egrep", "fgrep", "rg", "ag", "jq", "ack",
                    // no contents shown or sent
                    "echo", "printf", "cd", "pushd", "popd", "pwd", "ls", "ll", "dir", "tree", "stat", "file", "wc",
                    "du", "df", "test", "[", "[[", "true", "false", "which", "type", "command", "hash", "export",
                    "unset", "set", "declare", "typeset", "local", "readonly", "alias", "unalias", "basename",
                    "dirname", "realpath", "readlink", "namei", "lsattr", "chattr", "getfacl", "setfacl", "md5sum",
                    "sha1sum", "sha224sum", "sha256sum", "sha384sum", "sha512sum", "b2sum", "cksum", "kill", "sleep",
                    "exit", "return", "ssh-add", "ssh", "sftp", "mosh", "code", "open", "xdg-open", "mkfifo", "sync",
                    // load an environment file, as `source` does
                    "dotenv", "dotenvx", "env-cmd"});
}

// git subcommands that print or package file contents.
bool git_shows_contents(std::string_view sub) {
  return one_of(sub, {"show", "diff", "log", "blame", "annotate", "grep", "cat-file", "archive", "format-patch",
                      "whatchanged", "difftool", "stash", "bundle", "fast-export"});
}

// Options whose file is used to authenticate or load an environment, not
// shown: `--kubeconfig ~/.kube/config`, `--cert-key client.key`, `--env-file .env`.
bool used_not_shown(std::string_view opt) {
  while (!opt.empty() && opt[0] == '-') opt.remove_prefix(1);
  return one_of(opt, {"identity", "identity-file", "key", "key-file", "cert", "cert-key", "cacert", "ca-cert",
                      "client-cert", "client-key", "tls-cert", "tls-key", "tlscert", "tlskey", "tlscacert",
                      "ssl-cert", "ssl-key", "private-key", "kubeconfig", "env-file", "secret"});
}

// A word that may name a file: a path, a dotted or globbed name, or the bare
// name of an SSH key or a credentials file (`cd ~/.ssh && awk 1 id_rsa`).
bool path_like(std::string_view t) {
  if (t.empty() || t == "." || t == ".." || t == "-") return false;
  return t[0] == '~' || t.find_first_of("/.*?[") != std::string_view::npos || t.rfind("id_", 0) == 0 ||
         t == "credentials";
}

struct Collector {
  Walker& w;
  const std::string& cwd;
  const std::string& command;
  std::vector<std::string> seen;

  void add(std::string_view t, const Field& from) {
    if (t.rfind("file://", 0) == 0) t.remove_prefix(7);
    while (!t.empty() && t[0] == '@') t.remove_prefix(1);
    if (!path_like(t) || seen.size() >= 32) return;
    if (std::find(seen.begin(), seen.end(), t) != seen.end()) return;
    seen.emplace_back(t);
    Field f{std::string(t), from.dynamic};
    f.glob = from.glob && has_glob(t);
    w.out().reads.push_back(w.path_effect(f, cwd, command));
  }

  // The word, and its pieces around quotes, spaces, `@`, `=`, `:` and code
  // punctuation (`field=@file`, `HEAD:.env`, `open('.env')`).
  void word(const Field& f) {
    add(f.text, f);
    static constexpr std::string_view kDelims = " \t\r\n'\"`(),;<>{}[]|&=:!@+";
    std::string_view s = f.text;
    if (s.find_first_of(kDelims) == std::string_view::npos) return;
    std::size_t i = 0;
    while (i < s.size()) {
      std::size_t start = s.find_first_not_of(kDelims, i);
      if (start == std::string_view::npos) break;
      std::size_t end = s.find_first_of(kDelims, start);
      if (end == std::string_view::npos) end = s.size();
      add(s.substr(start, end - start), f);
      i = end;
    }
  }
};

// grep -r, and rg/ag told to search hidden files: every file below the
// directories searched is read. The directories are recorded as recursive
// reads; an environment file directly inside one is a read of its own.
void recursive_search(Walker& w, const Exec& e, const Command& c, std::size_t first_read) {
  std::string_view n = c.name;
  bool recursive = false;
  if (n == "grep" || n == "egrep" || n == "fgrep")
    recursive = has_flag(c, "-r") || has_flag(c, "-R") || has_flag(c, "--recursive") ||
                has_flag(c, "--dereference-recursive");
  else if (n == "rg" || n == "ag")
    recursive = has_flag(c, "--hidden") || has_flag(c, "-.") || has_flag(c, "--unrestricted") ||
                std::count(c.args.begin(), c.args.end(), "-u") >= (n == "rg" ? 2 : 1) ||
                std::any_of(c.args.begin(), c.args.end(), [](const std::string& a) { return a.rfind("-uu", 0) == 0; });
  if (!recursive) return;
  Analysis& out = w.out();
  std::size_t end = out.reads.size();
  if (end == first_read) {  // no path operand: the working directory
    PathEffect pe = w.path_effect(Field{"."}, e.cwd, c.name);
    out.reads.push_back(std::move(pe));
    end = out.reads.size();
  }
  for (std::size_t k = first_read; k < end; ++k) {
    out.reads[k].recursive = true;
    const PathEffect dir = out.reads[k];
    if (dir.dynamic || dir.glob || dir.path.empty() || dir.path[0] != '/') continue;
    for (const char* env : {"/.env", "/.env.local"}) {
      std::string p = dir.path + env;
      if (::access(p.c_str(), F_OK) != 0) continue;
      PathEffect f = dir;
      f.path = std::move(p);
      f.recursive = false;
      out.reads.push_back(std::move(f));
    }
  }
}

}  // namespace

void add_named_reads(Walker& w, const Exec& e, const Command& c, const std::vector<Field>& args,
                     std::size_t first_read) {
  if (c.dynamic_name) return;
  std::string_view n = c.name;
  recursive_search(w, e, c, first_read);
  if (n == "git") {
    if (c.operands.empty() || !git_shows_contents(c.operands[0])) return;
  } else if (reads_modelled_or_none(n)) {
    return;
  }
  Collector col{w, c.cwd.empty() ? e.cwd : c.cwd, c.name, {}};
  for (std::size_t k = 0; k < args.size(); ++k) {
    const Field& f = args[k];
    if (f.procsub) continue;
    const std::string& t = f.text;
    if (t.size() > 1 && t[0] == '-') {
      std::size_t eq = t.find('=');
      if (eq == std::string::npos) {
        if (used_not_shown(t)) ++k;  // its value
        continue;
      }
      if (!used_not_shown(std::string_view(t).substr(0, eq))) col.add(std::string_view(t).substr(eq + 1), f);
      continue;
    }
    col.word(f);
  }
}

}  // namespace preloop::shell
