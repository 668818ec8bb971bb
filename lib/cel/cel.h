// Public API of the CEL engine: compile an expression once into a Program,
// evaluate it many times against an Activation (cel-go's model).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "cel/value.h"

namespace cel {

// A compile (parse/check) error. column is 1-based, counted in bytes of the
// expression text; render() gives "message\n  expr line\n  ^" for display.
struct SourceError {
  std::string message;
  int line = 1;
  int column = 1;
  std::string render(std::string_view expression) const;
};

// Variables bound for one evaluation. Bindings are cheap; bind_json keeps a
// pointer (the json must outlive every evaluate() that uses this activation,
// and every Value such an evaluate() returns: results may view the json).
class Activation {
 public:
  Activation();
  ~Activation();
  Activation(Activation&&) noexcept;
  Activation& operator=(Activation&&) noexcept;
  void bind(std::string name, Value value);
  void bind_json(std::string name, const nlohmann::json* json);
  struct Impl;
  const Impl& impl() const { return *impl_; }
 private:
  std::unique_ptr<Impl> impl_;
};

class Program {
 public:
  virtual ~Program() = default;
  // Never throws; runtime failures come back as an error Value. A Program is
  // immutable: evaluate() may run concurrently on different activations.
  virtual Value evaluate(const Activation& activation) const = 0;
  // Top-level variables the expression reads (e.g. {"args", "shell"}).
  virtual const std::vector<std::string>& variables() const = 0;
  // Fields selected directly on a variable: `args.command`, `has(args.x)`,
  // `args['y']` with a constant key -> {"command", "x", "y"} for "args".
  virtual std::vector<std::string> fields_of(std::string_view variable) const = 0;
};

struct CompileResult {
  std::shared_ptr<const Program> program;  // null on error
  std::optional<SourceError> error;
  bool ok() const { return program != nullptr; }
};

// A function extension: global `name(args...)` or receiver-style
// `target.name(args...)` (receiver passed as args[0]).
struct FunctionDecl {
  std::string name;
  bool receiver_style = false;
  int arity = -1;  // number of arguments incl. receiver; -1 = any
  std::function<Value(const std::vector<Value>& args)> impl;
};

class Env {
 public:
  Env();  // standard library + strings, math and base64 extensions
  ~Env();
  Env(const Env&);
  Env& operator=(const Env&);
  void declare_variable(std::string name);      // undeclared identifiers fail to compile
  void add_function(FunctionDecl decl);
  // When on, undeclared variables and functions compile and evaluate to an
  // error instead (cel-go's unchecked mode, used by the conformance suite).
  // Off by default.
  void allow_unknown_names(bool allow);
  // Comprehension steps (macro iterations) one evaluation may take before it
  // stops with an error; default 10,000,000.
  void set_max_comprehension_steps(std::int64_t steps);
  CompileResult compile(std::string_view expression) const;
  struct Impl;
 private:
  CompileResult compile_checked(std::string_view expression) const;
  std::shared_ptr<Impl> impl_;
};

}  // namespace cel
