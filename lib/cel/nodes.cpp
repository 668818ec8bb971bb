#include "cel/nodes.h"

#include <cmath>
#include <cstring>
#include <unordered_set>

#include <re2/re2.h>

namespace cel {

namespace {

class ConstNode final : public Node {
 public:
  explicit ConstNode(Value v) : v_(std::move(v)) {}
  Value eval(Frame&) const override { return v_; }
  const Value* constant() const override { return &v_; }

 private:
  Value v_;
};

class VarNode final : public Node {
 public:
  explicit VarNode(std::string name) : name_(std::move(name)) {}
  Value eval(Frame& f) const override {
    if (const Value* v = f.activation->find(name_)) return *v;
    return Value::Error("no such attribute: variable '" + name_ + "' is not bound");
  }
  const std::string* variable() const override { return &name_; }

 private:
  std::string name_;
};

class LocalNode final : public Node {
 public:
  explicit LocalNode(int slot) : slot_(slot) {}
  Value eval(Frame& f) const override { return f.locals[slot_]; }

 private:
  int slot_;
};

Value select_error(const Value& m, const std::string& field, bool test_only) {
  if (m.is_error()) return m;
  if (test_only) return Value::Error("has() on type '" + std::string(m.type_name()) + "': only maps have fields");
  return Value::Error("no such field '" + field + "' on type '" + std::string(m.type_name()) + "': only maps have fields");
}

class SelectNode final : public Node {
 public:
  SelectNode(NodePtr operand, std::string field, bool test_only)
      : operand_(std::move(operand)), field_(std::move(field)), test_only_(test_only) {}
  Value eval(Frame& f) const override {
    Value m = operand_->eval(f);
    if (m.is_map()) {
      auto v = m.map_get(std::string_view(field_));
      if (test_only_) return Value::Bool(v.has_value());
      if (v) return std::move(*v);
      return Value::Error("no such key: '" + field_ + "'");
    }
    return select_error(m, field_, test_only_);
  }

 private:
  NodePtr operand_;
  std::string field_;
  bool test_only_;
};

// Select directly on a top-level variable: reads the bound value in place.
class VarSelectNode final : public Node {
 public:
  VarSelectNode(std::string var, std::string field, bool test_only)
      : var_(std::move(var)), field_(std::move(field)), test_only_(test_only) {}
  Value eval(Frame& f) const override {
    const Value* m = f.activation->find(var_);
    if (m != nullptr && m->is_map()) {
      auto v = m->map_get(std::string_view(field_));
      if (test_only_) return Value::Bool(v.has_value());
      if (v) return std::move(*v);
      return Value::Error("no such key: '" + field_ + "'");
    }
    if (m == nullptr) return Value::Error("no such attribute: variable '" + var_ + "' is not bound");
    return select_error(*m, field_, test_only_);
  }

 private:
  std::string var_, field_;
  bool test_only_;
};

class IndexNode final : public Node {
 public:
  IndexNode(NodePtr operand, NodePtr key) : operand_(std::move(operand)), key_(std::move(key)) {}
  Value eval(Frame& f) const override {
    Value t = operand_->eval(f);
    if (t.is_error()) return t;
    Value k = key_->eval(f);
    if (k.is_error()) return k;
    return op_index(t, k);
  }

 private:
  NodePtr operand_, key_;
};

// `&&` / `||` over n terms, commutative: a deciding value (false for &&,
// true for ||) wins over errors in any other term.
template <bool IsAnd>
class LogicNode final : public Node {
 public:
  explicit LogicNode(std::vector<NodePtr> terms) : terms_(std::move(terms)) {}
  bool yields_bool() const override { return true; }
  Value eval(Frame& f) const override {
    Value error;
    bool failed = false;
    for (const auto& t : terms_) {
      Value v = t->eval(f);
      if (v.is_bool()) {
        if (v.as_bool() != IsAnd) return v;
      } else if (!failed) {
        failed = true;
        error = v.is_error() ? std::move(v)
                             : Value::Error(std::string("no matching overload for '") + (IsAnd ? "_&&_" : "_||_") +
                                            "': operand is " + std::string(v.type_name()) + ", not bool");
      }
    }
    if (failed) return error;
    return Value::Bool(IsAnd);
  }

 private:
  std::vector<NodePtr> terms_;
};

class TernaryNode final : public Node {
 public:
  TernaryNode(NodePtr c, NodePtr a, NodePtr b) : c_(std::move(c)), a_(std::move(a)), b_(std::move(b)) {}
  Value eval(Frame& f) const override {
    Value c = c_->eval(f);
    if (c.is_bool()) return c.as_bool() ? a_->eval(f) : b_->eval(f);
    if (c.is_error()) return c;
    return Value::Error("no matching overload for '_?_:_': condition is " + std::string(c.type_name()) + ", not bool");
  }

