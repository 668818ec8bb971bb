// Derivation of a prefilter from the CEL syntax tree. derive(e) returns atoms
// such that: when no atom holds for a call, e evaluates to exactly false
// (not to an error). Each rule below keeps that invariant:
//   A && B && ...          the best defined term's atoms (a false term decides &&)
//   A || B || ...          the union, only when every term is defined
//   shell.commands.exists(c, P)   P's atoms (no command satisfies P: false)
//   shell.names.exists(n, P)      P's atoms over shell.names
//   shell.<list>.exists(v, ...)   "<list> is not empty" (exists over [] is false)
//   shell.fork_bomb, shell.unparseable, c.dynamic_name   that flag
//   c.is(names[, sub, ...])       the names (with the first sub when constant)
//   c.name in N && c.sub in S     the (name, sub) pairs
//   c.name / c.sub / o / n  == 'x', in [...], startsWith, endsWith, contains, matches('^lit')
//   c.operands.exists(o, P)       P's atoms over operands; 'x' in c.operands, 'x' in shell.names
//   args.<field> == 'x', in [...], startsWith, endsWith, contains, matches('^lit')
//                                 (the call admits the atom unless args.<field> is a string)
//   s.under(D | [D...])           s starts with each D (trailing '/' dropped)
//   s.matchesGlob(G | [G...])     s contains each G's longest literal run (no * ? [ ] /)
// Anything else (negation, ?:, other macros, variables, non-literal
// arguments) is unknown, and unknown makes the whole condition Always.
#include <algorithm>
#include <optional>
#include <utility>

#include "cel/ast.h"
#include "cel/parser.h"
#include "policy/prefilter.h"

namespace preloop::policy {
namespace {

using cel::Expr;
using cel::ExprKind;
using Atoms = std::optional<std::vector<PrefilterAtom>>;  // nullopt: unknown

// What an iteration variable in scope ranges over.
enum class Bound { Command, Operand, Alias };

class Deriver {
 public:
  Atoms derive(const Expr& e) {
    switch (e.kind) {
      case ExprKind::Call: return call(e);
      case ExprKind::Comprehension: return comprehension(e);
      case ExprKind::Select: return select(e);
      default: return std::nullopt;
    }
  }

 private:
  std::vector<std::pair<std::string, Bound>> scope_;  // innermost last

  std::optional<Bound> bound(const Expr& e) const {
    if (e.kind != ExprKind::Ident || e.root) return std::nullopt;
    for (auto it = scope_.rbegin(); it != scope_.rend(); ++it)
      if (it->first == e.name) return it->second;
    return std::nullopt;
  }
  bool in_scope(const std::string& name) const {
    for (const auto& [n, b] : scope_)
      if (n == name) return true;
    return false;
  }
  // `shell.<field>` with `shell` the global variable, not a macro variable.
  bool shell_field(const Expr& e, const char* field) const {
    return e.kind == ExprKind::Select && !e.test_only && e.name == field && e.target &&
           e.target->kind == ExprKind::Ident && e.target->name == "shell" && (e.target->root || !in_scope("shell"));
  }
  // `c.<field>` with c a command variable.
  bool command_field(const Expr& e, const char* field) const {
    return e.kind == ExprKind::Select && !e.test_only && e.name == field && e.target &&
           bound(*e.target) == Bound::Command;
  }

  static std::optional<std::string> text(const Expr& e) {
    if (e.kind != ExprKind::Const || !e.value.is_string()) return std::nullopt;
    return std::string(e.value.as_string());
  }
  static std::optional<std::vector<std::string>> texts(const Expr& e) {
    if (e.kind != ExprKind::List) return std::nullopt;
    std::vector<std::string> out;
    for (const auto& a : e.args) {
      auto t = text(*a);
      if (!t) return std::nullopt;
      out.push_back(std::move(*t));
    }
    return out;
  }

  // A string-valued expression the prefilter can test: its field, and the
  // prefix of its atoms' text (Arg: "key\0"). `c.sub` is the first operand
  // or '' without one, so it maps to Operand only for non-empty literals.
  struct Tested {
    FactField field;
    std::string prefix;
    bool is_sub = false;
  };
  std::optional<Tested> string_field(const Expr& e) const {
    if (command_field(e, "name")) return Tested{FactField::Name, ""};
    if (command_field(e, "sub")) return Tested{FactField::Operand, "", true};
    if (e.kind == ExprKind::Select && !e.test_only && e.target && e.target->kind == ExprKind::Ident &&
        e.target->name == "args" && (e.target->root || !in_scope("args")) && e.name.find('\0') == std::string::npos)
      return Tested{FactField::Arg, e.name + '\0'};
    auto b = bound(e);
    if (b == Bound::Operand) return Tested{FactField::Operand, ""};
    if (b == Bound::Alias) return Tested{FactField::Alias, ""};
    return std::nullopt;
  }

  static Atoms atoms(const Tested& t, FactOp op, const std::vector<std::string>& lits) {
    std::vector<PrefilterAtom> out;
    for (const auto& l : lits) {
      if (t.is_sub && l.empty()) return std::nullopt;
      out.push_back({t.field, op, t.prefix + l});
    }
    return out;
  }

