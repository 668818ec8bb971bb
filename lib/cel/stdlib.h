// The CEL standard library and the strings extension as native functions.
// Arguments reach a builtin already evaluated and free of errors.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "cel/value.h"

namespace cel {

using BuiltinFn = Value (*)(const Value* args, std::size_t n);

struct Builtin {
  std::string_view name;  // "size", "_+_", "math.greatest", ...
  bool receiver;          // called as target.name(...); the target is args[0]
  int arity;              // including the receiver; -1 = any
  BuiltinFn fn;
};

// The overload for a call shape, or null.
const Builtin* find_builtin(std::string_view name, bool receiver, std::size_t arity);
// Whether any overload has this name (for "wrong number of arguments").
bool builtin_name_exists(std::string_view name);

// "no matching overload for 'fn' applied to (int, string)"
Value no_overload(std::string_view fn, const Value* args, std::size_t n);

// Operators the evaluator calls directly.
Value op_index(const Value& target, const Value& key);
Value op_in(const Value& element, const Value& container);
Value op_add(const Value& a, const Value& b);

// Go's %g-style shortest rendering of a double, as CEL's string(double).
std::string format_double(double d);

}  // namespace cel