 private:
  NodePtr c_, a_, b_;
};

class NotNode final : public Node {
 public:
  explicit NotNode(NodePtr a) : a_(std::move(a)) {}
  bool yields_bool() const override { return true; }
  Value eval(Frame& f) const override {
    Value v = a_->eval(f);
    if (v.is_bool()) return Value::Bool(!v.as_bool());
    if (v.is_error()) return v;
    return no_overload("!_", &v, 1);
  }

 private:
  NodePtr a_;
};

class EqNode final : public Node {
 public:
  EqNode(NodePtr a, NodePtr b, bool negate) : a_(std::move(a)), b_(std::move(b)), negate_(negate) {}
  bool yields_bool() const override { return true; }
  Value eval(Frame& f) const override {
    Value a = a_->eval(f);
    if (a.is_error()) return a;
    Value b = b_->eval(f);
    if (b.is_error()) return b;
    return Value::Bool((a == b) != negate_);
  }

 private:
  NodePtr a_, b_;
  bool negate_;
};

class CallNode final : public Node {
 public:
  CallNode(BuiltinFn fn, std::vector<NodePtr> args) : fn_(fn), args_(std::move(args)) {}
  Value eval(Frame& f) const override {
    constexpr std::size_t kInline = 4;
    const std::size_t n = args_.size();
    if (n <= kInline) {
      Value vals[kInline];
      for (std::size_t i = 0; i < n; ++i) {
        vals[i] = args_[i]->eval(f);
        if (vals[i].is_error()) return vals[i];
      }
      return fn_(vals, n);
    }
    std::vector<Value> vals(n);
    for (std::size_t i = 0; i < n; ++i) {
      vals[i] = args_[i]->eval(f);
      if (vals[i].is_error()) return vals[i];
    }
    return fn_(vals.data(), n);
  }

 private:
  BuiltinFn fn_;
  std::vector<NodePtr> args_;
};

class CustomCallNode final : public Node {
 public:
  CustomCallNode(std::string name, std::function<Value(const std::vector<Value>&)> fn, std::vector<NodePtr> args)
      : name_(std::move(name)), fn_(std::move(fn)), args_(std::move(args)) {}
  Value eval(Frame& f) const override {
    std::vector<Value> vals;
    vals.reserve(args_.size());
    for (const auto& a : args_) {
      vals.push_back(a->eval(f));
      if (vals.back().is_error()) return vals.back();
    }
    try {
      return fn_(vals);
    } catch (const std::exception& e) {
      return Value::Error("function '" + name_ + "' failed: " + e.what());
    } catch (...) {
      return Value::Error("function '" + name_ + "' failed");
    }
  }

 private:
  std::string name_;
  std::function<Value(const std::vector<Value>&)> fn_;
  std::vector<NodePtr> args_;
};

class ErrorNode final : public Node {
 public:
  explicit ErrorNode(std::string message) : message_(std::move(message)) {}
  Value eval(Frame&) const override { return Value::Error(message_); }

 private:
  std::string message_;
};

class StringTestNode final : public Node {
 public:
  StringTestNode(NodePtr receiver, std::vector<StringCheck> checks, bool any)
      : receiver_(std::move(receiver)), checks_(std::move(checks)), any_(any) {
    finders_.reserve(checks_.size());
    for (const auto& c : checks_) finders_.emplace_back(c.arg);
  }
  bool yields_bool() const override { return true; }
  Value eval(Frame& f) const override {
    Value r = receiver_->eval(f);
    if (r.is_string()) {
      std::string_view s = r.as_string();
      for (std::size_t i = 0; i < checks_.size(); ++i) {
        if (test(i, s) == any_) return Value::Bool(any_);
      }
      return Value::Bool(!any_);
    }
    if (r.is_error()) return r;
    Value args[2] = {r, Value::String(checks_[0].arg)};
    const char* names[] = {"contains", "startsWith", "endsWith"};
    return no_overload(names[static_cast<int>(checks_[0].op)], args, 2);
  }

 private:
  NodePtr receiver_;
  std::vector<StringCheck> checks_;
  std::vector<Finder> finders_;
  bool any_;

