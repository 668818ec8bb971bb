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
//   c.name / c.sub / o / n  == 'x', in [...], startsWith, endsWith, contains, matches('^lit')
//   c.operands.exists(o, P)       P's atoms over operands; 'x' in c.operands, 'x' in shell.names
// Anything else (negation, ?:, other macros, variables, non-literal
// arguments) is unknown, and unknown makes the whole condition Always.
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

  // The field a string-valued expression is tested against, or nullopt.
  // `c.sub` is the first operand or '' without one, so it maps to Operand
  // only for non-empty literals (checked by the caller via sub_).
  std::optional<FactField> string_field(const Expr& e, bool* is_sub) const {
    *is_sub = false;
    if (command_field(e, "name")) return FactField::Name;
    if (command_field(e, "sub")) {
      *is_sub = true;
      return FactField::Operand;
    }
    auto b = bound(e);
    if (b == Bound::Operand) return FactField::Operand;
    if (b == Bound::Alias) return FactField::Alias;
    return std::nullopt;
  }

  static Atoms atoms(FactField f, FactOp op, const std::vector<std::string>& lits, bool is_sub) {
    std::vector<PrefilterAtom> out;
    for (const auto& l : lits) {
      if (is_sub && l.empty()) return std::nullopt;
      out.push_back({f, op, l});
    }
    return out;
  }

  static int cost(const std::vector<PrefilterAtom>& a) {
    int c = 0;
    for (const auto& x : a)
      c += (x.field == FactField::NameSub ? 1 : x.field == FactField::Flag ? 4 : 2) + (x.op != FactOp::Eq);
    return c;
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
      return best;
    }
    if (!e.target && fn == "_==_" && e.args.size() == 2) {
      for (int i = 0; i < 2; ++i) {
        bool sub = false;
        auto f = string_field(*e.args[i], &sub);
        auto lit = text(*e.args[1 - i]);
        if (f && lit) return atoms(*f, FactOp::Eq, {*lit}, sub);
      }
      return std::nullopt;
    }
    if (!e.target && fn == "@in" && e.args.size() == 2) return in(*e.args[0], *e.args[1]);
    if (e.target && fn == "is" && bound(*e.target) == Bound::Command) return is(e);
    if (e.target && e.args.size() == 1) {
      bool sub = false;
      auto f = string_field(*e.target, &sub);
      auto lit = text(*e.args[0]);
      if (!f || !lit) return std::nullopt;
      if (fn == "startsWith") return atoms(*f, FactOp::Prefix, {*lit}, sub);
      if (fn == "endsWith") return atoms(*f, FactOp::Suffix, {*lit}, sub);
      if (fn == "contains") return atoms(*f, FactOp::Contains, {*lit}, sub);
      if (fn == "matches" && !sub) {
        auto prefix = anchored_prefix(*lit);
        if (prefix) return atoms(*f, FactOp::Prefix, {*prefix}, false);
      }
    }
    return std::nullopt;
  }

  Atoms in(const Expr& item, const Expr& list) {
    bool sub = false;
    if (auto f = string_field(item, &sub))
      if (auto lits = texts(list)) return atoms(*f, FactOp::Eq, *lits, sub);
    auto lit = text(item);
    if (!lit) return std::nullopt;
    if (command_field(list, "operands")) return atoms(FactField::Operand, FactOp::Eq, {*lit}, false);
    if (shell_field(list, "names")) return atoms(FactField::Alias, FactOp::Eq, {*lit}, false);
    return std::nullopt;
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
    for (const char* list : {"deletes", "writes", "reads", "sends", "scripts", "dynamic_code"})
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
