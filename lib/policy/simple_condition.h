// Preloop's `simple` condition language: one comparison `args.f OP value`
// (OP: == != >= <= > <) or a bare true/false. Reproduced, not improved:
// a missing field is null, and ordering comparisons on it are false.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace preloop::policy {

class SimpleCondition {
 public:
  // Returns nullopt and sets *error when the expression is not of the simple form.
  static std::optional<SimpleCondition> parse(std::string_view expression, std::string* error);
  bool evaluate(const nlohmann::json& args) const;
  const std::string& field() const { return path_.empty() ? empty_ : path_; }

 private:
  enum class Op { Eq, Ne, Ge, Le, Gt, Lt, Const };
  Op op_ = Op::Const;
  bool constant_ = false;
  std::string path_;          // dotted path below args
  nlohmann::json value_;      // right-hand side
  static inline const std::string empty_;
};

}  // namespace preloop::policy