  bool test(std::size_t i, std::string_view s) const {
    const StringCheck& c = checks_[i];
    switch (c.op) {
      case StringTest::Contains: return finders_[i].found_in(s);
      case StringTest::StartsWith:
        return s.size() >= c.arg.size() && std::memcmp(s.data(), c.arg.data(), c.arg.size()) == 0;
      case StringTest::EndsWith:
        return s.size() >= c.arg.size() &&
               std::memcmp(s.data() + s.size() - c.arg.size(), c.arg.data(), c.arg.size()) == 0;
    }
    return false;
  }
};

class RegexNode final : public Node {
 public:
  RegexNode(NodePtr receiver, std::unique_ptr<RE2> re) : receiver_(std::move(receiver)), re_(std::move(re)) {}
  bool yields_bool() const override { return true; }
  Value eval(Frame& f) const override {
    Value r = receiver_->eval(f);
    if (r.is_string()) {
      std::string_view s = r.as_string();
      return Value::Bool(re_->Match(re2::StringPiece(s.data(), s.size()), 0, s.size(), RE2::UNANCHORED, nullptr, 0));
    }
    if (r.is_error()) return r;
    Value args[2] = {r, Value::String(re_->pattern())};
    return no_overload("matches", args, 2);
  }

 private:
  NodePtr receiver_;
  std::unique_ptr<RE2> re_;
};

class InConstNode final : public Node {
 public:
  InConstNode(NodePtr element, Value container) : element_(std::move(element)), container_(std::move(container)) {
    if (!container_.is_list()) return;
    bool all_strings = true, all_ints = true;
    for (std::size_t i = 0, n = container_.list_size(); i < n; ++i) {
      Value v = container_.list_at(i);
      all_strings = all_strings && v.is_string();
      all_ints = all_ints && v.is_int();
    }
    if (all_strings) {
      for (std::size_t i = 0, n = container_.list_size(); i < n; ++i) {
        // Views into container_'s own (shared, immutable) strings.
        strings_.insert(container_.list_at(i).as_string());
      }
      hashed_ = true;
    } else if (all_ints) {
      for (std::size_t i = 0, n = container_.list_size(); i < n; ++i) ints_.insert(container_.list_at(i).as_int());
      hashed_ = true;
    }
  }
  bool yields_bool() const override { return true; }
  Value eval(Frame& f) const override {
    Value e = element_->eval(f);
    if (e.is_error()) return e;
    if (!hashed_) return op_in(e, container_);
    if (e.is_string()) return Value::Bool(strings_.count(e.as_string()) > 0);
    if (e.is_int()) return Value::Bool(ints_.count(e.as_int()) > 0);
    if (e.is_uint()) {
      return Value::Bool(e.as_uint() <= static_cast<std::uint64_t>(INT64_MAX) &&
                         ints_.count(static_cast<std::int64_t>(e.as_uint())) > 0);
    }
    if (e.is_double()) {
      double d = e.as_double();
      return Value::Bool(d == std::trunc(d) && d >= -9223372036854775808.0 && d < 9223372036854775808.0 &&
                         ints_.count(static_cast<std::int64_t>(d)) > 0);
    }
    return Value::Bool(false);
  }

 private:
  NodePtr element_;
  Value container_;
  bool hashed_ = false;
  std::unordered_set<std::string_view> strings_;
  std::unordered_set<std::int64_t> ints_;
};

class ListNode final : public Node {
 public:
  explicit ListNode(std::vector<NodePtr> items) : items_(std::move(items)) {}
  Value eval(Frame& f) const override {
    std::vector<Value> out;
    out.reserve(items_.size());
    for (const auto& i : items_) {
      out.push_back(i->eval(f));
      if (out.back().is_error()) return out.back();
    }
    return Value::List(std::move(out));
  }

 private:
  std::vector<NodePtr> items_;
};

class MapNode final : public Node {
 public:
  explicit MapNode(std::vector<NodePtr> kv) : kv_(std::move(kv)) {}
  Value eval(Frame& f) const override {
    std::vector<std::pair<Value, Value>> out;
    out.reserve(kv_.size() / 2);
    for (std::size_t i = 0; i + 1 < kv_.size(); i += 2) {
      Value k = kv_[i]->eval(f);
      if (k.is_error()) return k;
      Value v = kv_[i + 1]->eval(f);
      if (v.is_error()) return v;
      out.emplace_back(std::move(k), std::move(v));
    }
    return Value::Map(std::move(out));
  }

