#include "shell/walker.h"

#include <algorithm>
#include <iterator>
#include <unordered_set>

#include "shell/effects.h"
#include "shell/options.h"
#include "shell/paths.h"

namespace preloop::shell {

namespace {

constexpr std::size_t kMaxExpandedBytes = 16u << 20;

std::string lower(std::string s) {
  for (auto& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

bool is_ifs(char c) { return c == ' ' || c == '\t' || c == '\n'; }

// Brace expansion of an unquoted literal word: a{b,c}d, {1..3}. `work`
// bounds the calls over the whole expansion; at most kMaxBraceWords words.
constexpr int kMaxBraceWords = 256;
std::vector<std::string> expand_braces(const std::string& s, int& work) {
  if (--work < 0) return {s};
  const int budget = kMaxBraceWords;
  std::size_t open = std::string::npos;
  int depth = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '{') {
      if (depth++ == 0) open = i;
    } else if (s[i] == '}' && depth > 0 && --depth == 0) {
      std::string inner = s.substr(open + 1, i - open - 1);
      std::vector<std::string> alts;
      int d = 0;
      std::size_t start = 0;
      for (std::size_t k = 0; k < inner.size(); ++k) {
        if (inner[k] == '{') ++d;
        else if (inner[k] == '}') --d;
        else if (inner[k] == ',' && d == 0) {
          alts.push_back(inner.substr(start, k - start));
          start = k + 1;
        }
      }
      alts.push_back(inner.substr(start));
      if (alts.size() == 1) {
        std::size_t dots = inner.find("..");
        if (dots == std::string::npos) continue;
        std::string a = inner.substr(0, dots), b = inner.substr(dots + 2);
        alts.clear();
        if (a.size() == 1 && b.size() == 1 && !std::isdigit(static_cast<unsigned char>(a[0]))) {
          char x = a[0], y = b[0];
          int step = x <= y ? 1 : -1;
          for (char c = x;; c = static_cast<char>(c + step)) {
            alts.emplace_back(1, c);
            if (c == y || static_cast<int>(alts.size()) > budget) break;
          }
        } else {
          try {
            long x = std::stol(a), y = std::stol(b);
            long step = x <= y ? 1 : -1;
            for (long v = x;; v += step) {
              alts.push_back(std::to_string(v));
              if (v == y || static_cast<int>(alts.size()) > budget) break;
            }
          } catch (...) {
            continue;
          }
        }
      }
      std::string pre = s.substr(0, open), post = s.substr(i + 1);
      std::vector<std::string> out;
      for (auto& alt : alts) {
        for (auto& tail : expand_braces(alt + post, work)) {
          out.push_back(pre + tail);
          if (static_cast<int>(out.size()) > budget) return out;
        }
      }
      return out;
    }
  }
  return {s};
}

bool null_device(std::string_view p) {
  return p == "/dev/null" || p == "/dev/stdout" || p == "/dev/stderr" || p == "/dev/tty" ||
         p.substr(0, 8) == "/dev/fd/";
}

}  // namespace

Scope Scope::child() const {
  Scope s;
  s.cwd = cwd;
  s.parent_ = this;
  return s;
}

const std::optional<std::string>* Scope::find(const std::string& name) const {
  for (const Scope* s = this; s; s = s->parent_)
    if (auto it = s->vars_.find(name); it != s->vars_.end()) return &it->second;
  return nullptr;
}

Walker::Walker(const Context& ctx, const Limits& limits, Budget& budget, Analysis& out)
    : ctx_(ctx), limits_(limits), budget_(budget), out_(out) {}

void Walker::note_error(const std::string& e) {
  out_.unparseable = true;
  if (out_.error.empty()) out_.error = e;
}

void Walker::run_top(std::string_view text) {
  ParseResult r = parse(text, budget_, 0);
  if (!r.error.empty()) note_error(r.error);
  top_.cwd = ctx_.cwd;
  walk_list(*r.list, top_, 0, "", {});
}

void Walker::run_script(std::string_view text, const Exec& parent, std::string via) {
  bool strict = via.find(" -e") == std::string::npos;  // strings found in interpreter code: best effort
  ParseResult r = parse(text, budget_, static_cast<std::size_t>(parent.depth) + 1);
  if (!r.error.empty() && strict) note_error("in " + via + ": " + r.error);
  Scope s;
  s.cwd = parent.cwd;
  walk_list(*r.list, s, parent.depth + 1, via, parent.wrappers);
}

void Walker::walk_list(const ast::List& list, Scope& scope, int depth, const std::string& via,
                       const std::vector<std::string>& wrappers) {
  for (const auto& ao : list.items) {
    for (const auto& p : ao.pipelines) {
      std::size_t first = out_.commands.size();
      walk_pipeline(p, scope, depth, via, wrappers);
      // a function that starts itself in a pipeline or in the background: a fork bomb
      if (!defining_.empty() && (ao.background || p.commands.size() > 1))
        for (std::size_t k = first; k < out_.commands.size(); ++k)
          if (std::find(defining_.begin(), defining_.end(), out_.commands[k].name) != defining_.end())
            out_.fork_bomb = true;
    }
  }
}

void Walker::walk_pipeline(const ast::Pipeline& p, Scope& scope, int depth, const std::string& via,
                           const std::vector<std::string>& wrappers) {
  if (p.commands.size() == 1) {
    StageOut so;
    walk_command(*p.commands[0], scope, depth, via, wrappers, Stdin{}, so);
    return;
  }
  // What flows into a stage: the distinct names and read paths of all earlier
  // stages, gathered once (a copy per stage of every earlier name would make
  // a long pipeline quadratic).
  std::vector<std::string> upstream_names, upstream_paths;
  std::unordered_set<std::string> seen_names, seen_paths;
  std::optional<std::string> last_output;
  for (std::size_t i = 0; i < p.commands.size(); ++i) {
    Stdin in;
    if (i > 0) {
      in.via = "pipe";
      in.from = upstream_names;
      in.paths = upstream_paths;
      in.text = std::move(last_output);
    }
    Scope stage_scope = scope.child();  // each stage runs in a subshell
    StageOut so;
    so.piped = i + 1 < p.commands.size();
    std::size_t first_command = out_.commands.size(), first_read = out_.reads.size();
    walk_command(*p.commands[i], stage_scope, depth, via, wrappers, in, so);
    for (std::size_t k = first_command; k < out_.commands.size(); ++k)
      if (seen_names.insert(out_.commands[k].name).second) upstream_names.push_back(out_.commands[k].name);
    for (std::size_t k = first_read; k < out_.reads.size(); ++k)
      if (seen_paths.insert(out_.reads[k].path).second) upstream_paths.push_back(out_.reads[k].path);
    last_output = std::move(so.output);
  }
}

void Walker::walk_command(const ast::Command& c, Scope& scope, int depth, const std::string& via,
                          const std::vector<std::string>& wrappers, const Stdin& stdin, StageOut& so) {
  budget_.charge();
  using K = ast::Command::Kind;
  if (c.kind == K::Simple) {
    walk_simple(c, scope, depth, via, wrappers, stdin, so);
    return;
  }
  std::vector<Field> ignored;
  for (const auto& w : c.words) {
    ignored.clear();
    expand(w, scope, depth, ignored);
  }
  if (c.kind == K::Group && !c.name.empty()) scope.set(c.name, std::nullopt);  // loop variable
  if (c.kind == K::Subshell || c.kind == K::Function) {
    Scope inner = scope.child();
    if (c.kind == K::Function) defining_.push_back(c.name);
    for (const auto& b : c.bodies) walk_list(*b, inner, depth, via, wrappers);
    if (c.kind == K::Function) defining_.pop_back();
  } else {
    for (const auto& b : c.bodies) walk_list(*b, scope, depth, via, wrappers);
  }
  for (const auto& r : c.redirects) {
    if (r.heredoc || r.op == "<<<") continue;
    Field f = expand_one(r.target, scope, depth);
    bool dup = (r.op == ">&" || r.op == "<&") && (f.text == "-" || std::all_of(f.text.begin(), f.text.end(), ::isdigit));
    if (dup || f.procsub) continue;
    if (r.op == "<") add_read(f, scope.cwd, "redirect");
    else if (!null_device(f.text)) {
      add_write(f, scope.cwd, "redirect");
      written_.note(out_.writes.back().path, std::nullopt, "redirect", false);
    }
  }
}

void Walker::walk_simple(const ast::Command& c, Scope& scope, int depth, const std::string& via,
                         const std::vector<std::string>& wrappers, const Stdin& stdin, StageOut& so) {
  Exec e;
  e.cwd = scope.cwd;
  e.depth = depth;
  e.via = via;
  e.wrappers = wrappers;
  e.stdin = stdin;
  for (const auto& a : c.assignments) {
    Field f = expand_one(a.value, scope, depth);
    e.assignments.push_back(a.name + "=" + f.text);
    if (c.words.empty()) {
      if (f.dynamic || a.array || a.append || f.text.size() > 65536) scope.set(a.name, std::nullopt);
      else scope.set(a.name, f.text);
    }
  }
  e.argv.reserve(c.words.size());
  for (const auto& w : c.words) expand(w, scope, depth, e.argv);
  for (const auto& as : e.assignments) {
    std::size_t eq = as.find('=');
    note_assignment(out_, std::string_view(as).substr(0, eq), std::string_view(as).substr(eq + 1),
                    e.argv.empty() ? std::string_view() : std::string_view(e.argv[0].text));
  }
  for (const auto& r : c.redirects) {
    Redirect rr;
    rr.fd = r.fd;
    rr.op = r.op;
    if (r.heredoc) {
      Field body = expand_one(r.heredoc->body, scope, depth);
      e.stdin = Stdin{};
      e.stdin.text = body.text;
      e.stdin.via = "heredoc";
      e.stdin.from = body.sources;
    } else if (r.op == "<<<") {
      Field f = expand_one(r.target, scope, depth);
      e.stdin = Stdin{};
      e.stdin.text = f.text + "\n";
      e.stdin.via = "here-string";
      e.stdin.from = f.sources;
      rr.target = f.text;
    } else {
      Field f = expand_one(r.target, scope, depth);
      rr.target = f.text;
      bool dup = (r.op == ">&" || r.op == "<&") &&
                 (f.text == "-" || (!f.text.empty() && std::all_of(f.text.begin(), f.text.end(), ::isdigit)));
      if (!dup && !f.procsub) {
        PathEffect pe = path_effect(f, scope.cwd, "redirect");
        rr.path = pe.path;
        if (r.op == "<") {
          add_read(f, scope.cwd, "redirect");
          e.stdin = Stdin{};
          e.stdin.paths.push_back(pe.path);
          e.stdin.via = "file";
        } else if (!null_device(f.text)) {
          if (r.op == "<>") add_read(f, scope.cwd, "redirect");
          add_write(f, scope.cwd, "redirect");
        }
      } else if (f.procsub && r.op == "<") {
        e.stdin = Stdin{};
        e.stdin.from = f.sources;
        e.stdin.via = "pipe";
      }
    }
    e.redirects.push_back(std::move(rr));
  }
  if (e.argv.empty()) return;

  // builtins that change the walker's state (also as `builtin cd`, `time cd`)
  std::size_t k0 = 0;
  while (k0 + 1 < e.argv.size() && !e.argv[k0].dynamic &&
         (e.argv[k0].text == "builtin" || e.argv[k0].text == "command" || e.argv[k0].text == "time" ||
          ((e.argv[k0].text == "-p" || e.argv[k0].text == "--") && k0 > 0)))
    ++k0;
  std::string n0 = e.argv[k0].dynamic ? "" : e.argv[k0].text;
  if ((n0 == "cd" || n0 == "pushd") && wrappers.empty()) {
    std::size_t k = k0 + 1;
    while (k < e.argv.size() && (e.argv[k].text == "-L" || e.argv[k].text == "-P" || e.argv[k].text == "--")) ++k;
    if (k >= e.argv.size()) scope.cwd = ctx_.home;
    else if (e.argv[k].dynamic || e.argv[k].text == "-") scope.cwd.clear();
    else {
      std::string t = e.argv[k].text;
      if (t[0] != '/' && t[0] != '~' && scope.cwd.empty()) scope.cwd.clear();
      else scope.cwd = normalize_path(t, scope.cwd, ctx_.home);
    }
  } else if (n0 == "popd") {
    scope.cwd.clear();
  } else if (n0 == "export" || n0 == "declare" || n0 == "typeset" || n0 == "local" || n0 == "readonly") {
    for (std::size_t k = 1; k < e.argv.size(); ++k) {
      const std::string& t = e.argv[k].text;
      std::size_t eq = t.find('=');
      if (eq == std::string::npos || eq == 0 || t[0] == '-') continue;
      std::string name = t.substr(0, eq);
      if (e.argv[k].dynamic) scope.set(name, std::nullopt);
      else scope.set(name, t.substr(eq + 1));
      note_assignment(out_, name, std::string_view(t).substr(eq + 1), "");
    }
  } else if (n0 == "unset") {
    for (std::size_t k = 1; k < e.argv.size(); ++k) scope.set(e.argv[k].text, std::string());
  }
  auto writes_file = [](const Redirect& r) {
    return !r.path.empty() &&
           (r.op == ">" || r.op == ">|" || r.op == ">>" || r.op == "&>" || r.op == "&>>" || r.op == "<>");
  };
  // The literal output matters only to a next pipeline stage or a file written.
  if (!so.piped && std::none_of(e.redirects.begin(), e.redirects.end(), writes_file)) so.output.reset();
  else if (n0 == "cat" && e.argv.size() == 1 && e.stdin.text) so.output = e.stdin.text;
  else so.output = literal_output(e.argv, scope.cwd);
  // what a script run later in this command line would contain; the last file of the output takes
  // it when no pipeline stage reads it
  std::size_t last_text = e.redirects.size();
  auto stdout_text = [](const Redirect& r) { return (r.fd == -1 || r.fd == 1) && r.op != "<>"; };
  if (!so.piped)
    for (std::size_t k = 0; k < e.redirects.size(); ++k)
      if (writes_file(e.redirects[k]) && stdout_text(e.redirects[k])) last_text = k;
  for (std::size_t k = 0; k < e.redirects.size(); ++k) {
    const Redirect& r = e.redirects[k];
    if (!writes_file(r)) continue;
    std::string_view writer = n0.empty() ? std::string_view("$") : std::string_view(n0).substr(n0.find_last_of('/') + 1);
    bool append = r.op == ">>" || r.op == "&>>";
    if (k == last_text) written_.note(r.path, std::move(so.output), writer, append);
    else written_.note(r.path, stdout_text(r) ? so.output : std::nullopt, writer, append);
  }
  run_exec(std::move(e));
}

Field Walker::expand_one(const ast::Word& w, Scope& scope, int depth) {
  std::vector<Field> fs;
  expand(w, scope, depth, fs, false);
  if (fs.empty()) return Field{};
  Field f = std::move(fs[0]);
  for (std::size_t i = 1; i < fs.size(); ++i) {
    f.text += " " + fs[i].text;
    f.dynamic = f.dynamic || fs[i].dynamic;
    f.glob = f.glob || fs[i].glob;
    f.sources.insert(f.sources.end(), fs[i].sources.begin(), fs[i].sources.end());
  }
  return f;
}

std::vector<std::string> Walker::walk_sub(const ast::List& body, Scope& scope, int depth, const std::string& via,
                                          std::optional<std::string>* output) {
  if (static_cast<std::size_t>(depth) + 1 > limits_.max_depth) throw LimitExceeded("command nesting too deep");
  Scope inner = scope.child();
  std::size_t first = out_.commands.size();
  walk_list(body, inner, depth + 1, via, {});
  std::vector<std::string> names;
  for (std::size_t k = first; k < out_.commands.size(); ++k) names.push_back(out_.commands[k].name);
  if (output) {
    output->reset();
    if (body.items.size() == 1 && body.items[0].pipelines.size() == 1 &&
        body.items[0].pipelines[0].commands.size() == 1 && out_.commands.size() == first + 1) {
      const Command& c = out_.commands[first];
      if (c.redirects.empty() && !c.dynamic_args && !c.dynamic_name && c.wrappers.empty()) {
        std::vector<Field> argv;
        argv.push_back(Field{c.word});
        for (const auto& a : c.args) argv.push_back(Field{a});
        *output = literal_output(argv, inner.cwd);
      }
    }
  }
  return names;
}

std::optional<std::string> Walker::param_value(const ast::Part& p, Scope& scope) const {
  const std::string& name = p.text;
  std::optional<std::string> base;
  bool known = false;
  if (const auto* v = scope.find(name)) {
    known = v->has_value();
    base = *v;
  } else if (name == "HOME" && !ctx_.home.empty()) {
    known = true, base = ctx_.home;
  } else if (name == "PWD" && !scope.cwd.empty()) {
    known = true, base = scope.cwd;
  } else if (name == "TMPDIR" && !ctx_.tmpdir.empty()) {
    known = true, base = ctx_.tmpdir;
  } else if (name == "IFS") {
    known = true, base = std::string(" \t\n");
  }
  static const std::string none;
  const std::string& op = p.param ? p.param->op : none;
  const std::string& arg = p.param ? p.param->arg : none;
  if (arg.find('\x01') != std::string::npos || arg.find('$') != std::string::npos) {
    if (op.empty() || op == ":") return known ? base : std::nullopt;
    return std::nullopt;
  }
  if (op.empty()) return known ? base : std::nullopt;
  if (!known) return std::nullopt;
  if (op == ":-" || op == ":=") return base->empty() ? arg : *base;
  if (op == "-" || op == "=") return *base;
  if (op == ":+") return base->empty() ? std::string() : arg;
  if (op == "+") return arg;
  if (op == ":") {
    std::string a = arg;
    std::size_t colon = a.find(':');
    try {
      long off = std::stol(a.substr(0, colon));
      long len = colon == std::string::npos ? static_cast<long>(base->size()) : std::stol(a.substr(colon + 1));
      long size = static_cast<long>(base->size());
      if (off < 0) off = std::max(0L, size + off);
      if (off > size || len < 0) return std::nullopt;
      return base->substr(static_cast<std::size_t>(off), static_cast<std::size_t>(len));
    } catch (...) {
      return std::nullopt;
    }
  }
  return std::nullopt;
}

void Walker::expand(const ast::Word& w, Scope& scope, int depth, std::vector<Field>& fields, bool split) {
  budget_.charge();
  // pure unquoted literal with braces: brace expansion
  if (split && w.parts.size() == 1 && w.parts[0].kind == ast::Part::Kind::Literal && !w.parts[0].quoted &&
      w.parts[0].text.find('{') != std::string::npos) {
    int work = 4 * kMaxBraceWords;
    for (auto& t : expand_braces(w.parts[0].text, work)) {
      Field f;
      f.glob = has_glob(t);
      f.text = std::move(t);
      fields.push_back(std::move(f));
    }
    return;
  }
  Field cur;
  bool started = false;
  auto flush = [&] {
    if (started) fields.push_back(std::move(cur));
    cur = Field{};
    started = false;
  };
  auto add_value = [&](const std::string& v, bool quoted) {
    expanded_bytes_ += v.size();
    if (expanded_bytes_ > kMaxExpandedBytes) throw LimitExceeded("expansion too large");
    if (quoted || !split) {
      cur.text += v;
      started = true;
      return;
    }
    for (char ch : v) {
      if (is_ifs(ch)) {
        flush();
      } else {
        cur.text += ch;
        started = true;
        if (ch == '*' || ch == '?' || ch == '[') cur.glob = true;
      }
    }
  };
  using K = ast::Part::Kind;
  for (const auto& p : w.parts) {
    switch (p.kind) {
      case K::Literal:
        cur.text += p.text;
        started = true;
        if (!p.quoted && has_glob(p.text)) cur.glob = true;
        break;
      case K::Tilde:
        if (p.text.empty()) {
          if (ctx_.home.empty()) cur.text += "~", cur.dynamic = true;
          else cur.text += ctx_.home;
        } else if (p.text == "root") {
          cur.text += "/root";
        } else {
          cur.text += "/home/" + p.text;
        }
        started = true;
        break;
      case K::Param: {
        if (p.body) {
          auto names = walk_sub(*p.body, scope, depth, "$()", nullptr);
          cur.sources.insert(cur.sources.end(), names.begin(), names.end());
        }
        auto v = param_value(p, scope);
        if (v) {
          add_value(*v, p.quoted);
        } else {
          cur.text += "$" + p.text;
          cur.dynamic = true;
          started = true;
        }
        break;
      }
      case K::CommandSub: {
        std::optional<std::string> o;
        auto names = walk_sub(*p.body, scope, depth, "$()", &o);
        cur.sources.insert(cur.sources.end(), names.begin(), names.end());
        if (o) {
          while (!o->empty() && o->back() == '\n') o->pop_back();
          add_value(*o, p.quoted);
        } else {
          cur.text += kSubstitution;
          cur.dynamic = true;
          started = true;
        }
        break;
      }
      case K::Arith:
        if (p.body) {
          auto names = walk_sub(*p.body, scope, depth, "$()", nullptr);
          cur.sources.insert(cur.sources.end(), names.begin(), names.end());
        }
        cur.text += "$_ARITH_";
        cur.dynamic = true;
        started = true;
        break;
      case K::ProcessSub: {
        auto names = walk_sub(*p.body, scope, depth, p.text == "<" ? "<()" : ">()", nullptr);
        cur.sources.insert(cur.sources.end(), names.begin(), names.end());
        cur.text += "/dev/fd/63";
        cur.procsub = true;
        started = true;
        break;
      }
    }
  }
  flush();
}

PathEffect Walker::path_effect(const Field& f, const std::string& cwd, std::string_view command) const {
  PathEffect pe;
  pe.raw = f.text;
  pe.cwd = cwd;
  pe.command = std::string(command);
  pe.glob = f.glob;
  pe.dynamic = f.dynamic;
  const std::string& t = f.text;
  if (t.empty()) {
    pe.path = "";
    return pe;
  }
  if (t[0] == '$') {  // depends on an unknown variable or substitution: cannot be placed
    pe.path = t;
    pe.dynamic = true;
    return pe;
  }
  if (t[0] != '/' && t[0] != '~' && cwd.empty()) {
    pe.path = t;
    pe.dynamic = true;
    return pe;
  }
  pe.path = normalize_path(t, cwd, ctx_.home);
  return pe;
}

void Walker::add_write(const Field& f, const std::string& cwd, std::string_view command, bool recursive) {
  PathEffect pe = path_effect(f, cwd, command);
  pe.recursive = recursive;
  // what a script run later would contain: not known (redirects of simple commands are noted with
  // their text once the command's output is known)
  if (command != "redirect" && command != "chmod" && command != "chown" && command != "chgrp" && command != "touch")
    written_.note(pe.path, std::nullopt, command, false);
  out_.writes.push_back(std::move(pe));
}

void Walker::add_delete(const Field& f, const std::string& cwd, std::string_view command, bool recursive) {
  PathEffect pe = path_effect(f, cwd, command);
  pe.recursive = recursive;
  // `.*` may match `..` in older shells: count the parent as deleted too.
  if (f.glob && pe.path.size() >= 2 && pe.path.compare(pe.path.size() - 2, 2, ".*") == 0 &&
      (pe.path.size() == 2 || pe.path[pe.path.size() - 3] == '/')) {
    PathEffect parent = pe;
    parent.path = normalize_path(pe.path.substr(0, pe.path.size() - 2) + "..", "", "");
    out_.deletes.push_back(std::move(parent));
  }
  out_.deletes.push_back(std::move(pe));
}

void Walker::add_read(const Field& f, const std::string& cwd, std::string_view command) {
  out_.reads.push_back(path_effect(f, cwd, command));
}

// ---- carriers --------------------------------------------------------------

namespace {

std::string base_name(const std::string& word) {
  std::size_t slash = word.find_last_of("/\\");
  std::string b = slash == std::string::npos ? word : word.substr(slash + 1);
  b = lower(std::move(b));
  if (b.size() > 4 && b.compare(b.size() - 4, 4, ".exe") == 0) b.resize(b.size() - 4);
  return b;
}

// Skips options of a carrier. `with_value`: options taking a separate value;
// stops at the first non-option or after "--". Returns the index of the command.
std::size_t skip_options(const std::vector<Field>& a, std::size_t i, std::initializer_list<std::string_view> with_value,
                         std::initializer_list<std::string_view> long_with_value = {}) {
  while (i < a.size()) {
    const std::string& t = a[i].text;
    if (t == "--") return i + 1;
    if (t.size() < 2 || t[0] != '-') return i;
    if (t[1] == '-') {
      std::string name = t.substr(0, t.find('='));
      bool takes = std::find(long_with_value.begin(), long_with_value.end(), name) != long_with_value.end();
      i += (takes && t.find('=') == std::string::npos) ? 2 : 1;
      continue;
    }
    // short bundle: a value-taking letter consumes the rest or the next word
    bool consumed_next = false;
    for (std::size_t j = 1; j < t.size(); ++j) {
      std::string opt = std::string("-") + t[j];
      if (std::find(with_value.begin(), with_value.end(), opt) != with_value.end()) {
        consumed_next = j + 1 == t.size();
        break;
      }
    }
    i += consumed_next ? 2 : 1;
  }
  return i;
}

std::string join_texts(const std::vector<Field>& a, std::size_t from) {
  std::string s;
  for (std::size_t i = from; i < a.size(); ++i) {
    if (i > from) s += ' ';
    s += a[i].text;
  }
  return s;
}

}  // namespace

bool Walker::strip_carrier(Exec& e) {
  auto& a = e.argv;
  if (a.empty() || a[0].dynamic) return false;
  const std::string base = base_name(a[0].text);
  std::string_view n = base;  // compared with many literals: no strlen per comparison
  std::string wname = base;
  std::size_t k = 0;
  auto to_shell = [&](const std::string& wrapper, const Field& code) {
    e.wrappers.push_back(wrapper);
    Field sh{"sh"};
    Field c{"-c"};
    std::vector<Field> v{sh, c, code};
    a = std::move(v);
    return true;
  };
  if (n == "nohup" || n == "builtin" || n == "unbuffer" || n == "busybox") {
    k = 1;
  } else if (n == "command") {
    if (a.size() > 1 && (a[1].text == "-v" || a[1].text == "-V" || a[1].text == "-pv" || a[1].text == "-pV"))
      return false;
    k = skip_options(a, 1, {});
  } else if (n == "exec") {
    k = skip_options(a, 1, {"-a"});
  } else if (n == "time") {
    k = skip_options(a, 1, {"-f", "-o"}, {"--format", "--output"});
  } else if (n == "nice") {
    k = skip_options(a, 1, {"-n"}, {"--adjustment"});
  } else if (n == "timeout") {
    k = skip_options(a, 1, {"-s", "-k"}, {"--signal", "--kill-after"});
    if (k < a.size()) ++k;  // duration
  } else if (n == "stdbuf") {
    k = skip_options(a, 1, {"-i", "-o", "-e"}, {"--input", "--output", "--error"});
  } else if (n == "ionice") {
    k = skip_options(a, 1, {"-c", "-n", "-p", "-P", "-u"}, {"--class", "--classdata", "--pid"});
  } else if (n == "setsid") {
    k = skip_options(a, 1, {});
  } else if (n == "chroot") {
    k = skip_options(a, 1, {}, {"--userspec", "--groups"});
    if (k < a.size()) ++k;  // new root
    if (k >= a.size()) return false;
  } else if (n == "flock") {
    for (std::size_t i = 1; i + 1 < a.size(); ++i)
      if (a[i].text == "-c" || a[i].text == "--command") return to_shell("flock", a[i + 1]);
    k = skip_options(a, 1, {"-w", "-E"}, {"--timeout", "--conflict-exit-code"});
    if (k < a.size()) ++k;  // lock file
  } else if (n == "sudo" || n == "doas" || n == "pkexec" || n == "sudoedit") {
    if (n == "sudoedit") return false;
    if (n == "sudo") {
      k = skip_options(a, 1, {"-u", "-g", "-h", "-p", "-C", "-r", "-t", "-U", "-D", "-T", "-R"},
                       {"--user", "--group", "--host", "--prompt", "--close-from", "--role", "--type",
                        "--other-user", "--chdir", "--command-timeout", "--chroot"});
      for (std::size_t i = 1; i < k && i < a.size(); ++i) {
        const std::string& t = a[i].text;
        if (t == "-e" || t == "--edit") {  // sudo -e FILE: sudoedit
          Field f{"sudoedit"};
          e.wrappers.push_back("sudo");
          std::vector<Field> v{f};
          v.insert(v.end(), a.begin() + static_cast<std::ptrdiff_t>(k), a.end());
          a = std::move(v);
          return true;
        }
        if ((t == "-D" || t == "--chdir") && i + 1 < a.size() && !a[i + 1].dynamic)
          e.cwd = normalize_path(a[i + 1].text, e.cwd, ctx_.home);
      }
    } else if (n == "doas") {
      k = skip_options(a, 1, {"-u", "-C"});
    } else {
      k = skip_options(a, 1, {}, {"--user"});
    }
    if (k >= a.size()) return false;
  } else if (n == "su" || n == "runuser") {
    for (std::size_t i = 1; i < a.size(); ++i) {
      const std::string& t = a[i].text;
      if ((t == "-c" || t == "--command") && i + 1 < a.size()) return to_shell(base, a[i + 1]);
      if (t.rfind("--command=", 0) == 0) return to_shell(base, Field{t.substr(10), a[i].dynamic});
    }
    return false;
  } else if (n == "env") {
    std::size_t i = 1;
    int splits = 0;
    while (i < a.size()) {
      const std::string& t = a[i].text;
      if (t == "--") {
        ++i;
        break;
      }
      if (t == "-" || t == "-i" || t == "-0" || t == "-v" || t == "--ignore-environment" || t == "--null" ||
          t == "--debug") {
        ++i;
      } else if (t == "-u" || t == "--unset" || t == "-P") {
        i += 2;
      } else if (t == "-C" || t == "--chdir" || t.rfind("--chdir=", 0) == 0 || (t.rfind("-C", 0) == 0 && t.size() > 2)) {
        std::string dir;
        if (t == "-C" || t == "--chdir") {
          if (i + 1 < a.size()) dir = a[i + 1].text;
          i += 2;
        } else {
          dir = t.rfind("--chdir=", 0) == 0 ? t.substr(8) : t.substr(2);
          ++i;
        }
        e.cwd = dir.empty() || dir[0] == '$' ? std::string() : normalize_path(dir, e.cwd, ctx_.home);
      } else if (t == "-S" || t == "--split-string" || t.rfind("--split-string=", 0) == 0 ||
                 (t.rfind("-S", 0) == 0 && t.size() > 2)) {
        std::string s;
        if (t == "-S" || t == "--split-string") {
          if (i + 1 < a.size()) s = a[i + 1].text;
          i += 2;
        } else {
          s = t.rfind("--split-string=", 0) == 0 ? t.substr(15) : t.substr(2);
          ++i;
        }
        // the words of the string take the place of the option: parse them as env arguments
        std::vector<Field> words;
        std::string cur;
        for (char ch : s + " ") {
          if (is_ifs(ch)) {
            if (!cur.empty()) words.push_back(Field{cur});
            cur.clear();
          } else {
            cur += ch;
          }
        }
        a.erase(a.begin() + 1, a.begin() + static_cast<std::ptrdiff_t>(std::min(i, a.size())));
        a.insert(a.begin() + 1, words.begin(), words.end());
        i = 1;
        if (++splits > 8) break;
      } else if (t.rfind("-u", 0) == 0 || t.rfind("--unset=", 0) == 0 || t.rfind("--", 0) == 0 ||
                 (t.size() > 1 && t[0] == '-')) {
        ++i;
      } else if (t.find('=') != std::string::npos && t[0] != '=') {
        e.assignments.push_back(t);
        ++i;
      } else {
        break;
      }
    }
    std::vector<Field> rest(a.begin() + static_cast<std::ptrdiff_t>(std::min(i, a.size())), a.end());
    if (rest.empty()) return false;
    e.wrappers.push_back("env");
    a = std::move(rest);
    return true;
  } else if (n == "npx" || n == "bunx" || n == "pnpx") {
    for (std::size_t i = 1; i + 1 < a.size(); ++i)
      if (a[i].text == "-c" || a[i].text == "--call") return to_shell(base, a[i + 1]);
    k = skip_options(a, 1, {"-p"}, {"--package"});
  } else if ((n == "bundle" || n == "pnpm" || n == "npm" || n == "yarn") && a.size() > 2 &&
             (a[1].text == "exec" || a[1].text == "dlx")) {
    wname = base + " " + a[1].text;
    k = skip_options(a, 2, {});
  } else if ((n == "poetry" || n == "pipenv" || n == "uv" || n == "pdm" || n == "hatch") && a.size() > 2 &&
             a[1].text == "run") {
    wname = base + " run";
    k = skip_options(a, 2, {"-p"}, {"--with", "--python", "--directory", "--project", "--env-file", "--package",
                                    "--extra", "--group"});
  } else if (n == "uvx" || n == "pipx") {
    std::size_t from = n == "pipx" ? (a.size() > 1 && a[1].text == "run" ? 2 : 0) : 1;
    if (from == 0) return false;
    k = skip_options(a, from, {}, {"--from", "--with", "--python", "--spec"});
  } else if ((n == "conda" || n == "mamba" || n == "micromamba") && a.size() > 2 && a[1].text == "run") {
    wname = base + " run";
    k = skip_options(a, 2, {"-n", "-p"}, {"--name", "--prefix", "--cwd"});
  } else {
    return false;
  }
  if (k == 0 || k >= a.size()) return false;
  e.wrappers.push_back(wname);
  a.erase(a.begin(), a.begin() + static_cast<std::ptrdiff_t>(k));
  return true;
}

void Walker::run_exec(Exec e) {
  // xargs, find -exec, watch -x run their command through here again: bounded
  // like every other nesting.
  if (static_cast<std::size_t>(e.depth) > limits_.max_depth) throw LimitExceeded("command nesting too deep");
  for (int guard = 0; guard < 64 && strip_carrier(e); ++guard) budget_.charge();
  if (e.argv.empty()) return;
  record(e);
}

void Walker::record(Exec& e) {
  if (out_.commands.size() >= limits_.max_commands) throw LimitExceeded("too many commands");
  budget_.charge();
  Command c;
  const Field& f0 = e.argv[0];
  c.word = f0.text;
  c.dynamic_name = f0.dynamic;
  c.name = f0.dynamic ? f0.text : base_name(f0.text);
  std::vector<Field> args(std::make_move_iterator(e.argv.begin() + 1), std::make_move_iterator(e.argv.end()));
  if (!f0.dynamic && c.name.size() > 4 && c.name.rfind("git-", 0) == 0) {
    std::string sub = c.name.substr(4);
    if (std::all_of(sub.begin(), sub.end(), [](char ch) { return (ch >= 'a' && ch <= 'z') || ch == '-'; })) {
      c.name = "git";
      args.insert(args.begin(), Field{sub});
    }
  }
  c.args.reserve(args.size());
  for (const auto& a : args) {
    c.args.push_back(a.text);
    if (a.dynamic) c.dynamic_args = true;
  }
  c.dynamic_args = c.dynamic_args || e.dynamic_args;
  ParsedArgs pa = parse_args(c.name, c.args);
  c.flags = std::move(pa.flags);
  c.operands = std::move(pa.operands);
  c.options = std::move(pa.options);
  c.wrappers = e.wrappers;
  c.assignments = e.assignments;
  c.redirects = e.redirects;
  c.via = e.via;
  c.cwd = e.cwd;
  c.depth = e.depth;
  c.stdin_from = e.stdin.from;
  if (e.stdin.text) c.input = e.stdin.text->substr(0, 64 * 1024);
  if (c.name == "git") {
    // git -c alias.NAME=VALUE NAME ...: run the alias
    for (std::size_t k = 0; k + 1 < c.args.size() && k < git_subcommand_index(c.args, nullptr); ++k) {
      std::string kv = c.args[k] == "-c" ? c.args[k + 1] : c.args[k].rfind("-calias.", 0) == 0 ? c.args[k].substr(2) : "";
      if (kv.rfind("alias.", 0) != 0 || kv.find('=') == std::string::npos) continue;
      std::string name = kv.substr(6, kv.find('=') - 6), value = kv.substr(kv.find('=') + 1);
      std::size_t sub = git_subcommand_index(c.args, nullptr);
      if (sub >= c.args.size() || c.args[sub] != name || value.empty()) continue;
      std::string rest;
      for (std::size_t m = sub + 1; m < c.args.size(); ++m) rest += " " + c.args[m];
      if (value[0] == '!') {
        run_script(value.substr(1) + rest, e, "git alias");
      } else {
        run_script("git " + value + rest, e, "git alias");
      }
      break;
    }
    // `GIT CHECKOUT` reaches git on case-insensitive file systems
    std::size_t sub = git_subcommand_index(c.args, nullptr);
    if (sub < c.args.size() && !c.operands.empty() && c.operands[0] == c.args[sub]) c.operands[0] = lower(c.operands[0]);
    std::vector<std::string> dirs;
    git_subcommand_index(c.args, &dirs);
    for (const auto& d : dirs) c.cwd = d.empty() || d[0] == '$' ? std::string() : normalize_path(d, c.cwd, ctx_.home);
  }
  // The command takes its place in order before the commands its effects
  // run (bash -c, xargs, ...); it is moved there once they are walked.
  std::size_t slot = out_.commands.size();
  out_.commands.emplace_back();
  try {
    apply_effects(*this, e, c, args, pa);
  } catch (...) {
    out_.commands[slot] = std::move(c);
    throw;
  }
  out_.commands[slot] = std::move(c);
}

std::optional<std::string> literal_output(const std::vector<Field>& argv, const std::string& cwd) {
  if (argv.empty()) return std::nullopt;
  for (const auto& f : argv)
    if (f.dynamic || f.procsub) return std::nullopt;
  std::string n = base_name(argv[0].text);
  if (n == "echo") {
    std::size_t i = 1;
    bool newline = true;
    while (i < argv.size() && (argv[i].text == "-n" || argv[i].text == "-e" || argv[i].text == "-E" ||
                               argv[i].text == "-ne" || argv[i].text == "-en")) {
      if (argv[i].text.find('n') != std::string::npos) newline = false;
      ++i;
    }
    std::string s = join_texts(argv, i);
    if (newline) s += '\n';
    return s;
  }
  if (n == "printf") {
    std::size_t i = 1;
    if (i < argv.size() && argv[i].text == "--") ++i;
    if (i >= argv.size()) return std::nullopt;
    const std::string& fmt = argv[i].text;
    std::size_t next = i + 1;
    std::string s;
    for (std::size_t k = 0; k < fmt.size(); ++k) {
      char ch = fmt[k];
      if (ch == '\\' && k + 1 < fmt.size()) {
        char x = fmt[++k];
        s += x == 'n' ? '\n' : x == 't' ? '\t' : x == '\\' ? '\\' : x;
      } else if (ch == '%' && k + 1 < fmt.size()) {
        char x = fmt[++k];
        if (x == '%') s += '%';
        else if (next < argv.size()) s += argv[next++].text;
      } else {
        s += ch;
      }
    }
    while (next < argv.size()) s += argv[next++].text;  // format reuse, approximated
    return s;
  }
  if (n == "pwd" && argv.size() == 1 && !cwd.empty()) return cwd + "\n";
  if ((n == "which" && argv.size() == 2) ) return "/usr/bin/" + argv[1].text + "\n";
  if (n == "command" && argv.size() == 3 && argv[1].text == "-v") return argv[2].text + "\n";
  return std::nullopt;
}

}  // namespace preloop::shell
