// Planner: syntax tree -> evaluation nodes. Resolves variables and functions
// (undeclared names are compile errors unless checking is deferred), folds
// constants, compiles constant regexes and hashes constant `in` lists.
#pragma once

#include <map>
#include <string>
#include <unordered_set>
#include <vector>

#include "cel/ast.h"
#include "cel/cel.h"
#include "cel/eval.h"

namespace cel {

struct PlanEnv {
  const std::unordered_set<std::string>* variables;
  const std::vector<FunctionDecl>* functions;
  bool defer_unknown_names = false;
};

struct Plan {
  NodePtr root;
  int slots = 0;
  std::vector<std::string> variables;
  std::map<std::string, std::vector<std::string>, std::less<>> fields;
  std::string error;  // empty on success
  std::size_t error_offset = 0;
};

Plan plan(const Expr& expr, const PlanEnv& env);

}  // namespace cel