 private:
  std::vector<NodePtr> kv_;
};

Value not_bool(const char* macro, const Value& v) {
  return Value::Error(std::string("macro '") + macro + "' predicate returned " + std::string(v.type_name()) +
                      ", not bool");
}

class ComprehensionNode final : public Node {
 public:
  ComprehensionNode(Macro macro, int slot1, int slot2, NodePtr range, NodePtr predicate, NodePtr transform)
      : macro_(macro),
        slot1_(slot1),
        slot2_(slot2),
        range_(std::move(range)),
        predicate_(std::move(predicate)),
        transform_(std::move(transform)) {}

  Value eval(Frame& f) const override {
    Value range = range_->eval(f);
    if (macro_ == Macro::Bind) {
      f.locals[slot1_] = std::move(range);
      return transform_->eval(f);
    }
    if (range.is_error()) return range;
    if (range.is_list()) {
      const std::size_t n = range.list_size();
      return run(f, n, [&](std::size_t i) {
        if (slot2_ >= 0) {
          f.locals[slot1_] = Value::Int(static_cast<std::int64_t>(i));
          f.locals[slot2_] = range.list_at(i);
        } else {
          f.locals[slot1_] = range.list_at(i);
        }
      });
    }
    if (range.is_map()) {
      auto entries = range.map_entries();
      return run(f, entries.size(), [&](std::size_t i) {
        f.locals[slot1_] = entries[i].first;
        if (slot2_ >= 0) f.locals[slot2_] = entries[i].second;
      });
    }
    return Value::Error("expression of type '" + std::string(range.type_name()) +
                        "' cannot be the range of a comprehension (need list or map)");
  }

 private:
  Macro macro_;
  int slot1_, slot2_;
  NodePtr range_, predicate_, transform_;

  template <typename Bind>
  Value run(Frame& f, std::size_t n, const Bind& bind) const {
    static constexpr const char* kNames[] = {"all", "exists", "exists_one", "map", "filter", "transformMap",
                                             "transformMapEntry", "bind"};
    const char* name = kNames[static_cast<int>(macro_)];
    switch (macro_) {
      case Macro::All:
      case Macro::Exists: {
        const bool is_all = macro_ == Macro::All;
        Value error;
        bool failed = false;
        for (std::size_t i = 0; i < n; ++i) {
          if (--f.budget < 0) return budget_error();
          bind(i);
          Value p = predicate_->eval(f);
          if (p.is_bool()) {
            if (p.as_bool() != is_all) return p;
          } else if (!failed) {
            failed = true;
            error = p.is_error() ? std::move(p) : not_bool(name, p);
          }
        }
        if (failed) return error;
        return Value::Bool(is_all);
      }
      case Macro::ExistsOne: {
        std::size_t count = 0;
        for (std::size_t i = 0; i < n; ++i) {
          if (--f.budget < 0) return budget_error();
          bind(i);
          Value p = predicate_->eval(f);
          if (p.is_error()) return p;
          if (!p.is_bool()) return not_bool(name, p);
          if (p.as_bool()) ++count;
        }
        return Value::Bool(count == 1);
      }
      case Macro::Map:
      case Macro::Filter: {
        std::vector<Value> out;
        for (std::size_t i = 0; i < n; ++i) {
          if (--f.budget < 0) return budget_error();
          bind(i);
          if (predicate_ && macro_ == Macro::Map) {
            Value p = predicate_->eval(f);
            if (p.is_error()) return p;
            if (!p.is_bool()) return not_bool(name, p);
            if (!p.as_bool()) continue;
          }
          if (macro_ == Macro::Filter) {
            Value p = predicate_->eval(f);
            if (p.is_error()) return p;
            if (!p.is_bool()) return not_bool(name, p);
            if (p.as_bool()) out.push_back(f.locals[slot1_]);
            continue;
          }
          Value t = transform_->eval(f);
          if (t.is_error()) return t;
          out.push_back(std::move(t));
          if (out.size() > kMaxListItems) return Value::Error("list exceeds the size limit");
        }
        return Value::List(std::move(out));
      }
      case Macro::TransformMap:
      case Macro::TransformMapEntry: {
        std::vector<std::pair<Value, Value>> out;
        for (std::size_t i = 0; i < n; ++i) {
          if (--f.budget < 0) return budget_error();
          bind(i);
          if (predicate_) {
            Value p = predicate_->eval(f);
            if (p.is_error()) return p;
            if (!p.is_bool()) return not_bool(name, p);
            if (!p.as_bool()) continue;
          }
          Value t = transform_->eval(f);
          if (t.is_error()) return t;
          if (macro_ == Macro::TransformMap) {
            out.emplace_back(f.locals[slot1_], std::move(t));
          } else {
            if (!t.is_map()) {
              return Value::Error("transformMapEntry: transform returned " + std::string(t.type_name()) + ", not map");
            }
            for (auto& e : t.map_entries()) out.push_back(std::move(e));
          }
          if (out.size() > kMaxListItems) return Value::Error("map exceeds the size limit");
        }
        return Value::Map(std::move(out));
      }
      case Macro::Bind:
        break;
    }
    return Value::Error("unsupported macro");
  }

