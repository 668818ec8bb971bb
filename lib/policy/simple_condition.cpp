#include "policy/simple_condition.h"

#include <cctype>
#include <cstdlib>

namespace preloop::policy {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool is_path(std::string_view s) {
  if (s.empty()) return false;
  bool start = true;
  for (char c : s) {
    if (c == '.') {
      if (start) return false;
      start = true;
      continue;
    }
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
    start = false;
  }
  return !start;
}

std::string lower(std::string_view s) {
  std::string o(s);
  for (auto& c : o) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return o;
}

nlohmann::json parse_value(std::string_view v) {
  if (v.size() >= 2 && (v.front() == '\'' || v.front() == '"') && v.back() == v.front()) {
    std::string out;
    for (std::size_t i = 1; i + 1 < v.size(); ++i) {
      if (v[i] == '\\' && i + 2 < v.size() && (v[i + 1] == '\\' || v[i + 1] == '"' || v[i + 1] == '\'')) ++i;
      out += v[i];
    }
    return out;
  }
  auto l = lower(v);
  if (l == "true") return true;
  if (l == "false") return false;
  if (l == "null" || l == "none") return nullptr;
  std::string s(v);
  char* end = nullptr;
  if (s.find('.') != std::string::npos) {
    double d = std::strtod(s.c_str(), &end);
    if (end && *end == '\0') return d;
  } else {
    long long i = std::strtoll(s.c_str(), &end, 10);
    if (end && *end == '\0' && !s.empty()) return i;
  }
  return s;
}

const nlohmann::json* lookup(const nlohmann::json& args, const std::string& path) {
  const nlohmann::json* cur = &args;
  std::size_t start = 0;
  while (start <= path.size()) {
    auto dot = path.find('.', start);
    auto key = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (!cur->is_object()) return nullptr;
    auto it = cur->find(key);
    if (it == cur->end()) return nullptr;
    cur = &*it;
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return cur;
}

std::optional<double> as_number(const nlohmann::json& v) {
  if (v.is_number()) return v.get<double>();
  if (v.is_string()) {  // Preloop coerces numeric strings for ordering (a bypass fix)
    const auto& s = v.get_ref<const std::string&>();
    char* end = nullptr;
    double d = std::strtod(s.c_str(), &end);
    if (!s.empty() && end && *end == '\0') return d;
  }
  return std::nullopt;
}

}  // namespace

std::optional<SimpleCondition> SimpleCondition::parse(std::string_view expr, std::string* error) {
  SimpleCondition c;
  auto e = trim(expr);
  auto l = lower(e);
  if (l == "true" || l == "false") {
    c.op_ = Op::Const;
    c.constant_ = l == "true";
    return c;
  }
  static constexpr std::pair<std::string_view, Op> kOps[] = {
      {"==", Op::Eq}, {"!=", Op::Ne}, {">=", Op::Ge}, {"<=", Op::Le}, {">", Op::Gt}, {"<", Op::Lt}};
  // Find the first operator outside quotes.
  char quote = 0;
  for (std::size_t i = 0; i < e.size(); ++i) {
    char ch = e[i];
    if (quote) {
      if (ch == '\\') ++i;
      else if (ch == quote) quote = 0;
      continue;
    }
    if (ch == '\'' || ch == '"') {
      quote = ch;
      continue;
    }
    for (auto [tok, op] : kOps) {
      if (e.substr(i, tok.size()) != tok) continue;
      auto lhs = trim(e.substr(0, i));
      auto rhs = trim(e.substr(i + tok.size()));
      if (lhs.rfind("args.", 0) == 0) lhs.remove_prefix(5);
      if (!is_path(lhs) || rhs.empty()) {
        if (error) *error = "simple condition must be `args.field OP value`, got '" + std::string(e) + "'";
        return std::nullopt;
      }
      c.op_ = op;
      c.path_ = std::string(lhs);
      c.value_ = parse_value(rhs);
      return c;
    }
  }
  if (error) *error = "not a simple condition (expected `args.field OP value` or true/false): '" + std::string(e) + "'";
  return std::nullopt;
}

bool SimpleCondition::evaluate(const nlohmann::json& args) const {
  if (op_ == Op::Const) return constant_;
  const nlohmann::json* v = lookup(args, path_);
  nlohmann::json actual = v ? *v : nlohmann::json(nullptr);
  switch (op_) {
    case Op::Eq:
      if (actual.is_number() && value_.is_number()) return actual.get<double>() == value_.get<double>();
      return actual == value_;
    case Op::Ne:
      if (actual.is_number() && value_.is_number()) return actual.get<double>() != value_.get<double>();
      return actual != value_;
    default: break;
  }
  auto a = as_number(actual), b = as_number(value_);
  if (a && b) {
    switch (op_) {
      case Op::Ge: return *a >= *b;
      case Op::Le: return *a <= *b;
      case Op::Gt: return *a > *b;
      case Op::Lt: return *a < *b;
      default: return false;
    }
  }
  if (actual.is_string() && value_.is_string()) {
    const auto& x = actual.get_ref<const std::string&>();
    const auto& y = value_.get_ref<const std::string&>();
    switch (op_) {
      case Op::Ge: return x >= y;
      case Op::Le: return x <= y;
      case Op::Gt: return x > y;
      case Op::Lt: return x < y;
      default: return false;
    }
  }
  return false;  // None or mismatched types: Python's TypeError -> false
}

}  // namespace preloop::policy