  // Roughly how often the atoms admit a call: a name with its subcommand is
  // rarer than a name, an operand or an args substring; flags are common.
  static int cost(const std::vector<PrefilterAtom>& a) {
    int c = 0;
    for (const auto& x : a)
      c += (x.field == FactField::NameSub ? 1 : x.field == FactField::Flag ? 30 : 10) * (x.op == FactOp::Eq ? 1 : 2);
    return c;
  }

  // The literals of `c.<field> == 'x'` or `c.<field> in [...]` (and c.is(names)
  // for "name"), with c the command variable `*var`.
  std::optional<std::vector<std::string>> command_literals(const Expr& t, const char* field, std::string* var) const {
    if (t.kind != ExprKind::Call) return std::nullopt;
    const Expr* lhs = nullptr;
    std::optional<std::vector<std::string>> lits;
    if (!t.target && t.name == "_==_" && t.args.size() == 2) {
      int i = command_field(*t.args[0], field) ? 0 : 1;
      lhs = t.args[i].get();
      if (auto one = text(*t.args[1 - i])) lits = std::vector<std::string>{*one};
    } else if (!t.target && t.name == "@in" && t.args.size() == 2) {
      lhs = t.args[0].get();
      lits = texts(*t.args[1]);
    } else if (t.target && t.name == "is" && t.args.size() == 1 && std::string_view(field) == "name" &&
               bound(*t.target) == Bound::Command) {
      *var = t.target->name;
      if (auto one = text(*t.args[0])) return std::vector<std::string>{*one};
      return texts(*t.args[0]);
    }
    if (!lhs || !lits || !command_field(*lhs, field)) return std::nullopt;
    *var = lhs->target->name;
    return lits;
  }

  // `c.name in N && c.sub in S`: c.sub is non-empty, so it is the first
  // operand, and the pairs are NameSub atoms.
  std::optional<std::vector<PrefilterAtom>> name_sub_pairs(const Expr& conj) const {
    for (const auto& a : conj.args) {
      std::string nvar, svar;
      auto names = command_literals(*a, "name", &nvar);
      if (!names) continue;
      for (const auto& b : conj.args) {
        auto subs = command_literals(*b, "sub", &svar);
        if (!subs || svar != nvar) continue;
        std::vector<PrefilterAtom> out;
        for (const auto& sub : *subs) {
          if (sub.empty()) return std::nullopt;
          for (const auto& n : *names) out.push_back({FactField::NameSub, FactOp::Eq, n + '\0' + sub});
        }
        return out;
      }
    }
    return std::nullopt;
  }

  Atoms call(const Expr& e) {
    const std::string& fn = e.name;
    if (!e.target && (fn == "_&&_" || fn == "_||_")) {
      Atoms best;
      for (const auto& a : e.args) {
        Atoms d = derive(*a);
        if (fn == "_||_") {
          if (!d) return std::nullopt;
          if (!best) best.emplace();
          best->insert(best->end(), d->begin(), d->end());
        } else if (d && (!best || cost(*d) < cost(*best))) {
          best = std::move(d);
        }
      }
      if (fn == "_&&_")
        if (auto pairs = name_sub_pairs(e); pairs && (!best || cost(*pairs) < cost(*best))) best = std::move(pairs);
      return best;
    }
    if (!e.target && fn == "_==_" && e.args.size() == 2) {
      for (int i = 0; i < 2; ++i) {
        auto f = string_field(*e.args[i]);
        auto lit = text(*e.args[1 - i]);
        if (f && lit) return atoms(*f, FactOp::Eq, {*lit});
      }
      return std::nullopt;
    }
    if (!e.target && fn == "@in" && e.args.size() == 2) return in(*e.args[0], *e.args[1]);
    if (e.target && fn == "is" && bound(*e.target) == Bound::Command) return is(e);
    if (e.target && e.args.size() == 1 && (fn == "under" || fn == "matchesGlob")) return path_test(e);
    if (e.target && e.args.size() == 1) {
      auto f = string_field(*e.target);
      auto lit = text(*e.args[0]);
      if (!f || !lit) return std::nullopt;
      if (fn == "startsWith") return atoms(*f, FactOp::Prefix, {*lit});
      if (fn == "endsWith") return atoms(*f, FactOp::Suffix, {*lit});
      if (fn == "contains") return atoms(*f, FactOp::Contains, {*lit});
      if (fn == "matches" && !f->is_sub) {
        auto prefix = anchored_prefix(*lit);
        if (prefix) return atoms(*f, FactOp::Prefix, {*prefix});
      }
    }
    return std::nullopt;
  }

  Atoms in(const Expr& item, const Expr& list) {
    if (auto f = string_field(item))
      if (auto lits = texts(list)) return atoms(*f, FactOp::Eq, *lits);
    auto lit = text(item);
    if (!lit) return std::nullopt;
    if (command_field(list, "operands")) return atoms(Tested{FactField::Operand, ""}, FactOp::Eq, {*lit});
    if (shell_field(list, "names")) return atoms(Tested{FactField::Alias, ""}, FactOp::Eq, {*lit});
    return std::nullopt;
  }