  static Value budget_error() { return Value::Error("evaluation exceeded its limit of comprehension steps"); }
};

}  // namespace

Finder::Finder(std::string_view needle) : needle_(needle) {
  const std::size_t m = needle_.size();
  for (auto& s : skip_) s = static_cast<std::uint32_t>(m);
  for (std::size_t k = 0; k + 1 < m; ++k) skip_[static_cast<unsigned char>(needle_[k])] = static_cast<std::uint32_t>(m - 1 - k);
}

bool Finder::found_in(std::string_view h) const {
  constexpr std::size_t kShortHaystack = 64 * 1024;
  const std::size_t m = needle_.size(), n = h.size();
  if (m == 0) return true;
  if (n < m) return false;
  if (n > kShortHaystack) return memmem(h.data(), n, needle_.data(), m) != nullptr;
  if (m < 4) return h.find(needle_) != std::string_view::npos;
  const auto last = static_cast<unsigned char>(needle_[m - 1]);
  const char* p = h.data();
  for (std::size_t i = 0; i + m <= n;) {
    auto c = static_cast<unsigned char>(p[i + m - 1]);
    if (c == last && std::memcmp(p + i, needle_.data(), m - 1) == 0) return true;
    i += skip_[c];
  }
  return false;
}

NodePtr make_const(Value v) { return std::make_unique<ConstNode>(std::move(v)); }
NodePtr make_var(std::string name) { return std::make_unique<VarNode>(std::move(name)); }
NodePtr make_local(int slot) { return std::make_unique<LocalNode>(slot); }
NodePtr make_select(NodePtr operand, std::string field, bool test_only) {
  if (const std::string* var = operand->variable()) {
    return std::make_unique<VarSelectNode>(*var, std::move(field), test_only);
  }
  return std::make_unique<SelectNode>(std::move(operand), std::move(field), test_only);
}
NodePtr make_index(NodePtr operand, NodePtr key) { return std::make_unique<IndexNode>(std::move(operand), std::move(key)); }
NodePtr make_and(std::vector<NodePtr> terms) { return std::make_unique<LogicNode<true>>(std::move(terms)); }
NodePtr make_or(std::vector<NodePtr> terms) { return std::make_unique<LogicNode<false>>(std::move(terms)); }
NodePtr make_ternary(NodePtr c, NodePtr a, NodePtr b) {
  return std::make_unique<TernaryNode>(std::move(c), std::move(a), std::move(b));
}
NodePtr make_not(NodePtr operand) { return std::make_unique<NotNode>(std::move(operand)); }
NodePtr make_eq(NodePtr a, NodePtr b, bool negate) { return std::make_unique<EqNode>(std::move(a), std::move(b), negate); }
NodePtr make_call(BuiltinFn fn, std::vector<NodePtr> args) {
  return std::make_unique<CallNode>(fn, std::move(args));
}
NodePtr make_custom_call(std::string name, std::function<Value(const std::vector<Value>&)> fn,
                         std::vector<NodePtr> args) {
  return std::make_unique<CustomCallNode>(std::move(name), std::move(fn), std::move(args));
}
NodePtr make_error(std::string message) { return std::make_unique<ErrorNode>(std::move(message)); }
NodePtr make_string_tests(NodePtr receiver, std::vector<StringCheck> checks, bool any) {
  return std::make_unique<StringTestNode>(std::move(receiver), std::move(checks), any);
}
NodePtr make_regex(NodePtr receiver, std::unique_ptr<RE2> regex) {
  return std::make_unique<RegexNode>(std::move(receiver), std::move(regex));
}
NodePtr make_in_const(NodePtr element, Value container) {
  return std::make_unique<InConstNode>(std::move(element), std::move(container));
}
NodePtr make_list(std::vector<NodePtr> items) { return std::make_unique<ListNode>(std::move(items)); }
NodePtr make_map(std::vector<NodePtr> kv) { return std::make_unique<MapNode>(std::move(kv)); }
NodePtr make_comprehension(Macro macro, int slot1, int slot2, NodePtr range, NodePtr predicate, NodePtr transform) {
  return std::make_unique<ComprehensionNode>(macro, slot1, slot2, std::move(range), std::move(predicate),
                                             std::move(transform));
}

}  // namespace cel
