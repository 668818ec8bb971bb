#include "cel/planner.h"

#include <algorithm>
#include <array>
#include <optional>

#include <re2/re2.h>

#include "cel/nodes.h"
#include "cel/stdlib.h"

namespace cel {

namespace {

constexpr std::array<std::string_view, 10> kTypeNames = {"bool", "int",  "uint", "double",    "string",
                                                         "bytes", "list", "map",  "null_type", "type"};

struct PlanFailure {
  std::string message;
  std::size_t offset;
};

class Planner {
 public:
  explicit Planner(const PlanEnv& env) : env_(env) {}

  Plan run(const Expr& e) {
    Plan out;
    try {
      out.root = plan(e);
    } catch (const PlanFailure& f) {
      out.error = f.message;
      out.error_offset = f.offset;
      return out;
    }
    out.slots = next_slot_;
    out.variables = std::move(variables_);
    out.fields = std::move(fields_);
    return out;
  }

 private:
  const PlanEnv& env_;
  std::vector<std::pair<std::string, int>> scopes_;  // comprehension variables, innermost last
  int next_slot_ = 0;
  std::vector<std::string> variables_;
  std::map<std::string, std::vector<std::string>, std::less<>> fields_;

  [[noreturn]] static void fail(std::string message, std::size_t offset) {
    throw PlanFailure{std::move(message), offset};
  }

  std::optional<int> local(std::string_view name) const {
    for (auto it = scopes_.rbegin(); it != scopes_.rend(); ++it) {
      if (it->first == name) return it->second;
    }
    return std::nullopt;
  }

  bool declared(const std::string& name) const { return env_.variables->count(name) > 0; }

  NodePtr var(const std::string& name) {
    if (std::find(variables_.begin(), variables_.end(), name) == variables_.end()) variables_.push_back(name);
    return make_var(name);
  }

  void note_field(const NodePtr& operand, const std::string& field) {
    const std::string* name = operand->variable();
    if (name == nullptr) return;
    auto& list = fields_[*name];
    if (std::find(list.begin(), list.end(), field) == list.end()) list.push_back(field);
  }

  // "a.b.c" for an Ident/Select chain, with whether it was written rooted.
  static std::optional<std::string> qualified(const Expr& e, bool* root = nullptr) {
    if (e.kind == ExprKind::Ident) {
      if (root) *root = e.root;
      return e.name;
    }
    if (e.kind == ExprKind::Select && !e.test_only) {
      auto inner = qualified(*e.target, root);
      if (!inner) return std::nullopt;
      return *inner + "." + e.name;
    }
    return std::nullopt;
  }

  static std::string first_segment(const std::string& q) { return q.substr(0, q.find('.')); }

  // Evaluates a node whose inputs are all constant, at compile time.
  static NodePtr fold(NodePtr n) {
    Activation::Impl empty;
    Frame frame{&empty, nullptr};
    return make_const(n->eval(frame));
  }

  static bool all_const(const std::vector<NodePtr>& v) {
    return std::all_of(v.begin(), v.end(), [](const NodePtr& n) { return n->constant() != nullptr; });
  }

  NodePtr plan(const Expr& e) {
    switch (e.kind) {
      case ExprKind::Const:
        return make_const(e.value);
      case ExprKind::Ident:
        return ident(e);
      case ExprKind::Select:
        return select(e);
      case ExprKind::Call:
        return call(e);
      case ExprKind::List: {
        std::vector<NodePtr> items;
        items.reserve(e.args.size());
        for (const auto& a : e.args) items.push_back(plan(*a));
        bool c = all_const(items);
        NodePtr n = make_list(std::move(items));
        return c ? fold(std::move(n)) : std::move(n);
      }
      case ExprKind::Map: {
        std::vector<NodePtr> kv;
        kv.reserve(e.args.size());
        for (const auto& a : e.args) kv.push_back(plan(*a));
        bool c = all_const(kv);
        NodePtr n = make_map(std::move(kv));
        return c ? fold(std::move(n)) : std::move(n);
      }
      case ExprKind::Comprehension:
        return comprehension(e);
    }
    fail("unsupported expression", e.offset);
  }

  NodePtr ident(const Expr& e) {
    if (!e.root) {
      if (auto slot = local(e.name)) return make_local(*slot);
    }
    if (declared(e.name)) return var(e.name);
    if (std::find(kTypeNames.begin(), kTypeNames.end(), e.name) != kTypeNames.end()) {
      return make_const(Value::Type(e.name));
    }
    if (env_.defer_unknown_names) return var(e.name);
    fail("undeclared reference to '" + e.name + "'" + suggestion(e.name), e.offset);
  }

  // " (did you mean 'args'?)" for a near miss, else the declared names.
  std::string suggestion(const std::string& name) const {
    std::vector<std::string> names(env_.variables->begin(), env_.variables->end());
    std::sort(names.begin(), names.end());
    for (const auto& n : names) {
      if (edit_distance(n, name) <= 2) return " (did you mean '" + n + "'?)";
    }
    if (names.empty() || names.size() > 12) return "";
    std::string out = " (declared variables: ";
    for (std::size_t i = 0; i < names.size(); ++i) out += (i ? ", " : "") + names[i];
    return out + ")";
  }

