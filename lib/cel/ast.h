// The CEL syntax tree produced by the parser (macros already expanded).
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "cel/value.h"

namespace cel {

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

enum class ExprKind {
  Const,          // value
  Ident,          // name (root: written with a leading '.')
  Select,         // target.name; test_only for has(target.name)
  Call,           // name(args) or target.name(args); operators use names like "_+_"
  List,           // [args...]
  Map,            // {args[0]: args[1], args[2]: args[3], ...}
  Comprehension,  // macro: see Macro
};

// Expanded macros, evaluated natively.
enum class Macro {
  All,                // range.all(v, p) / range.all(i, v, p)
  Exists,             // range.exists(v, p) / (i, v, p)
  ExistsOne,          // range.exists_one(v, p) / existsOne(i, v, p)
  Map,                // range.map(v, t) / map(v, p, t); transformList(i, v, [p,] t)
  Filter,             // range.filter(v, p)
  TransformMap,       // range.transformMap(k, v, [p,] t)
  TransformMapEntry,  // range.transformMapEntry(k, v, [p,] t)
  Bind,               // cel.bind(v, init, body): range = init, transform = body
};

struct Expr {
  ExprKind kind = ExprKind::Const;
  std::size_t offset = 0;  // byte offset in the source, for messages
  int depth = 1;           // height of this subtree
  Value value;             // Const
  std::string name;        // Ident, Select field, Call function
  bool root = false;       // Ident or global call written with a leading '.'
  bool test_only = false;  // Select from has()
  ExprPtr target;          // Select operand, receiver of a member call
  std::vector<ExprPtr> args;
  // Comprehension: the iteration variables (var2 empty for one-variable
  // forms), the range, an optional predicate/filter and the transform.
  Macro macro = Macro::All;
  std::string var1, var2;
  ExprPtr range, predicate, transform;
};

}  // namespace cel
