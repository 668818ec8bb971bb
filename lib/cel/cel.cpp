#include "cel/cel.h"

#include <unordered_set>

#include <nlohmann/json.hpp>

#include "cel/eval.h"
#include "cel/parser.h"
#include "cel/planner.h"
#include "cel/unicode.h"

namespace cel {

// ---- SourceError --------------------------------------------------------------

std::string SourceError::render(std::string_view expression) const {
  // The line the error is on, and a caret under the column.
  std::size_t start = 0;
  for (int l = 1; l < line; ++l) {
    std::size_t nl = expression.find('\n', start);
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
  std::size_t end = expression.find('\n', start);
  std::string_view text = expression.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
  std::string out = message + "\n  " + std::string(text) + "\n  ";
  std::string_view before = text.substr(0, std::min(text.size(), static_cast<std::size_t>(column > 0 ? column - 1 : 0)));
  std::size_t pos = 0;
  while (pos < before.size()) {
    char32_t c = utf8::decode(before, pos);
    out += c == '\t' ? '\t' : ' ';
  }
  out += '^';
  return out;
}

// ---- Activation -----------------------------------------------------------------

Activation::Activation() : impl_(std::make_unique<Impl>()) {}
Activation::~Activation() = default;
Activation::Activation(Activation&&) noexcept = default;
Activation& Activation::operator=(Activation&&) noexcept = default;

void Activation::bind(std::string name, Value value) {
  for (auto& [n, v] : impl_->vars) {
    if (n == name) {
      v = std::move(value);
      return;
    }
  }
  impl_->vars.emplace_back(std::move(name), std::move(value));
}

void Activation::bind_json(std::string name, const nlohmann::json* json) {
  bind(std::move(name), json ? Value::json_view(json) : Value::Null());
}

// ---- Program ----------------------------------------------------------------------

namespace {

class CompiledProgram final : public Program {
 public:
  CompiledProgram(Plan plan, std::int64_t max_steps) : plan_(std::move(plan)), max_steps_(max_steps) {}

  Value evaluate(const Activation& activation) const override {
    try {
      if (plan_.slots == 0) {
        Frame frame{&activation.impl(), nullptr, max_steps_};
        return plan_.root->eval(frame);
      }
      constexpr int kInlineSlots = 8;
      if (plan_.slots <= kInlineSlots) {
        Value locals[kInlineSlots];
        Frame frame{&activation.impl(), locals, max_steps_};
        return plan_.root->eval(frame);
      }
      std::vector<Value> locals(static_cast<std::size_t>(plan_.slots));
      Frame frame{&activation.impl(), locals.data(), max_steps_};
      return plan_.root->eval(frame);
    } catch (const std::exception& e) {
      return Value::Error(std::string("evaluation failed: ") + e.what());
    } catch (...) {
      return Value::Error("evaluation failed");
    }
  }

  const std::vector<std::string>& variables() const override { return plan_.variables; }

  std::vector<std::string> fields_of(std::string_view variable) const override {
    auto it = plan_.fields.find(variable);
    if (it == plan_.fields.end()) return {};
    return it->second;
  }

 private:
  Plan plan_;
  std::int64_t max_steps_;
};

SourceError error_at(std::string message, std::string_view source, std::size_t offset) {
  SourceError e;
  e.message = std::move(message);
  offset = std::min(offset, source.size());
  for (std::size_t i = 0; i < offset; ++i) {
    if (source[i] == '\n') {
      ++e.line;
      e.column = 1;
    } else {
      ++e.column;
    }
  }
  return e;
}

}  // namespace

// ---- Env -----------------------------------------------------------------------------

struct Env::Impl {
  std::unordered_set<std::string> variables;
  std::vector<FunctionDecl> functions;
  bool allow_unknown = false;
  std::int64_t max_steps = kMaxIterations;
};

Env::Env() : impl_(std::make_shared<Impl>()) {}
Env::~Env() = default;
Env::Env(const Env& other) : impl_(std::make_shared<Impl>(*other.impl_)) {}
Env& Env::operator=(const Env& other) {
  if (this != &other) impl_ = std::make_shared<Impl>(*other.impl_);
  return *this;
}

void Env::declare_variable(std::string name) { impl_->variables.insert(std::move(name)); }
void Env::add_function(FunctionDecl decl) { impl_->functions.push_back(std::move(decl)); }
void Env::allow_unknown_names(bool allow) { impl_->allow_unknown = allow; }
void Env::set_max_comprehension_steps(std::int64_t steps) { impl_->max_steps = steps; }

CompileResult Env::compile(std::string_view expression) const {
  try {
    return compile_checked(expression);
  } catch (const std::exception& e) {
    CompileResult out;
    out.error = SourceError{std::string("internal error while compiling: ") + e.what()};
    return out;
  }
}

CompileResult Env::compile_checked(std::string_view expression) const {
  CompileResult out;
  ParseResult parsed = parse(expression);
  if (!parsed.expr) {
    out.error = error_at(std::move(parsed.error), expression, parsed.error_offset);
    return out;
  }
  PlanEnv env{&impl_->variables, &impl_->functions, impl_->allow_unknown};
  Plan p = plan(*parsed.expr, env);
  if (!p.error.empty()) {
    out.error = error_at(std::move(p.error), expression, p.error_offset);
    return out;
  }
  out.program = std::make_shared<CompiledProgram>(std::move(p), impl_->max_steps);
  return out;
}

}  // namespace cel
