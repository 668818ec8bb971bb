#include "shell/named_reads.h"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <iterator>
#include <string_view>
#include <unordered_set>

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
// Sorted: looked up by binary search for every command.
constexpr std::string_view kNotNamedReaders[] = {
    ".", "[", "[[", "ack", "ag", "alias", "ash", "b2sum", "base32", "base64", "basename", "bash", "bat", "batcat",
    "cat", "cd", "chattr", "chgrp", "chmod", "chown", "cksum", "cmp", "code", "command", "cp", "csh", "curl", "dash",
    "dd", "declare", "df", "diff", "dir", "dirname", "dotenv", "dotenvx", "du", "echo", "ed", "egrep", "emacs",
    "env-cmd", "eval", "exit", "export", "false", "fgrep", "file", "find", "fish", "getfacl", "gpg", "grep", "hash",
    "head", "hexdump", "install", "jq", "kill", "ksh", "less", "ll", "ln", "local", "ls", "lsattr", "mcedit",
    "md5sum", "mkdir", "mkfifo", "mksh", "more", "mosh", "mv", "namei", "nano", "nc", "ncat", "netcat", "nl", "nvim",
    "od", "open", "openssl", "parallel", "patch", "pico", "popd", "posh", "printf", "pushd", "pwd", "rbash",
    "readlink", "readonly", "realpath", "return", "rg", "rm", "rmdir", "rsync", "scp", "set", "setfacl", "sftp", "sh",
    "sha1sum", "sha224sum", "sha256sum", "sha384sum", "sha512sum", "shred", "sleep", "socat", "source", "srm", "ssh",
    "ssh-add", "ssh-keygen", "stat", "strings", "sudoedit", "sync", "tac", "tail", "tcsh", "tee", "telnet", "test",
    "touch", "trash", "trash-put", "tree", "true", "truncate", "type", "typeset", "unalias", "unlink", "unset", "vi",
    "view", "vim", "watch", "wc", "wget", "which", "wipefs", "xargs", "xdg-open", "xxd", "yash", "zcat", "zsh"};

static_assert(std::is_sorted(std::begin(kNotNamedReaders), std::end(kNotNamedReaders)));

bool reads_modelled_or_none(std::string_view n) {
  return std::binary_search(std::begin(kNotNamedReaders), std::end(kNotNamedReaders), n);
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
// Longer than PATH_MAX or spanning lines: code, not a path.
bool path_like(std::string_view t) {
  if (t.empty() || t == "." || t == ".." || t == "-" || t.size() > 4096) return false;
  bool mark = t[0] == '~';
  for (char c : t) {
    if (c == '\n') return false;
    mark = mark || c == '/' || c == '.' || c == '*' || c == '?' || c == '[';
  }
  return mark || t.rfind("id_", 0) == 0 || t == "credentials";
}

constexpr std::size_t kMaxNamed = 32;  // paths recorded per command

struct Collector {
  Walker& w;
  const std::string& cwd;
  const std::string& command;
  std::unordered_set<std::string_view> seen;  // views into the command's words, which outlive the collector

  void add(std::string_view t, const Field& from) {
    if (t.rfind("file://", 0) == 0) t.remove_prefix(7);
    while (!t.empty() && t[0] == '@') t.remove_prefix(1);
    if (!path_like(t) || seen.size() >= kMaxNamed || !seen.insert(t).second) return;
    Field f{std::string(t), from.dynamic};
    f.glob = from.glob && has_glob(t);
    w.out().reads.push_back(w.path_effect(f, cwd, command));
  }

  // The word, and its pieces around quotes, spaces, `@`, `=`, `:` and code
  // punctuation (`field=@file`, `HEAD:.env`, `open('.env')`). One pass with a
  // class per byte: only pieces holding a path mark (or starting `id_`, or
  // `credentials`) are looked at.
  void word(const Field& f) {
    add(f.text, f);
    enum : unsigned char { kPlain = 0, kMark = 1, kDelim = 2 };
    static constexpr auto kClass = [] {
      std::array<unsigned char, 256> t{};
      for (unsigned char c : std::string_view(" \t\r\n'\"`(),;<>{}[]|&=:!@+")) t[c] = kDelim;
      for (unsigned char c : std::string_view("/.*?~")) t[c] = kMark;
      return t;
    }();
    const char* const begin = f.text.data();
    const char* const end = begin + f.text.size();
    const char* p = begin;
    while (p < end && seen.size() < kMaxNamed) {
      while (p < end && kClass[static_cast<unsigned char>(*p)] == kDelim) ++p;
      const char* start = p;
      unsigned marks = 0;
      for (unsigned k; p < end && (k = kClass[static_cast<unsigned char>(*p)]) != kDelim; ++p) marks |= k;
      if (p == start || (start == begin && p == end)) continue;  // nothing, or the whole word (added above)
      std::string_view piece(start, static_cast<std::size_t>(p - start));
      if (marks || piece.rfind("id_", 0) == 0 || piece == "credentials") add(piece, f);
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
