// cel-go's math extension: math.greatest/least, ceil/floor/round/trunc,
// abs, sign, isNaN/isInf/isFinite and the bit operations.
#include <cmath>

#include "cel/extensions.h"

namespace cel {

namespace {

Value err(std::string msg) { return Value::Error(std::move(msg)); }

bool is_number(const Value& v) { return v.is_int() || v.is_uint() || v.is_double(); }

// greatest/least over the arguments, or over the elements of a single list.
template <bool Greatest>
Value extreme(const Value* a, std::size_t n) {
  const char* name = Greatest ? "math.greatest" : "math.least";
  std::vector<Value> items;
  if (n == 1 && a[0].is_list()) {
    for (std::size_t i = 0; i < a[0].list_size(); ++i) items.push_back(a[0].list_at(i));
    if (items.empty()) return err(std::string(name) + "(): list is empty");
  } else {
    items.assign(a, a + n);
  }
  if (items.empty()) return err(std::string(name) + "(): needs at least one argument");
  const Value* best = nullptr;
  for (const Value& v : items) {
    if (!is_number(v)) return no_overload(name, items.data(), items.size());
    if (best == nullptr) {
      best = &v;
      continue;
    }
    auto c = compare(v, *best);
    if (c && *c != 2 && (Greatest ? *c > 0 : *c < 0)) best = &v;
  }
  return *best;
}

template <double (*Fn)(double)>
Value rounding(const Value* a, std::size_t) {
  if (!a[0].is_double()) return no_overload("math rounding function", a, 1);
  return Value::Double(Fn(a[0].as_double()));
}

Value abs_fn(const Value* a, std::size_t) {
  if (a[0].is_int()) {
    if (a[0].as_int() == INT64_MIN) return err("integer overflow in 'math.abs'");
    return Value::Int(a[0].as_int() < 0 ? -a[0].as_int() : a[0].as_int());
  }
  if (a[0].is_uint()) return a[0];
  if (a[0].is_double()) return Value::Double(std::fabs(a[0].as_double()));
  return no_overload("math.abs", a, 1);
}

Value sign_fn(const Value* a, std::size_t) {
  if (a[0].is_int()) return Value::Int((a[0].as_int() > 0) - (a[0].as_int() < 0));
  if (a[0].is_uint()) return Value::Uint(a[0].as_uint() > 0 ? 1 : 0);
  if (a[0].is_double()) {
    double d = a[0].as_double();
    if (std::isnan(d)) return a[0];
    return Value::Double(d > 0 ? 1.0 : d < 0 ? -1.0 : 0.0);
  }
  return no_overload("math.sign", a, 1);
}

template <int Which>
Value classify(const Value* a, std::size_t) {
  static constexpr const char* names[] = {"math.isNaN", "math.isInf", "math.isFinite"};
  if (!a[0].is_double()) return no_overload(names[Which], a, 1);
  double d = a[0].as_double();
  return Value::Bool(Which == 0 ? std::isnan(d) : Which == 1 ? std::isinf(d) : std::isfinite(d));
}

template <char Op>
Value bit_binary(const Value* a, std::size_t) {
  const char* name = Op == '&' ? "math.bitAnd" : Op == '|' ? "math.bitOr" : "math.bitXor";
  auto apply = [](std::uint64_t x, std::uint64_t y) { return Op == '&' ? x & y : Op == '|' ? x | y : x ^ y; };
  if (a[0].is_int() && a[1].is_int()) {
    return Value::Int(static_cast<std::int64_t>(
        apply(static_cast<std::uint64_t>(a[0].as_int()), static_cast<std::uint64_t>(a[1].as_int()))));
  }
  if (a[0].is_uint() && a[1].is_uint()) return Value::Uint(apply(a[0].as_uint(), a[1].as_uint()));
  return no_overload(name, a, 2);
}

Value bit_not(const Value* a, std::size_t) {
  if (a[0].is_int()) return Value::Int(~a[0].as_int());
  if (a[0].is_uint()) return Value::Uint(~a[0].as_uint());
  return no_overload("math.bitNot", a, 1);
}

// Shifts treat ints as 64-bit patterns (a right shift is logical); shifting
// by 64 or more gives 0; a negative shift is an error.
template <bool Left>
Value bit_shift(const Value* a, std::size_t) {
  const char* name = Left ? "math.bitShiftLeft" : "math.bitShiftRight";
  if (!(a[0].is_int() || a[0].is_uint()) || !a[1].is_int()) return no_overload(name, a, 2);
  std::int64_t s = a[1].as_int();
  if (s < 0) return err(std::string(name) + "(): negative shift " + std::to_string(s));
  std::uint64_t bits = a[0].is_int() ? static_cast<std::uint64_t>(a[0].as_int()) : a[0].as_uint();
  std::uint64_t r = s >= 64 ? 0 : Left ? bits << s : bits >> s;
  return a[0].is_int() ? Value::Int(static_cast<std::int64_t>(r)) : Value::Uint(r);
}

double round_half_away(double d) { return std::round(d); }
double ceil_fn(double d) { return std::ceil(d); }
double floor_fn(double d) { return std::floor(d); }
double trunc_fn(double d) { return std::trunc(d); }

constexpr Builtin kMath[] = {
    {"math.greatest", false, -1, extreme<true>},
    {"math.least", false, -1, extreme<false>},
    {"math.ceil", false, 1, rounding<ceil_fn>},
    {"math.floor", false, 1, rounding<floor_fn>},
    {"math.round", false, 1, rounding<round_half_away>},
    {"math.trunc", false, 1, rounding<trunc_fn>},
    {"math.abs", false, 1, abs_fn},
    {"math.sign", false, 1, sign_fn},
    {"math.isNaN", false, 1, classify<0>},
    {"math.isInf", false, 1, classify<1>},
    {"math.isFinite", false, 1, classify<2>},
    {"math.bitAnd", false, 2, bit_binary<'&'>},
    {"math.bitOr", false, 2, bit_binary<'|'>},
    {"math.bitXor", false, 2, bit_binary<'^'>},
    {"math.bitNot", false, 1, bit_not},
    {"math.bitShiftLeft", false, 2, bit_shift<true>},
    {"math.bitShiftRight", false, 2, bit_shift<false>},
};

}  // namespace

std::span<const Builtin> math_extension() { return kMath; }

}  // namespace cel