  static std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
      std::size_t diag = row[0];
      row[0] = i;
      for (std::size_t j = 1; j <= b.size(); ++j) {
        std::size_t up = row[j];
        row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
        diag = up;
      }
    }
    return row[b.size()];
  }

  NodePtr select(const Expr& e) {
    if (!e.test_only) {
      bool root = false;
      auto q = qualified(e, &root);
      if (q && declared(*q) && (root || !local(first_segment(*q)))) return var(*q);
    }
    NodePtr operand = plan(*e.target);
    note_field(operand, e.name);
    bool c = operand->constant() != nullptr;
    NodePtr n = make_select(std::move(operand), e.name, e.test_only);
    return c ? fold(std::move(n)) : std::move(n);
  }

  NodePtr comprehension(const Expr& e) {
    NodePtr range = plan(*e.range);
    int slot1 = next_slot_++;
    int slot2 = -1;
    scopes_.emplace_back(e.var1, slot1);
    if (!e.var2.empty()) {
      slot2 = next_slot_++;
      scopes_.emplace_back(e.var2, slot2);
    }
    NodePtr pred = e.predicate ? plan(*e.predicate) : nullptr;
    NodePtr transform = e.transform ? plan(*e.transform) : nullptr;
    scopes_.pop_back();
    if (slot2 >= 0) scopes_.pop_back();
    return make_comprehension(e.macro, slot1, slot2, std::move(range), std::move(pred), std::move(transform));
  }

  const FunctionDecl* custom(const std::string& name, bool receiver, std::size_t arity) const {
    for (const auto& f : *env_.functions) {
      if (f.name == name && f.receiver_style == receiver && (f.arity < 0 || static_cast<std::size_t>(f.arity) == arity)) {
        return &f;
      }
    }
    return nullptr;
  }
  bool custom_name_exists(const std::string& name) const {
    return std::any_of(env_.functions->begin(), env_.functions->end(), [&](const FunctionDecl& f) { return f.name == name; });
  }
  bool function_exists(const std::string& name, bool receiver, std::size_t arity) const {
    return custom(name, receiver, arity) != nullptr || find_builtin(name, receiver, arity) != nullptr;
  }

  static std::optional<StringTest> string_test(const std::string& fn) {
    if (fn == "contains") return StringTest::Contains;
    if (fn == "startsWith") return StringTest::StartsWith;
    if (fn == "endsWith") return StringTest::EndsWith;
    return std::nullopt;
  }

  // For `x.contains('a') || x.endsWith('b') || ...`: the receiver's
  // qualified name when `e` is such a term, else empty.
  std::string string_test_receiver(const Expr& e) const {
    if (e.kind != ExprKind::Call || !e.target || e.args.size() != 1 || !string_test(e.name)) return "";
    if (e.args[0]->kind != ExprKind::Const || !e.args[0]->value.is_string()) return "";
    if (custom(e.name, true, 2)) return "";
    bool root = false;
    auto q = qualified(*e.target, &root);
    if (!q || function_exists(*q + "." + e.name, false, 1)) return "";
    return (root ? "." : "") + *q;
  }

  // Plans the terms of an n-ary && / ||, fusing string tests that share a
  // receiver so it is evaluated once. `a || b` equals `b || a` in CEL, so
  // regrouping terms keeps the meaning.
  std::vector<NodePtr> logical_terms(const Expr& e, bool any) {
    std::vector<NodePtr> out;
    std::vector<bool> used(e.args.size(), false);
    for (std::size_t i = 0; i < e.args.size(); ++i) {
      if (used[i]) continue;
      std::string key = string_test_receiver(*e.args[i]);
      if (key.empty()) {
        out.push_back(plan(*e.args[i]));
        continue;
      }
      std::vector<StringCheck> checks;
      for (std::size_t j = i; j < e.args.size(); ++j) {
        if (!used[j] && string_test_receiver(*e.args[j]) == key) {
          used[j] = true;
          checks.push_back({*string_test(e.args[j]->name), std::string(e.args[j]->args[0]->value.as_string())});
        }
      }
      NodePtr receiver = plan(*e.args[i]->target);
      bool constant = receiver->constant() != nullptr;
      NodePtr n = make_string_tests(std::move(receiver), std::move(checks), any);
      out.push_back(constant ? fold(std::move(n)) : std::move(n));
    }
    return out;
  }