  // s.under(dirs) is true only when s starts with one of them (path_under
  // is lexical); s.matchesGlob(globs) only when s holds, in one of its
  // components, every literal run of a glob's components (glob_match has no
  // escapes). An empty literal matches nothing; a glob without a literal run
  // leaves the condition unknown, as does a list with no literal at all.
  Atoms path_test(const Expr& e) {
    auto f = string_field(*e.target);
    std::optional<std::vector<std::string>> lits;
    if (auto one = text(*e.args[0])) lits = std::vector<std::string>{*one};
    else lits = texts(*e.args[0]);
    if (!f || !lits) return std::nullopt;
    const bool under = e.name == "under";
    std::vector<std::string> needed;
    for (std::string_view l : *lits) {
      if (l.empty()) continue;
      if (under) {
        while (l.size() > 1 && l.back() == '/') l.remove_suffix(1);
        needed.emplace_back(l);
        continue;
      }
      std::string_view run;
      for (std::size_t i = 0; i <= l.size();) {
        std::size_t j = std::min(l.find_first_of("*?[]/", i), l.size());
        if (j - i > run.size()) run = l.substr(i, j - i);
        i = j + 1;
      }
      if (run.empty()) return std::nullopt;
      needed.emplace_back(run);
    }
    if (needed.empty()) return std::nullopt;
    return atoms(*f, under ? FactOp::Prefix : FactOp::Contains, needed);
  }

  // c.is(name | [names], sub...): false unless the name matches, then the
  // first sub must equal the first operand.
  Atoms is(const Expr& e) {
    if (e.args.empty()) return std::nullopt;
    std::vector<std::string> names;
    if (auto one = text(*e.args[0])) names.push_back(*one);
    else if (auto many = texts(*e.args[0])) names = std::move(*many);
    else return std::nullopt;
    std::optional<std::string> sub;
    if (e.args.size() >= 2) sub = text(*e.args[1]);
    std::vector<PrefilterAtom> out;
    for (const auto& n : names) {
      if (sub) out.push_back({FactField::NameSub, FactOp::Eq, n + '\0' + *sub});
      else out.push_back({FactField::Name, FactOp::Eq, n});
    }
    return out;
  }

  // The literal text an RE2 pattern anchored with '^' requires at the start;
  // nullopt when the pattern has alternation or does not start with '^'.
  static std::optional<std::string> anchored_prefix(const std::string& re) {
    if (re.empty() || re[0] != '^' || re.find('|') != std::string::npos) return std::nullopt;
    std::string out;
    std::size_t i = 1;
    auto literal = [](char ch) {
      return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_' ||
             ch == '-' || ch == '/' || ch == ':' || ch == '@' || ch == '=' || ch == ',' || ch == '%';
    };
    for (; i < re.size() && literal(re[i]); ++i) out += re[i];
    // A quantifier that allows zero (or any count) applies to the last literal.
    if (i < re.size() && (re[i] == '*' || re[i] == '?' || re[i] == '{' || re[i] == '+') && !out.empty())
      out.pop_back();
    return out;
  }

  Atoms comprehension(const Expr& e) {
    if (e.macro != cel::Macro::Exists || !e.var2.empty() || !e.range || !e.predicate) return std::nullopt;
    const Expr& r = *e.range;
    for (const char* list : {"deletes", "writes", "reads", "sends", "scripts", "dynamic_code", "unknowns"})
      if (shell_field(r, list)) return std::vector<PrefilterAtom>{{FactField::Flag, FactOp::Eq, list}};
    std::optional<Bound> var;
    if (shell_field(r, "commands")) var = Bound::Command;
    else if (shell_field(r, "names")) var = Bound::Alias;
    else if (command_field(r, "operands")) var = Bound::Operand;
    if (!var) return std::nullopt;
    scope_.emplace_back(e.var1, *var);
    Atoms out = derive(*e.predicate);
    scope_.pop_back();
    return out;
  }

  Atoms select(const Expr& e) {
    for (const char* flag : {"fork_bomb", "unparseable"})
      if (shell_field(e, flag)) return std::vector<PrefilterAtom>{{FactField::Flag, FactOp::Eq, flag}};
    if (command_field(e, "dynamic_name"))
      return std::vector<PrefilterAtom>{{FactField::Flag, FactOp::Eq, "dynamic_name"}};
    return std::nullopt;
  }
};

}  // namespace

Prefilter derive_prefilter(std::string_view expression) {
  Prefilter p;
  p.state = Prefilter::State::Always;
  auto parsed = cel::parse(expression);
  if (!parsed.expr) return p;
  if (auto a = Deriver().derive(*parsed.expr)) {
    p.state = Prefilter::State::AnyOf;
    p.any_of = std::move(*a);
  }
  return p;
}

}  // namespace preloop::policy
