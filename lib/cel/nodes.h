// Factories for the evaluation nodes (nodes.cpp); the planner wires them.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "cel/ast.h"
#include "cel/eval.h"
#include "cel/stdlib.h"

namespace re2 {
class RE2;
}

namespace cel {

NodePtr make_const(Value v);
// A top-level variable read from the activation.
NodePtr make_var(std::string name);
// A comprehension variable.
NodePtr make_local(int slot);
NodePtr make_select(NodePtr operand, std::string field, bool test_only);
NodePtr make_index(NodePtr operand, NodePtr key);
NodePtr make_and(std::vector<NodePtr> terms);
NodePtr make_or(std::vector<NodePtr> terms);
NodePtr make_ternary(NodePtr cond, NodePtr yes, NodePtr no);
NodePtr make_not(NodePtr operand);
NodePtr make_eq(NodePtr a, NodePtr b, bool negate);
NodePtr make_call(BuiltinFn fn, std::vector<NodePtr> args);
NodePtr make_custom_call(std::string name, std::function<Value(const std::vector<Value>&)> fn,
                         std::vector<NodePtr> args);
// Evaluates to an error (an unresolved function under deferred checking).
NodePtr make_error(std::string message);

enum class StringTest { Contains, StartsWith, EndsWith };
struct StringCheck {
  StringTest op;
  std::string arg;
};
// Substring search for a needle known at compile time: Horspool's skip table
// on short haystacks (typical policy input), glibc's linear-time two-way
// memmem on long ones, so an adversarial 32 MiB input cannot go quadratic.
class Finder {
 public:
  explicit Finder(std::string_view needle);
  bool found_in(std::string_view haystack) const;

 private:
  std::string needle_;
  std::uint32_t skip_[256];
};
// receiver.contains('a') || receiver.startsWith('b') || ... with the receiver
// evaluated once (any = true), or the && form (any = false).
NodePtr make_string_tests(NodePtr receiver, std::vector<StringCheck> checks, bool any);
NodePtr make_regex(NodePtr receiver, std::unique_ptr<re2::RE2> regex);
// `x in <constant list or map>`, hashed when the elements allow it.
NodePtr make_in_const(NodePtr element, Value container);

NodePtr make_list(std::vector<NodePtr> items);
NodePtr make_map(std::vector<NodePtr> keys_and_values);
// slot2 < 0 for one-variable macros; predicate and transform may be null.
NodePtr make_comprehension(Macro macro, int slot1, int slot2, NodePtr range, NodePtr predicate, NodePtr transform);

}  // namespace cel