  NodePtr call(const Expr& e) {
    const std::string& fn = e.name;
    if (fn == "_&&_" || fn == "_||_") {
      std::vector<NodePtr> terms;
      for (NodePtr& t : logical_terms(e, fn == "_||_")) {
        // A constant deciding term decides the whole expression.
        if (const Value* c = t->constant(); c && c->is_bool() && c->as_bool() == (fn == "_||_")) return std::move(t);
        // Constant neutral terms drop out.
        if (const Value* c = t->constant(); c && c->is_bool()) continue;
        terms.push_back(std::move(t));
      }
      if (terms.empty()) return make_const(Value::Bool(fn == "_&&_"));
      if (terms.size() == 1 && terms[0]->yields_bool()) return std::move(terms[0]);
      bool c = all_const(terms);
      NodePtr n = fn == "_&&_" ? make_and(std::move(terms)) : make_or(std::move(terms));
      return c ? fold(std::move(n)) : std::move(n);
    }
    if (fn == "_?_:_") {
      NodePtr c = plan(*e.args[0]);
      NodePtr a = plan(*e.args[1]);
      NodePtr b = plan(*e.args[2]);
      if (const Value* cv = c->constant(); cv && cv->is_bool()) return cv->as_bool() ? std::move(a) : std::move(b);
      return make_ternary(std::move(c), std::move(a), std::move(b));
    }

    // Namespaced global functions such as math.greatest(...) parse as member
    // calls on a qualified name.
    if (e.target) {
      bool root = false;
      auto q = qualified(*e.target, &root);
      if (q && !declared(first_segment(*q)) && (root || !local(first_segment(*q)))) {
        std::string global = *q + "." + fn;
        if (function_exists(global, false, e.args.size())) {
          std::vector<NodePtr> args;
          for (const auto& a : e.args) args.push_back(plan(*a));
          return function(global, false, std::move(args), e);
        }
      }
    }
    std::vector<NodePtr> args;
    args.reserve(e.args.size() + 1);
    if (e.target) args.push_back(plan(*e.target));
    for (const auto& a : e.args) args.push_back(plan(*a));
    return function(fn, e.target != nullptr, std::move(args), e);
  }

  NodePtr function(const std::string& fn, bool receiver, std::vector<NodePtr> args, const Expr& e) {
    const bool consts = all_const(args);
    if (!receiver) {
      if (fn == "!_" && args.size() == 1) {
        NodePtr n = make_not(std::move(args[0]));
        return consts ? fold(std::move(n)) : std::move(n);
      }
      if ((fn == "_==_" || fn == "_!=_") && args.size() == 2) {
        NodePtr n = make_eq(std::move(args[0]), std::move(args[1]), fn == "_!=_");
        return consts ? fold(std::move(n)) : std::move(n);
      }
      if (fn == "_[_]" && args.size() == 2) {
        if (const Value* k = args[1]->constant(); k && k->is_string()) note_field(args[0], std::string(k->as_string()));
        NodePtr n = make_index(std::move(args[0]), std::move(args[1]));
        return consts ? fold(std::move(n)) : std::move(n);
      }
      if (fn == "@in" && args.size() == 2 && args[1]->constant() && !args[0]->constant()) {
        Value container = *args[1]->constant();
        if (container.is_list() || container.is_map()) return make_in_const(std::move(args[0]), std::move(container));
      }
    }
    if (const FunctionDecl* f = custom(fn, receiver, args.size())) {
      if (!f->impl) fail("function '" + fn + "' has no implementation", e.offset);
      return make_custom_call(fn, f->impl, std::move(args));
    }
    const Builtin* b = find_builtin(fn, receiver, args.size());
    if (!b) {
      std::string msg;
      if (builtin_name_exists(fn) || custom_name_exists(fn)) {
        msg = "no matching overload for '" + fn + "' with " + std::to_string(args.size() - (receiver ? 1 : 0)) +
              " argument(s)" + (receiver ? " on a receiver" : "");
      } else {
        msg = "undeclared reference to function '" + fn + "'";
      }
      if (env_.defer_unknown_names) return make_error(msg);
      fail(msg, e.offset);
    }
    // Specializations with a constant argument.
    if (receiver && args.size() == 2 && !consts) {
      if (const Value* arg = args[1]->constant(); arg && arg->is_string()) {
        if (auto op = string_test(fn)) {
          return make_string_tests(std::move(args[0]), {{*op, std::string(arg->as_string())}}, true);
        }
      }
    }
    if (fn == "matches" && args.size() == 2) {
      if (const Value* pattern = args[1]->constant(); pattern && pattern->is_string()) {
        RE2::Options opts;
        opts.set_log_errors(false);
        auto re = std::make_unique<RE2>(
            re2::StringPiece(pattern->as_string().data(), pattern->as_string().size()), opts);
        if (!re->ok()) {
          std::size_t at = receiver ? e.args[0]->offset : e.args[1]->offset;
          fail("invalid regular expression in matches(): " + re->error(), at);
        }
        NodePtr n = make_regex(std::move(args[0]), std::move(re));
        return consts ? fold(std::move(n)) : std::move(n);
      }
    }
    NodePtr n = make_call(b->fn, std::move(args));
    return consts ? fold(std::move(n)) : std::move(n);
  }
};

}  // namespace

Plan plan(const Expr& expr, const PlanEnv& env) { return Planner(env).run(expr); }

}  // namespace cel
