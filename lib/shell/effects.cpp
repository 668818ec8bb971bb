#include "shell/effects.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <string_view>

#include "shell/named_reads.h"
#include "shell/paths.h"
#include "shell/scripts.h"

namespace preloop::shell {

namespace {

bool in(std::string_view x, std::initializer_list<std::string_view> set) {
  return std::find(set.begin(), set.end(), x) != set.end();
}

bool has_flag(const Command& c, std::string_view f) {
  return std::find(c.flags.begin(), c.flags.end(), f) != c.flags.end();
}

const Field& operand(const std::vector<Field>& args, const ParsedArgs& pa, std::size_t k) {
  return args[pa.operand_index[k]];
}

// The words are nothing but command substitutions: the code they produce is
// recorded as dynamic code, there is no text to analyse.
bool only_substitutions(const std::vector<Field>& fields) {
  for (const auto& f : fields) {
    std::string_view t = f.text;
    while (t.rfind(kSubstitution, 0) == 0) t.remove_prefix(kSubstitution.size());
    if (!t.empty() || f.sources.empty()) return false;
  }
  return !fields.empty();
}

bool null_write(std::string_view p) {
  return p == "/dev/null" || p == "/dev/stdout" || p == "/dev/stderr" || p == "/dev/tty" || p.rfind("/dev/fd/", 0) == 0;
}

bool is_shell(std::string_view n) {
  return in(n, {"sh", "bash", "zsh", "dash", "ksh", "mksh", "ash", "yash", "posh", "fish", "csh", "tcsh", "rbash"});
}

// [user@]host:path or rsync://: a remote operand of scp/rsync.
bool remote_operand(std::string_view s) {
  if (s.rfind("rsync://", 0) == 0) return true;
  if (s.empty() || s[0] == '/' || s[0] == '.' || s[0] == '~' || s[0] == '$') return false;
  std::size_t colon = s.find(':');
  std::size_t slash = s.find('/');
  return colon != std::string_view::npos && colon > 0 && (slash == std::string_view::npos || colon < slash);
}

Field with_text(const Field& f, std::string text) {
  Field g = f;
  g.text = std::move(text);
  return g;
}

void add_dynamic(Walker& w, std::string runner, std::vector<std::string> sources, std::string via,
                 std::string path = {}) {
  DynamicCode d;
  d.runner = std::move(runner);
  d.sources = std::move(sources);
  d.via = std::move(via);
  d.path = std::move(path);
  w.out().dynamic_code.push_back(std::move(d));
}

// The words hold the output of a command substitution that is not known.
bool has_unknown_output(const std::vector<Field>& fields) {
  for (const auto& f : fields)
    if (!f.sources.empty() && f.text.find(kSubstitution) != std::string::npos) return true;
  return false;
}

// A name for the standard input: /dev/stdin, /dev/fd/0, /proc/self/fd/0, -.
bool stdin_name(std::string_view p) {
  return p == "-" || p == "/dev/stdin" || p == "/dev/fd/0" || p == "/proc/self/fd/0";
}

// Code read from the file at resolved `path` by `c`: the text written to it
// earlier in the command line is analysed; otherwise the file is recorded as
// dynamic code, with the command that wrote it (if any) as its source.
void code_from_path(Walker& w, const Exec& e, const Command& c, const std::string& path, bool dynamic,
                    const std::string& family) {
  if (!dynamic) {
    if (const auto* wr = w.written().find(path)) {
      if (wr->text && family.empty()) {
        w.run_script(*wr->text, e, c.name + " file");
        return;
      }
      if (wr->text) {
        w.out().scripts.push_back(Script{family, *wr->text, script_effects(family, *wr->text)});
        return;
      }
      add_dynamic(w, c.name, {wr->writer}, "file", path);
      return;
    }
  }
  add_dynamic(w, c.name, {}, "file", path);
}

// Code arriving on stdin for a shell or interpreter.
void stdin_code(Walker& w, const Exec& e, const Command& c, const std::string& family) {
  const Stdin& in = e.stdin;
  if (in.text) {
    if (family.empty()) {
      w.run_script(*in.text, e, c.name + " " + (in.via.empty() ? "stdin" : in.via));
    } else {
      Script s{family, *in.text, script_effects(family, *in.text)};
      w.out().scripts.push_back(s);
    }
    return;
  }
  // `cat FILE… | sh` and `sh < FILE` run the files' code
  bool files_only = !in.paths.empty() && (in.from.empty() || (in.from.size() == 1 && in.from[0] == "cat"));
  if (files_only) {
    for (std::size_t k = 0; k < in.paths.size() && k < 8; ++k)
      code_from_path(w, e, c, in.paths[k], in.paths[k].empty() || in.paths[k][0] != '/', family);
  } else if (!in.from.empty()) {
    add_dynamic(w, c.name, in.from, in.via.empty() ? "pipe" : in.via);
  }
}

// A script file named on the command line (bash FILE, source FILE, make -f FILE).
void code_file(Walker& w, const Exec& e, const Command& c, const Field& f, const std::string& family) {
  if (f.procsub) {
    add_dynamic(w, c.name, f.sources, "<()");
    return;
  }
  if (stdin_name(f.text)) {
    stdin_code(w, e, c, family);
    return;
  }
  w.add_read(f, e.cwd, c.name);
  const PathEffect& pe = w.out().reads.back();
  // an entry listed below a known directory (xargs) keeps its place
  code_from_path(w, e, c, pe.path, pe.dynamic && (pe.path.empty() || pe.path[0] != '/'), family);
}

void shell_effects(Walker& w, const Exec& e, const Command& c, const std::vector<Field>& args) {
  std::size_t i = 0;
  bool dash_c = false, read_stdin = false, no_exec = false;
  while (i < args.size()) {
    const std::string& t = args[i].text;
    if (t == "--" || t == "-") {
      ++i;
      if (t == "-") read_stdin = true;
      break;
    }
    if (t.size() < 2 || (t[0] != '-' && t[0] != '+')) break;
    if (t == "-o" || t == "+o" || t == "--rcfile" || t == "--init-file" || t == "-O" || t == "+O") {
      i += 2;
      continue;
    }
    if (t[1] != '-') {
      if (t.find('c') != std::string::npos) dash_c = true;
      if (t.find('s') != std::string::npos) read_stdin = true;
      if (t[0] == '-' && t.find('n') != std::string::npos) no_exec = true;  // -n: read, check syntax, run nothing
    }
    ++i;
  }
  if (dash_c) {
    if (i >= args.size()) return;
    const Field& code = args[i];
    if (has_unknown_output({code})) add_dynamic(w, c.name, code.sources, "$()");
    if (!only_substitutions({code})) w.run_script(code.text, e, c.name + " -c");
    return;
  }
  if (no_exec && !dash_c) {
    if (i < args.size() && !read_stdin) w.add_read(args[i], e.cwd, c.name);
    return;
  }
  if (i < args.size() && !read_stdin) {
    code_file(w, e, c, args[i], "");
    return;
  }
  stdin_code(w, e, c, "");
}

void interpreter_effects(Walker& w, const Exec& e, const Command& c, const std::vector<Field>& args,
                         const std::string& family) {
  std::string code;
  bool has_code = false, script = false, dynamic = false;
  std::vector<std::string> sources;
  std::size_t i = 0;
  if (c.name == "deno" && !args.empty() && args[0].text == "eval") i = 1;
  for (; i < args.size(); ++i) {
    const std::string& t = args[i].text;
    bool inline_flag = false;
    std::string attached;
    if (family == "python") {
      if (t == "-c") inline_flag = true;
      else if (t.size() > 2 && t[0] == '-' && t[1] != '-' && t.find('c') == t.size() - 1) inline_flag = true;
      else if (t.rfind("-c", 0) == 0 && t.size() > 2) inline_flag = true, attached = t.substr(2);
      else if (t == "-m") {
        script = true;
        break;
      }
    } else if (family == "node") {
      inline_flag = t == "-e" || t == "--eval" || t == "-p" || t == "--print" ||
                    (t.size() > 2 && t[0] == '-' && t[1] != '-' && (t.back() == 'e' || t.back() == 'p'));
      if (t.rfind("--eval=", 0) == 0) inline_flag = true, attached = t.substr(7);
      if (c.name == "deno" && i == 0 && t != "eval" && t != "-e" && t[0] != '-') {
        script = true;
        break;
      }
    } else if (family == "perl") {
      bool module = t.size() > 2 && (t[1] == 'M' || t[1] == 'm' || t[1] == 'I');  // -MFile::Path=remove_tree
      inline_flag = t == "-e" || t == "-E" ||
                    (!module && t.size() > 2 && t[0] == '-' && t[1] != '-' && (t.back() == 'e' || t.back() == 'E'));
    } else if (family == "ruby") {
      inline_flag = t == "-e" || (t.size() > 2 && t[0] == '-' && t[1] != '-' && t.back() == 'e');
    } else if (family == "php") {
      inline_flag = t == "-r";
    } else if (family == "awk") {
      if (t == "-f" || t.rfind("--file", 0) == 0) {
        script = true;
        break;
      }
      if (t == "-v" || t == "-F" || t == "--assign" || t == "--field-separator") {
        ++i;
        continue;
      }
      if (t.empty() || t[0] != '-') {  // the program text
        code += t + "\n";
        dynamic = dynamic || args[i].dynamic;
        has_code = true;
        break;
      }
    }
    if (inline_flag) {
      const Field* f = nullptr;
      if (!attached.empty()) {
        code += attached + "\n";
      } else if (i + 1 < args.size()) {
        f = &args[++i];
        code += f->text + "\n";
      }
      if (f) {
        dynamic = dynamic || f->dynamic;
        sources.insert(sources.end(), f->sources.begin(), f->sources.end());
      }
      has_code = true;
      if (family == "python" || family == "php" || family == "node") break;
      continue;
    }
    if (t == "-") break;  // script from stdin
    if (!t.empty() && t[0] == '-') {
      // options with a value
      if ((family == "python" && (t == "-W" || t == "-X" || t == "-Q")) ||
          (family == "node" && (t == "-r" || t == "--require" || t == "--import" || t == "--loader")) ||
          (family == "perl" && (t == "-I" || t == "-M")) || (family == "ruby" && (t == "-I" || t == "-r")))
        ++i;
      continue;
    }
    script = true;
    if (args[i].procsub) add_dynamic(w, c.name, args[i].sources, "<()");
    else if (stdin_name(args[i].text)) script = false;
    else w.add_read(args[i], e.cwd, c.name);
    break;
  }
  if (has_code) {
    Script s{family, code, script_effects(family, code)};
    bool exec = std::find(s.effects.begin(), s.effects.end(), "exec") != s.effects.end();
    bool del = std::find(s.effects.begin(), s.effects.end(), "delete") != s.effects.end();
    if (forks_in_loop(code)) w.out().fork_bomb = true;
    for (const auto& dev : block_devices(code))
      if (std::find(s.effects.begin(), s.effects.end(), "write") != s.effects.end())
        w.add_write(Field{dev}, e.cwd, c.name);
    w.out().scripts.push_back(s);
    if (!sources.empty()) add_dynamic(w, c.name, sources, "$()");
    if (exec || del) {
      for (const auto& cmd : embedded_commands(code)) {
        if (exec) w.run_script(cmd, e, c.name + " -e");
        if (del && (cmd.rfind("/", 0) == 0 || cmd.rfind("~", 0) == 0) && cmd.find(' ') == std::string::npos) {
          Field f{cmd};
          f.glob = has_glob(cmd);
          w.add_delete(f, e.cwd, c.name, true);
        }
      }
    }
    return;
  }
  if (!script) stdin_code(w, e, c, family);
}

// make -f FILE: the makefile's recipes run; from stdin (-f -, -f /dev/stdin)
// a literal makefile's recipe lines are analysed as shell commands.
void make_effects(Walker& w, const Exec& e, const Command& c, const std::vector<Field>& args) {
  for (std::size_t k = 0; k < args.size(); ++k) {
    const std::string& t = args[k].text;
    if (t == "--") break;
    Field f;
    if ((t == "-f" || t == "--file" || t == "--makefile") && k + 1 < args.size()) f = args[++k];
    else if (t.rfind("-f", 0) == 0 && t.size() > 2) f = with_text(args[k], t.substr(2));
    else if (t.rfind("--file=", 0) == 0 || t.rfind("--makefile=", 0) == 0) f = with_text(args[k], t.substr(t.find('=') + 1));
    else continue;
    if (stdin_name(f.text) && e.stdin.text) {
      std::string recipes;
      std::string_view text = *e.stdin.text;
      for (std::size_t pos = 0; pos < text.size();) {
        std::size_t nl = text.find('\n', pos);
        std::string_view line = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
        pos = nl == std::string_view::npos ? text.size() : nl + 1;
        if (!line.empty() && line[0] == '\t') recipes.append(line.substr(1)).push_back('\n');
        else if (std::size_t semi = line.find(';'); semi != std::string_view::npos && line.find(':') < semi)
          recipes.append(line.substr(semi + 1)).push_back('\n');
      }
      w.run_script(recipes, e, c.name + " stdin");
    } else if (stdin_name(f.text)) {
      if (!e.stdin.from.empty()) add_dynamic(w, c.name, e.stdin.from, "pipe");
      else for (const auto& p : e.stdin.paths) code_from_path(w, e, c, p, p.empty() || p[0] != '/', "");
    } else {
      code_file(w, e, c, f, "");
    }
  }
}

// git runs commands named in its environment and configuration: GIT_SSH_COMMAND=…,
// -c core.sshCommand=…, core.pager, diff.external, … are analysed as shell code;
// -c core.hooksPath=DIR runs the hooks found in DIR.
void git_config_code(Walker& w, const Exec& e, const Command& c) {
  for (const auto& a : e.assignments) {
    std::size_t eq = a.find('=');
    std::string_view name = std::string_view(a).substr(0, eq);
    if (eq != std::string::npos && eq + 1 < a.size() &&
        in(name, {"GIT_SSH_COMMAND", "GIT_SSH", "GIT_EDITOR", "GIT_SEQUENCE_EDITOR", "GIT_PAGER", "GIT_EXTERNAL_DIFF",
                  "GIT_PROXY_COMMAND", "GIT_ASKPASS"}))
      w.run_script(a.substr(eq + 1), e, "git config");
  }
  std::size_t sub = git_subcommand_index(c.args, nullptr);
  for (std::size_t k = 0; k < sub && k < c.args.size(); ++k) {
    std::string kv = c.args[k] == "-c" && k + 1 < sub ? c.args[++k] : c.args[k].rfind("-c", 0) == 0 ? c.args[k].substr(2) : "";
    std::size_t eq = kv.find('=');
    if (eq == std::string::npos || eq + 1 >= kv.size()) continue;
    std::string key = kv.substr(0, eq), value = kv.substr(eq + 1);
    for (auto& ch : key) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (in(key, {"core.sshcommand", "core.pager", "core.editor", "core.askpass", "diff.external", "sequence.editor",
                 "gpg.program", "core.gitproxy"}) ||
        (in(key, {"credential.helper", "core.fsmonitor"}) && value[0] == '!') ||
        (key.rfind("filter.", 0) == 0 && (key.size() > 6 && (key.compare(key.size() - 6, 6, ".clean") == 0 ||
                                                            key.compare(key.size() - 7, 7, ".smudge") == 0))))
      w.run_script(value[0] == '!' ? value.substr(1) : value, e, "git config");
    else if (key == "core.hookspath")
      add_dynamic(w, "git", {}, "file", w.path_effect(Field{value}, e.cwd, "git").path);
  }
}

// find PATH... EXPRESSION: -delete, -exec/-execdir/-ok ... ; or +, -fprint FILE.
void find_effects(Walker& w, const Exec& e, const std::vector<Field>& args) {
  std::size_t i = 0;
  while (i < args.size() && (args[i].text == "-H" || args[i].text == "-L" || args[i].text == "-P" ||
                             args[i].text.rfind("-O", 0) == 0 || args[i].text.rfind("-D", 0) == 0)) {
    if (args[i].text == "-D") ++i;
    ++i;
  }
  std::vector<Field> starts;
  while (i < args.size()) {
    const std::string& t = args[i].text;
    if (!t.empty() && (t[0] == '-' || t == "(" || t == "!" || t == ",")) break;
    starts.push_back(args[i]);
    ++i;
  }
  if (starts.empty()) starts.push_back(Field{"."});
  // With a test (-name, -type, -mtime, ...) only some entries are hit: "?*";
  // without one, every entry below the start: "*".
  bool filtered = false;
  for (std::size_t k = i; k < args.size(); ++k) {
    const std::string& t = args[k].text;
    if (t == "-exec" || t == "-execdir" || t == "-ok" || t == "-okdir") break;
    if (t.size() > 1 && t[0] == '-' && !in(t, {"-delete", "-depth", "-d", "-print", "-print0", "-xdev", "-mount",
                                              "-follow", "-noleaf", "-ignore_readdir_race", "-daystart", "-true"}))
      filtered = true;
  }
  auto each_entry = [&](const Field& s) {
    std::string base = s.text;
    if (!base.empty() && base.back() != '/') base += '/';
    Field f = with_text(s, base + (filtered ? "?*" : "*"));
    f.glob = true;
    return f;
  };
  for (; i < args.size(); ++i) {
    const std::string& t = args[i].text;
    if (t == "-delete") {
      for (const auto& s : starts) w.add_delete(each_entry(s), e.cwd, "find", true);
    } else if (t == "-exec" || t == "-execdir" || t == "-ok" || t == "-okdir") {
      std::vector<Field> inner;
      std::size_t j = i + 1;
      while (j < args.size() && args[j].text != ";" && args[j].text != "+") inner.push_back(args[j++]);
      i = j;
      if (inner.empty()) continue;
      for (std::size_t s = 0; s < starts.size() && s < 4; ++s) {
        Exec sub;
        sub.wrappers = e.wrappers;
        sub.wrappers.push_back("find");
        sub.via = "find " + t;
        sub.cwd = e.cwd;
        sub.depth = e.depth + 1;
        for (const auto& f : inner) {
          std::string text = f.text;
          std::size_t pos = text.find("{}");
          if (pos != std::string::npos) {
            Field entry = each_entry(starts[s]);
            text.replace(pos, 2, entry.text);
            Field g = with_text(f, text);
            g.glob = true;
            g.dynamic = g.dynamic || entry.dynamic;
            sub.argv.push_back(g);
          } else {
            sub.argv.push_back(f);
          }
        }
        w.run_exec(std::move(sub));
      }
    } else if ((t == "-fprint" || t == "-fprint0" || t == "-fls" || t == "-fprintf") && i + 1 < args.size()) {
      w.add_write(args[i + 1], e.cwd, "find");
      i += t == "-fprintf" ? 2 : 1;
    }
  }
}

// Input items of xargs/parallel: the literal stdin words (or lines) when known.
std::vector<Field> input_items(const Exec& e, bool lines) {
  std::vector<Field> items;
  if (e.stdin.text) {
    std::string cur;
    for (char ch : *e.stdin.text + "\n") {
      if (ch == '\n' || (!lines && (ch == ' ' || ch == '\t'))) {
        if (!cur.empty()) items.push_back(Field{cur});
        cur.clear();
        if (items.size() >= 64) break;
      } else {
        cur += ch;
      }
    }
    if (!items.empty()) return items;
  }
  Field f{"$_STDIN_"};
  f.dynamic = true;
  f.sources = e.stdin.from;
  items.push_back(f);
  return items;
}

void xargs_effects(Walker& w, const Exec& e, const std::vector<Field>& args) {
  std::string replace;
  bool from_file = false;  // -a FILE: items come from a file, not stdin
  std::size_t i = 0;
  while (i < args.size()) {
    const std::string& t = args[i].text;
    if (t == "--") {
      ++i;
      break;
    }
    if (t.size() < 2 || t[0] != '-') break;
    if (t == "-I") {
      if (i + 1 < args.size()) replace = args[i + 1].text;
      i += 2;
      continue;
    }
    if (t == "-a" || t == "--arg-file" || t.rfind("--arg-file=", 0) == 0 || t.rfind("-a", 0) == 0)
      from_file = true;
    if (t.rfind("-I", 0) == 0) replace = t.substr(2);
    else if (t == "-i" || t == "--replace" || t == "--replace=") replace = "{}";
    else if (t.rfind("--replace=", 0) == 0) replace = t.substr(10);
    else if (t.rfind("-i", 0) == 0) replace = t.substr(2);
    if (t == "-J") {  // BSD: -J replstr
      if (i + 1 < args.size()) replace = args[i + 1].text;
      i += 2;
      continue;
    }
    bool takes = in(t, {"-d", "-n", "-L", "-P", "-s", "-E", "-a", "-R", "-S", "--delimiter", "--max-args", "--max-lines",
                        "--max-procs", "--max-chars", "--eof", "--arg-file", "--process-slot-var"});
    i += takes ? 2 : 1;
  }
  std::vector<Field> cmd(args.begin() + static_cast<std::ptrdiff_t>(std::min(i, args.size())), args.end());
  if (cmd.empty()) cmd.push_back(Field{"echo"});
  Exec no_stdin;
  std::vector<Field> items = input_items(from_file ? no_stdin : e, !replace.empty());
  if (!from_file && items.size() == 1 && items[0].dynamic) {
    // entries listed by the producer: placed below the directories it lists
    std::vector<std::string> bounds = listed_entries(w.out(), e);
    if (!bounds.empty()) {
      Field proto = items[0];
      items.clear();
      for (auto& b : bounds) {
        Field f = with_text(proto, std::move(b));
        f.glob = true;
        items.push_back(std::move(f));
      }
    }
  }
  Exec sub;
  sub.wrappers = e.wrappers;
  sub.wrappers.push_back("xargs");
  sub.via = "xargs";
  sub.cwd = e.cwd;
  sub.depth = e.depth + 1;
  sub.dynamic_args = items.size() == 1 && items[0].dynamic;
  if (!replace.empty()) {
    for (const auto& f : cmd) {
      std::size_t pos = f.text.find(replace);
      if (pos == std::string::npos) {
        sub.argv.push_back(f);
        continue;
      }
      Field g = f;
      g.text.replace(pos, replace.size(), items[0].text);
      g.dynamic = g.dynamic || items[0].dynamic;
      sub.argv.push_back(g);
    }
  } else {
    sub.argv = cmd;
    sub.argv.insert(sub.argv.end(), items.begin(), items.end());
  }
  w.run_exec(std::move(sub));
}

void parallel_effects(Walker& w, const Exec& e, const std::vector<Field>& args) {
  std::size_t i = 0;
  while (i < args.size()) {
    const std::string& t = args[i].text;
    if (t == "--") {
      ++i;
      break;
    }
    if (t.size() < 2 || t[0] != '-' || t.rfind(":::", 0) == 0) break;
    bool takes = in(t, {"-j", "--jobs", "-S", "--sshlogin", "-a", "--arg-file", "-d", "--delimiter", "-I", "--colsep",
                        "-C", "--joblog", "--results", "--tmpdir", "--workdir", "-E", "--timeout", "--retries",
                        "--halt", "-N", "-L", "-n", "-s", "--env", "--basefile", "--sshloginfile", "--load",
                        "--memfree", "--delay", "--tagstring"});
    i += takes ? 2 : 1;
  }
  std::vector<Field> tmpl;
  while (i < args.size() && args[i].text.rfind(":::", 0) != 0 && args[i].text != "::::") tmpl.push_back(args[i++]);
  std::vector<Field> items;
  bool from_args = i < args.size();
  for (++i; i < args.size(); ++i)
    if (args[i].text.rfind(":::", 0) != 0 && args[i].text != "::::") items.push_back(args[i]);
  if (!from_args) items = input_items(e, true);
  if (items.empty()) items.push_back(Field{""});
  if (tmpl.empty()) {  // the inputs are commands
    for (const auto& it : items) {
      if (it.dynamic) add_dynamic(w, "parallel", e.stdin.from, "pipe");
      else w.run_script(it.text, e, "parallel");
    }
    return;
  }
  for (std::size_t k = 0; k < items.size() && k < 16; ++k) {
    const Field& item = items[k];
    std::string script;
    bool placed = false;
    // parallel quotes each input for the shell it runs the command in
    std::string quoted = "'";
    for (char ch : item.text) quoted += ch == '\'' ? std::string("'\\''") : std::string(1, ch);
    quoted += "'";
    for (std::size_t m = 0; m < tmpl.size(); ++m) {
      std::string t = tmpl[m].text;
      for (std::size_t pos = 0; (pos = t.find("{}", pos)) != std::string::npos; pos += quoted.size()) {
        t.replace(pos, 2, quoted);
        placed = true;
      }
      if (m) script += ' ';
      script += t;
    }
    if (!placed) script += " " + quoted;
    Exec sub = e;
    sub.wrappers.push_back("parallel");
    w.run_script(script, sub, "parallel");
    if (item.dynamic) {
      Analysis& out = w.out();
      for (auto& c : out.commands)
        if (c.via == "parallel" && c.depth == e.depth + 1) c.dynamic_args = true;
    }
  }
}

void watch_effects(Walker& w, const Exec& e, const std::vector<Field>& args) {
  std::size_t i = 0;
  bool exec = false;
  while (i < args.size()) {
    const std::string& t = args[i].text;
    if (t == "--") {
      ++i;
      break;
    }
    if (t.size() < 2 || t[0] != '-') break;
    if (t == "-x" || t == "--exec") exec = true;
    i += in(t, {"-n", "--interval", "-q", "--equexit"}) ? 2 : 1;
  }
  if (i >= args.size()) return;
  Exec sub = e;
  sub.wrappers.push_back("watch");
  if (exec) {
    sub.argv.assign(args.begin() + static_cast<std::ptrdiff_t>(i), args.end());
    sub.via = "watch";
    sub.depth = e.depth + 1;
    w.run_exec(std::move(sub));
    return;
  }
  std::string script;
  for (std::size_t k = i; k < args.size(); ++k) script += (k > i ? " " : "") + args[k].text;
  w.run_script(script, sub, "watch");
}

// File contents uploaded by curl/wget: "@file" data, -F name=@file, -T file.
void curl_effects(Walker& w, const Exec& e, const Command& c, const std::vector<Field>& args, const ParsedArgs& pa) {
  std::string dest;
  for (std::size_t k = 0; k < c.operands.size(); ++k)
    if (dest.empty()) dest = c.operands[k];
  auto send = [&](const std::string& spec) {
    if (spec == "-" || spec.empty()) {
      for (const auto& p : e.stdin.paths) w.out().sends.push_back(Send{p, c.name, dest});
      return;
    }
    Field f{spec};
    PathEffect pe = w.path_effect(f, e.cwd, c.name);
    w.out().reads.push_back(pe);
    w.out().sends.push_back(Send{pe.path, c.name, dest});
  };
  for (const auto& [opt, v] : pa.values) {
    if (c.name == "curl") {
      if (in(opt, {"-d", "--data", "--data-binary", "--data-ascii", "--json"}) && !v.empty() && v[0] == '@') {
        send(v.substr(1));
      } else if (opt == "--data-urlencode") {
        std::size_t at = v.find('@');
        if (at != std::string::npos && v.find('=') > at) send(v.substr(at + 1));
      } else if (opt == "-F" || opt == "--form") {
        std::size_t eq = v.find('=');
        if (eq != std::string::npos && eq + 1 < v.size() && (v[eq + 1] == '@' || v[eq + 1] == '<')) {
          std::string file = v.substr(eq + 2);
          file = file.substr(0, file.find(';'));
          send(file);
        }
      } else if (opt == "-T" || opt == "--upload-file") {
        send(v);
      } else if ((opt == "-o" || opt == "--output") && v != "-") {
        w.add_write(Field{v}, e.cwd, c.name);
      } else if (opt == "-K" || opt == "--config") {
        w.add_read(Field{v}, e.cwd, c.name);
      }
    } else {  // wget
      if (opt == "--post-file" || opt == "--body-file") send(v);
      else if ((opt == "-O" || opt == "--output-document") && v != "-") w.add_write(Field{v}, e.cwd, c.name);
    }
  }
  (void)args;
}

void copy_effects(Walker& w, const Exec& e, const Command& c, const std::vector<Field>& args, const ParsedArgs& pa) {
  std::string target;
  if (auto it = c.options.find("-t"); it != c.options.end()) target = it->second;
  else if (auto it2 = c.options.find("--target-directory"); it2 != c.options.end()) target = it2->second;
  std::size_t n = c.operands.size();
  std::size_t sources_end = n;
  bool recursive = has_flag(c, "-r") || has_flag(c, "-a") || has_flag(c, "--archive") || c.name == "mv";
  if (c.name == "install" && has_flag(c, "-d")) {
    for (std::size_t k = 0; k < n; ++k) w.add_write(operand(args, pa, k), e.cwd, c.name, false);
    return;
  }
  if (!target.empty()) {
    w.add_write(Field{target}, e.cwd, c.name, recursive);
  } else if (n >= 2) {
    w.add_write(operand(args, pa, n - 1), e.cwd, c.name, recursive);
    sources_end = n - 1;
  } else {
    return;
  }
  for (std::size_t k = 0; k < sources_end; ++k) {
    const Field& src = operand(args, pa, k);
    if (c.name != "ln") w.add_read(src, e.cwd, c.name);
    if (c.name == "mv") w.add_delete(src, e.cwd, c.name, true);
  }
}

// scp/rsync/sftp: local files sent to a remote destination, or a local write.
void transfer_effects(Walker& w, const Exec& e, const Command& c, const std::vector<Field>& args,
                      const ParsedArgs& pa) {
  std::size_t n = c.operands.size();
  if (n < 2) return;
  const Field& dst = operand(args, pa, n - 1);
  if (remote_operand(dst.text)) {
    for (std::size_t k = 0; k + 1 < n; ++k) {
      const Field& src = operand(args, pa, k);
      if (remote_operand(src.text)) continue;
      PathEffect pe = w.path_effect(src, e.cwd, c.name);
      w.out().reads.push_back(pe);
      w.out().sends.push_back(Send{pe.path, c.name, dst.text});
    }
  } else {
    w.add_write(dst, e.cwd, c.name, true);
    if (c.name == "rsync" && (has_flag(c, "--delete") || has_flag(c, "--delete-before") ||
                              has_flag(c, "--delete-after") || has_flag(c, "--delete-during")))
      w.add_delete(dst, e.cwd, c.name, true);
    for (std::size_t k = 0; k + 1 < n; ++k)
      if (!remote_operand(operand(args, pa, k).text)) w.add_read(operand(args, pa, k), e.cwd, c.name);
  }
}

// The value of an output option however it is attached: "-o F", "-oF", "--output=F", "--output F".
void output_option(Walker& w, const Exec& e, std::string_view command, const std::vector<Field>& args,
                   std::initializer_list<std::string_view> shorts, std::initializer_list<std::string_view> longs) {
  for (std::size_t k = 0; k < args.size(); ++k) {
    const std::string& t = args[k].text;
    if (t == "--") break;
    for (auto s : shorts) {
      if (t == s && k + 1 < args.size()) w.add_write(args[k + 1], e.cwd, command);
      else if (s.size() == 2 && t.size() > 2 && t.rfind(s, 0) == 0 && t[1] != '-')
        w.add_write(with_text(args[k], t.substr(2)), e.cwd, command);
    }
    for (auto l : longs) {
      if (t == l && k + 1 < args.size()) w.add_write(args[k + 1], e.cwd, command);
      else if (t.size() > l.size() + 1 && t.rfind(l, 0) == 0 && t[l.size()] == '=')
        w.add_write(with_text(args[k], t.substr(l.size() + 1)), e.cwd, command);
    }
  }
}

}  // namespace

void apply_effects(Walker& w, const Exec& e, const Command& c, const std::vector<Field>& args, const ParsedArgs& pa) {
  std::string_view n = c.name;  // compared with many literals: no strlen per comparison
  if (c.dynamic_name) return;
  const std::size_t first_read = w.out().reads.size();
  std::string family = interpreter_family(n);
  if (is_shell(n)) {
    shell_effects(w, e, c, args);
  } else if (!family.empty()) {
    interpreter_effects(w, e, c, args, family);
  } else if (n == "eval") {
    std::string code;
    std::vector<std::string> sources;
    for (std::size_t k = 0; k < args.size(); ++k) {
      code += (k ? " " : "") + args[k].text;
      sources.insert(sources.end(), args[k].sources.begin(), args[k].sources.end());
    }
    if (has_unknown_output(args)) add_dynamic(w, "eval", sources, "$()");
    if (!only_substitutions(args)) w.run_script(code, e, "eval");
  } else if (n == "source" || n == ".") {
    if (!args.empty()) code_file(w, e, c, args[0], "");
    else stdin_code(w, e, c, "");
  } else if (n == "make" || n == "gmake" || n == "bmake") {
    make_effects(w, e, c, args);
  } else if (n == "git") {
    git_config_code(w, e, c);
  } else if (n == "find") {
    find_effects(w, e, args);
  } else if (n == "xargs") {
    xargs_effects(w, e, args);
  } else if (n == "parallel") {
    parallel_effects(w, e, args);
  } else if (n == "watch") {
    watch_effects(w, e, args);
  } else if (n == "rm" || n == "unlink" || n == "srm" || n == "rmdir" || n == "trash" || n == "trash-put") {
    bool recursive = n != "rmdir" && n != "unlink" && has_flag(c, "-r");
    bool force = has_flag(c, "-f") || has_flag(c, "--no-preserve-root");
    std::size_t before = w.out().deletes.size();
    for (std::size_t k = 0; k < c.operands.size(); ++k) w.add_delete(operand(args, pa, k), e.cwd, n, recursive);
    if (e.dynamic_args && c.operands.empty()) w.add_delete(Field{"$_STDIN_", true}, e.cwd, n, recursive);
    for (std::size_t k = before; k < w.out().deletes.size(); ++k) w.out().deletes[k].force = force;
  } else if (n == "shred" || n == "wipefs" || n == "truncate" || n == "touch" || n == "mkdir" || n == "tee" ||
             n == "sudoedit" || in(n, {"vi", "vim", "nvim", "nano", "emacs", "ed", "pico", "mcedit"})) {
    std::size_t from = 0;
    for (std::size_t k = from; k < c.operands.size(); ++k) {
      const Field& f = operand(args, pa, k);
      if (n == "tee" && f.text == "-") continue;
      if (null_write(f.text)) continue;
      w.add_write(f, e.cwd, n);
      if (n == "shred" && has_flag(c, "-u")) w.add_delete(f, e.cwd, n, false);
    }
  } else if (n == "sed" || n == "perl") {
    if (n == "sed" && has_flag(c, "-i")) {
      bool script_in_option = c.options.count("-e") || c.options.count("-f");
      for (std::size_t k = script_in_option ? 0 : 1; k < c.operands.size(); ++k)
        w.add_write(operand(args, pa, k), e.cwd, n);
    }
  } else if (n == "chmod" || n == "chown" || n == "chgrp") {
    bool ref = c.options.count("--reference") > 0;
    bool recursive = has_flag(c, "-R");
    for (std::size_t k = ref ? 0 : 1; k < c.operands.size(); ++k) w.add_write(operand(args, pa, k), e.cwd, n, recursive);
  } else if (n == "cp" || n == "mv" || n == "install" || n == "ln") {
    copy_effects(w, e, c, args, pa);
  } else if (n == "patch") {
    // patch [FILE [PATCHFILE]]: FILE is changed; -o writes the result elsewhere.
    if (!c.operands.empty() && !c.options.count("-o") && !c.options.count("--output"))
      w.add_write(operand(args, pa, 0), e.cwd, n);
    output_option(w, e, n, args, {"-o"}, {"--output"});
  } else if (n == "sort") {
    output_option(w, e, n, args, {"-o"}, {"--output"});
  } else if (n == "dd") {
    for (const auto& f : args) {
      if (f.text.rfind("of=", 0) == 0) w.add_write(with_text(f, f.text.substr(3)), e.cwd, n);
      else if (f.text.rfind("if=", 0) == 0) w.add_read(with_text(f, f.text.substr(3)), e.cwd, n);
    }
  } else if (n == "curl" || n == "wget") {
    curl_effects(w, e, c, args, pa);
  } else if (n == "scp" || n == "rsync") {
    transfer_effects(w, e, c, args, pa);
  } else if (in(n, {"nc", "ncat", "netcat", "socat", "telnet"})) {
    std::string dest;
    for (const auto& o : c.operands) dest += (dest.empty() ? "" : " ") + o;
    for (const auto& p : e.stdin.paths) w.out().sends.push_back(Send{p, c.name, dest});
    if (n == "socat") {
      for (const auto& o : c.operands) {
        std::string_view s = o;
        for (std::string_view pre : {"FILE:", "OPEN:", "GOPEN:", "file:", "open:"}) {
          if (s.rfind(pre, 0) == 0) {
            PathEffect pe = w.path_effect(Field{std::string(s.substr(pre.size()))}, e.cwd, n);
            w.out().reads.push_back(pe);
            w.out().sends.push_back(Send{pe.path, c.name, dest});
          }
        }
      }
    }
  } else if (in(n, {"cat", "tac", "less", "more", "head", "tail", "bat", "batcat", "nl", "xxd", "od", "hexdump",
                    "strings", "base64", "view", "diff", "cmp", "gpg", "base32", "openssl", "ssh-keygen", "zcat"})) {
    for (std::size_t k = 0; k < c.operands.size(); ++k) {
      const Field& f = operand(args, pa, k);
      if (f.text == "-" || f.procsub) continue;
      w.add_read(f, e.cwd, n);
    }
    for (const char* opt : {"-in", "-f"})
      if (auto it = c.options.find(opt); it != c.options.end() && (n == "openssl" || n == "ssh-keygen"))
        w.add_read(Field{it->second}, e.cwd, n);
    if (n == "openssl" || n == "ssh-keygen") {
      for (std::size_t k = 0; k + 1 < args.size(); ++k)
        if (args[k].text == "-in" || args[k].text == "-f") w.add_read(args[k + 1], e.cwd, n);
    }
    if (n == "openssl") output_option(w, e, n, args, {"-out", "-keyout"}, {});
  } else if (in(n, {"grep", "egrep", "fgrep", "rg", "ag", "awk", "jq", "ack"})) {
    bool pattern_in_option = c.options.count("-e") || c.options.count("-f") || c.options.count("--regexp");
    for (std::size_t k = pattern_in_option ? 0 : 1; k < c.operands.size(); ++k) {
      const Field& f = operand(args, pa, k);
      if (!f.procsub) w.add_read(f, e.cwd, n);
    }
  }
  add_named_reads(w, e, c, args, first_read);
}

}  // namespace preloop::shell
