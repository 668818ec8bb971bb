// Evaluation tree: the planner turns the syntax tree into Nodes with
// variables, functions and constant regexes resolved ahead of time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cel/cel.h"
#include "cel/limits.h"
#include "cel/value.h"

namespace cel {

struct Activation::Impl {
  std::vector<std::pair<std::string, Value>> vars;
  const Value* find(std::string_view name) const {
    for (const auto& [n, v] : vars) {
      if (n == name) return &v;
    }
    return nullptr;
  }
};

struct Frame {
  const Activation::Impl* activation;
  Value* locals;  // comprehension variables, indexed by slot
  std::int64_t budget = kMaxIterations;
};

class Node {
 public:
  virtual ~Node() = default;
  virtual Value eval(Frame& frame) const = 0;
  // The value when this node is a constant.
  virtual const Value* constant() const { return nullptr; }
  // True when the node always yields a bool or an error.
  virtual bool yields_bool() const { return false; }
  // The variable name when this node reads a top-level variable.
  virtual const std::string* variable() const { return nullptr; }
};
using NodePtr = std::unique_ptr<Node>;

}  // namespace cel
