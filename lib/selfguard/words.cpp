#include "selfguard/words.h"

#include <algorithm>
#include <array>
#include <cstring>

namespace preloop::selfguard {
namespace {

bool any_arg(const shell::Command& c, std::initializer_list<const char*> names) {
  for (const auto& a : c.args)
    for (const char* n : names)
      if (a == n || (std::strlen(n) > 2 && a.rfind(std::string(n) + "=", 0) == 0)) return true;
  return false;
}

void add(std::string_view t, PathTokens& out) {
  if (t.substr(0, 7) == "file://") t.remove_prefix(7);
  if (!t.empty() && t[0] == '@') t.remove_prefix(1);
  if (t.empty() || t == "-" || t == "." || t == "..") return;
  if (out.list.size() < PathTokens::kHashed) {  // a short command: a list is cheaper than a hash set
    if (std::find(out.list.begin(), out.list.end(), t) != out.list.end()) return;
    out.list.push_back(t);
    if (out.list.size() == PathTokens::kHashed) out.seen.insert(out.list.begin(), out.list.end());
    return;
  }
  if (out.seen.insert(t).second) out.list.push_back(t);
}

}  // namespace

void path_tokens(std::string_view word, PathTokens& out) {
  if (word.empty()) return;
  add(word, out);
  if (word.size() > 2 && word[0] == '-' && word[1] != '-' && (word[2] == '/' || word[2] == '~' || word[2] == '.'))
    add(word.substr(2), out);
  // A table, not find_first_of: that calls memchr on the set for every character.
  static constexpr auto kDelim = [] {
    std::array<bool, 256> t{};
    for (unsigned char c : std::string_view(" \t\r\n'\"`(),;<>{}[]|&=:!")) t[c] = true;
    return t;
  }();
  auto delim = [](char c) { return kDelim[static_cast<unsigned char>(c)]; };
  if (std::none_of(word.begin(), word.end(), delim)) return;
  std::size_t i = 0;
  while (i < word.size()) {
    while (i < word.size() && delim(word[i])) ++i;
    if (i == word.size()) break;
    std::size_t start = i;
    while (i < word.size() && !delim(word[i])) ++i;
    add(word.substr(start, i - start), out);
  }
}

bool known_read_only(const shell::Command& c) {
  static constexpr std::string_view kReaders[] = {
      "cat", "tac", "less", "more", "head", "tail", "bat", "batcat", "nl", "wc", "grep", "egrep", "fgrep", "rg", "ag",
      "ack", "ls", "ll", "dir", "tree", "stat", "file", "du", "df", "readlink", "realpath", "basename", "dirname",
      "namei", "lsattr", "getfacl", "diff", "cmp", "comm", "md5sum", "sha1sum", "sha224sum", "sha256sum", "sha384sum",
      "sha512sum", "b2sum", "cksum", "xxd", "od", "hexdump", "strings", "cut", "column", "fold", "jq", "yq", "echo",
      "printf", "test", "[", "[[", "cd", "pushd", "popd", "pwd", "which", "type", "find", "sort", "true", "false",
      "view", "zcat", "base64", "base32"};
  std::string_view n = c.name;  // compared by size first
  if (c.dynamic_name) return false;
  if (n == "git") {
    static constexpr std::string_view kGitReaders[] = {"status", "log", "diff", "show", "blame", "ls-files", "ls-tree",
                                              "rev-parse", "grep", "cat-file", "shortlog", "describe", "whatchanged",
                                              "check-ignore", "annotate", "diff-tree", "diff-files", "diff-index"};
    if (c.operands.empty() || any_arg(c, {"--output", "--ext-diff", "--textconv"})) return false;
    return std::any_of(std::begin(kGitReaders), std::end(kGitReaders), [&](std::string_view s) { return c.operands[0] == s; });
  }
  if (!std::any_of(std::begin(kReaders), std::end(kReaders), [&](std::string_view s) { return n == s; })) return false;
  // Readers with a writing option.
  if ((n == "sort" || n == "less") && any_arg(c, {"-o", "--output", "-O", "--log-file", "--LOG-FILE"})) return false;
  if (n == "yq" && any_arg(c, {"-i", "--inplace"})) return false;
  if (n == "find" && any_arg(c, {"-fprint", "-fprint0", "-fprintf", "-fls", "-delete"})) return false;
  if (n == "rg" && any_arg(c, {"--pre"})) return false;
  return true;
}

}  // namespace preloop::selfguard
