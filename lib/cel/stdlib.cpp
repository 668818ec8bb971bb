#include "cel/stdlib.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <vector>

#include <re2/re2.h>

#include "cel/limits.h"
#include "cel/extensions.h"
#include "cel/unicode.h"

namespace cel {

Value no_overload(std::string_view fn, const Value* args, std::size_t n) {
  std::string msg = "no matching overload for '";
  msg += fn;
  msg += "' applied to (";
  for (std::size_t i = 0; i < n; ++i) {
    if (i) msg += ", ";
    msg += args[i].type_name();
  }
  msg += ')';
  return Value::Error(std::move(msg));
}

std::string format_double(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "+Inf" : "-Inf";
  if (d == 0) return std::signbit(d) ? "-0" : "0";
  // Shortest round-trip digits, then Go's %g layout: exponent form when the
  // decimal exponent is < -4 or >= 6 (strconv.FormatFloat(d, 'g', -1)).
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
  std::string_view sci(buf, static_cast<std::size_t>(r.ptr - buf));
  bool neg = sci[0] == '-';
  if (neg) sci.remove_prefix(1);
  std::size_t e = sci.find('e');
  int exp = std::atoi(std::string(sci.substr(e + 1)).c_str());
  std::string digits;
  for (char c : sci.substr(0, e)) {
    if (c != '.') digits.push_back(c);
  }
  std::string out = neg ? "-" : "";
  if (exp < -4 || exp >= 6) {
    out += digits[0];
    if (digits.size() > 1) {
      out += '.';
      out += digits.substr(1);
    }
    out += 'e';
    out += exp < 0 ? '-' : '+';
    int a = std::abs(exp);
    if (a < 10) out += '0';
    out += std::to_string(a);
    return out;
  }
  if (exp < 0) {
    out += "0.";
    out.append(static_cast<std::size_t>(-exp - 1), '0');
    out += digits;
    return out;
  }
  auto int_len = static_cast<std::size_t>(exp + 1);
  if (digits.size() <= int_len) {
    out += digits;
    out.append(int_len - digits.size(), '0');
  } else {
    out += digits.substr(0, int_len);
    out += '.';
    out += digits.substr(int_len);
  }
  return out;
}

namespace {

Value err(std::string msg) { return Value::Error(std::move(msg)); }

Value overflow(const char* op) { return err(std::string("integer overflow in '") + op + "'"); }

// ---- arithmetic -------------------------------------------------------------

Value too_large(const char* what) {
  return err(std::string(what) + " exceeds the size limit");
}

Value concat_lists(const Value& a, const Value& b) {
  std::vector<Value> items;
  std::size_t na = a.list_size(), nb = b.list_size();
  if (na + nb > kMaxListItems) return too_large("list");
  items.reserve(na + nb);
  for (std::size_t i = 0; i < na; ++i) items.push_back(a.list_at(i));
  for (std::size_t i = 0; i < nb; ++i) items.push_back(b.list_at(i));
  return Value::List(std::move(items));
}

Value add(const Value* a, std::size_t) {
  const Value &x = a[0], &y = a[1];
  if (x.kind() == y.kind()) {
    switch (x.kind()) {
      case Kind::Int: {
        std::int64_t r;
        if (__builtin_add_overflow(x.as_int(), y.as_int(), &r)) return overflow("_+_");
        return Value::Int(r);
      }
      case Kind::Uint: {
        std::uint64_t r;
        if (__builtin_add_overflow(x.as_uint(), y.as_uint(), &r)) return overflow("_+_");
        return Value::Uint(r);
      }
      case Kind::Double: return Value::Double(x.as_double() + y.as_double());
      case Kind::String: {
        if (x.as_string().size() + y.as_string().size() > kMaxValueBytes) return too_large("string");
        std::string s(x.as_string());
        s += y.as_string();
        return Value::String(std::move(s));
      }
      case Kind::Bytes: {
        if (x.as_bytes().size() + y.as_bytes().size() > kMaxValueBytes) return too_large("bytes");
        std::string s(x.as_bytes());
        s += y.as_bytes();
        return Value::Bytes(std::move(s));
      }
      case Kind::List: return concat_lists(x, y);
      default: break;
    }
  }
  return no_overload("_+_", a, 2);
}

Value sub(const Value* a, std::size_t) {
  const Value &x = a[0], &y = a[1];
  if (x.kind() == y.kind()) {
    switch (x.kind()) {
      case Kind::Int: {
        std::int64_t r;
        if (__builtin_sub_overflow(x.as_int(), y.as_int(), &r)) return overflow("_-_");
        return Value::Int(r);
      }
      case Kind::Uint: {
        std::uint64_t r;
        if (__builtin_sub_overflow(x.as_uint(), y.as_uint(), &r)) return overflow("_-_");
        return Value::Uint(r);
      }
      case Kind::Double: return Value::Double(x.as_double() - y.as_double());
      default: break;
    }
  }
  return no_overload("_-_", a, 2);
}

Value mul(const Value* a, std::size_t) {
  const Value &x = a[0], &y = a[1];
  if (x.kind() == y.kind()) {
    switch (x.kind()) {
      case Kind::Int: {
        std::int64_t r;
        if (__builtin_mul_overflow(x.as_int(), y.as_int(), &r)) return overflow("_*_");
        return Value::Int(r);
      }
      case Kind::Uint: {
        std::uint64_t r;
        if (__builtin_mul_overflow(x.as_uint(), y.as_uint(), &r)) return overflow("_*_");
        return Value::Uint(r);
      }
      case Kind::Double: return Value::Double(x.as_double() * y.as_double());
      default: break;
    }
  }
  return no_overload("_*_", a, 2);
}

Value div(const Value* a, std::size_t) {
  const Value &x = a[0], &y = a[1];
  if (x.kind() == y.kind()) {
    switch (x.kind()) {
      case Kind::Int:
        if (y.as_int() == 0) return err("division by zero");
        if (x.as_int() == INT64_MIN && y.as_int() == -1) return overflow("_/_");
        return Value::Int(x.as_int() / y.as_int());
      case Kind::Uint:
        if (y.as_uint() == 0) return err("division by zero");
        return Value::Uint(x.as_uint() / y.as_uint());
      case Kind::Double: return Value::Double(x.as_double() / y.as_double());
      default: break;
    }
  }
  return no_overload("_/_", a, 2);
}

Value mod(const Value* a, std::size_t) {
  const Value &x = a[0], &y = a[1];
  if (x.kind() == y.kind()) {
    switch (x.kind()) {
      case Kind::Int:
        if (y.as_int() == 0) return err("modulus by zero");
        if (x.as_int() == INT64_MIN && y.as_int() == -1) return overflow("_%_");
        return Value::Int(x.as_int() % y.as_int());
      case Kind::Uint:
        if (y.as_uint() == 0) return err("modulus by zero");
        return Value::Uint(x.as_uint() % y.as_uint());
      default: break;
    }
  }
  return no_overload("_%_", a, 2);
}

Value neg(const Value* a, std::size_t) {
  if (a[0].is_int()) {
    if (a[0].as_int() == INT64_MIN) return overflow("-_");
    return Value::Int(-a[0].as_int());
  }
  if (a[0].is_double()) return Value::Double(-a[0].as_double());
  return no_overload("-_", a, 1);
}

Value logical_not(const Value* a, std::size_t) {
  if (a[0].is_bool()) return Value::Bool(!a[0].as_bool());
  return no_overload("!_", a, 1);
}

Value eq(const Value* a, std::size_t) { return Value::Bool(a[0] == a[1]); }
Value ne(const Value* a, std::size_t) { return Value::Bool(!(a[0] == a[1])); }

template <int Op>
Value relop(const Value* a, std::size_t) {
  static constexpr const char* names[] = {"_<_", "_<=_", "_>_", "_>=_"};
  auto c = compare(a[0], a[1]);
  if (!c) return no_overload(names[Op], a, 2);
  if (*c == 2) return Value::Bool(false);
  switch (Op) {
    case 0: return Value::Bool(*c < 0);
    case 1: return Value::Bool(*c <= 0);
    case 2: return Value::Bool(*c > 0);
    default: return Value::Bool(*c >= 0);
  }
}

Value in_fn(const Value* a, std::size_t) { return op_in(a[0], a[1]); }
Value index_fn(const Value* a, std::size_t) { return op_index(a[0], a[1]); }

// ---- core functions -----------------------------------------------------------

Value size(const Value* a, std::size_t) {
  const Value& x = a[0];
  switch (x.kind()) {
    case Kind::String: return Value::Int(static_cast<std::int64_t>(utf8::length(x.as_string())));
    case Kind::Bytes: return Value::Int(static_cast<std::int64_t>(x.as_bytes().size()));
    case Kind::List: return Value::Int(static_cast<std::int64_t>(x.list_size()));
    case Kind::Map: return Value::Int(static_cast<std::int64_t>(x.map_size()));
    default: return no_overload("size", a, 1);
  }
}

Value contains(const Value* a, std::size_t) {
  if (!a[0].is_string() || !a[1].is_string()) return no_overload("contains", a, 2);
  return Value::Bool(a[0].as_string().find(a[1].as_string()) != std::string_view::npos);
}

Value starts_with(const Value* a, std::size_t) {
  if (!a[0].is_string() || !a[1].is_string()) return no_overload("startsWith", a, 2);
  return Value::Bool(a[0].as_string().starts_with(a[1].as_string()));
}

Value ends_with(const Value* a, std::size_t) {
  if (!a[0].is_string() || !a[1].is_string()) return no_overload("endsWith", a, 2);
  return Value::Bool(a[0].as_string().ends_with(a[1].as_string()));
}

Value matches(const Value* a, std::size_t) {
  if (!a[0].is_string() || !a[1].is_string()) return no_overload("matches", a, 2);
  RE2::Options opts;
  opts.set_log_errors(false);
  RE2 re(re2::StringPiece(a[1].as_string().data(), a[1].as_string().size()), opts);
  if (!re.ok()) return err("invalid regular expression: " + re.error());
  auto s = a[0].as_string();
  return Value::Bool(RE2::PartialMatch(re2::StringPiece(s.data(), s.size()), re));
}

// ---- conversions --------------------------------------------------------------

bool parse_int(std::string_view s, std::int64_t& out) {
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);
  auto r = std::from_chars(s.data(), s.data() + s.size(), out);
  return r.ec == std::errc() && r.ptr == s.data() + s.size() && !s.empty();
}

Value to_int(const Value* a, std::size_t) {
  const Value& x = a[0];
  switch (x.kind()) {
    case Kind::Int: return x;
    case Kind::Uint:
      if (x.as_uint() > static_cast<std::uint64_t>(INT64_MAX)) return err("int conversion out of range");
      return Value::Int(static_cast<std::int64_t>(x.as_uint()));
    case Kind::Double: {
      double d = x.as_double();
      if (!(d > -9223372036854775808.0 && d < 9223372036854775808.0)) return err("int conversion out of range");
      return Value::Int(static_cast<std::int64_t>(d));
    }
    case Kind::String: {
      std::int64_t v;
      if (!parse_int(x.as_string(), v)) return err("cannot convert string to int: '" + std::string(x.as_string()) + "'");
      return Value::Int(v);
    }
    default: return no_overload("int", a, 1);
  }
}

Value to_uint(const Value* a, std::size_t) {
  const Value& x = a[0];
  switch (x.kind()) {
    case Kind::Uint: return x;
    case Kind::Int:
      if (x.as_int() < 0) return err("uint conversion out of range");
      return Value::Uint(static_cast<std::uint64_t>(x.as_int()));
    case Kind::Double: {
      double d = x.as_double();
      if (!(d >= 0 && d < 18446744073709551616.0)) return err("uint conversion out of range");
      return Value::Uint(static_cast<std::uint64_t>(d));
    }
    case Kind::String: {
      std::string_view s = x.as_string();
      if (!s.empty() && s[0] == '+') s.remove_prefix(1);
      std::uint64_t v;
      auto r = std::from_chars(s.data(), s.data() + s.size(), v);
      if (s.empty() || r.ec != std::errc() || r.ptr != s.data() + s.size()) {
        return err("cannot convert string to uint: '" + std::string(x.as_string()) + "'");
      }
      return Value::Uint(v);
    }
    default: return no_overload("uint", a, 1);
  }
}

Value to_double(const Value* a, std::size_t) {
  const Value& x = a[0];
  switch (x.kind()) {
    case Kind::Double: return x;
    case Kind::Int: return Value::Double(static_cast<double>(x.as_int()));
    case Kind::Uint: return Value::Double(static_cast<double>(x.as_uint()));
    case Kind::String: {
      std::string s(x.as_string());
      std::string lower;
      for (char c : s) lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
      if (lower == "nan") return Value::Double(std::nan(""));
      if (lower == "inf" || lower == "+inf" || lower == "infinity" || lower == "+infinity") {
        return Value::Double(HUGE_VAL);
      }
      if (lower == "-inf" || lower == "-infinity") return Value::Double(-HUGE_VAL);
      const char* begin = s.c_str();
      if (*begin == '+') ++begin;
      double d;
      auto r = std::from_chars(begin, s.c_str() + s.size(), d);
      if (s.empty() || r.ec == std::errc::invalid_argument || r.ptr != s.c_str() + s.size()) {
        return err("cannot convert string to double: '" + s + "'");
      }
      if (r.ec == std::errc::result_out_of_range) d = std::strtod(begin, nullptr);
      return Value::Double(d);
    }
    default: return no_overload("double", a, 1);
  }
}

Value to_string(const Value* a, std::size_t) {
  const Value& x = a[0];
  switch (x.kind()) {
    case Kind::String: return x;
    case Kind::Int: return Value::String(std::to_string(x.as_int()));
    case Kind::Uint: return Value::String(std::to_string(x.as_uint()));
    case Kind::Double: return Value::String(format_double(x.as_double()));
    case Kind::Bool: return Value::String(x.as_bool() ? "true" : "false");
    case Kind::Bytes:
      if (!utf8::valid(x.as_bytes())) return err("invalid UTF-8 in bytes to string conversion");
      return Value::String(std::string(x.as_bytes()));
    case Kind::Type: return Value::String(std::string(x.type_value()));
    default: return no_overload("string", a, 1);
  }
}

Value to_bytes(const Value* a, std::size_t) {
  if (a[0].is_bytes()) return a[0];
  if (a[0].is_string()) return Value::Bytes(std::string(a[0].as_string()));
  return no_overload("bytes", a, 1);
}

Value to_bool(const Value* a, std::size_t) {
  const Value& x = a[0];
  if (x.is_bool()) return x;
  if (x.is_string()) {
    std::string_view s = x.as_string();
    if (s == "1" || s == "t" || s == "true" || s == "TRUE" || s == "True") return Value::Bool(true);
    if (s == "0" || s == "f" || s == "false" || s == "FALSE" || s == "False") return Value::Bool(false);
    return err("cannot convert string to bool: '" + std::string(s) + "'");
  }
  return no_overload("bool", a, 1);
}

Value dyn(const Value* a, std::size_t) { return a[0]; }
Value type_of(const Value* a, std::size_t) { return Value::Type(std::string(a[0].type_name())); }

constexpr Builtin kBuiltins[] = {
    {"_+_", false, 2, add},
    {"_-_", false, 2, sub},
    {"_*_", false, 2, mul},
    {"_/_", false, 2, div},
    {"_%_", false, 2, mod},
    {"-_", false, 1, neg},
    {"!_", false, 1, logical_not},
    {"_==_", false, 2, eq},
    {"_!=_", false, 2, ne},
    {"_<_", false, 2, relop<0>},
    {"_<=_", false, 2, relop<1>},
    {"_>_", false, 2, relop<2>},
    {"_>=_", false, 2, relop<3>},
    {"@in", false, 2, in_fn},
    {"_[_]", false, 2, index_fn},
    {"size", false, 1, size},
    {"size", true, 1, size},
    {"contains", true, 2, contains},
    {"startsWith", true, 2, starts_with},
    {"endsWith", true, 2, ends_with},
    {"matches", true, 2, matches},
    {"matches", false, 2, matches},
    {"int", false, 1, to_int},
    {"uint", false, 1, to_uint},
    {"double", false, 1, to_double},
    {"string", false, 1, to_string},
    {"bytes", false, 1, to_bytes},
    {"bool", false, 1, to_bool},
    {"dyn", false, 1, dyn},
    {"type", false, 1, type_of},
};

}  // namespace

Value op_add(const Value& a, const Value& b) {
  Value args[2] = {a, b};
  return add(args, 2);
}

Value op_index(const Value& target, const Value& key) {
  if (target.is_list()) {
    std::int64_t i;
    if (key.is_int()) {
      i = key.as_int();
    } else if (key.is_uint()) {
      i = key.as_uint() > static_cast<std::uint64_t>(INT64_MAX) ? INT64_MAX : static_cast<std::int64_t>(key.as_uint());
    } else if (key.is_double()) {
      double d = key.as_double();
      if (d != std::trunc(d) || !(d > -9223372036854775808.0 && d < 9223372036854775808.0)) {
        return err("invalid list index: " + key.debug_string());
      }
      i = static_cast<std::int64_t>(d);
    } else {
      Value args[2] = {target, key};
      return no_overload("_[_]", args, 2);
    }
    if (i < 0 || static_cast<std::uint64_t>(i) >= target.list_size()) {
      return err("index out of range: " + std::to_string(i) + " (list size " + std::to_string(target.list_size()) + ")");
    }
    return target.list_at(static_cast<std::size_t>(i));
  }
  if (target.is_map()) {
    if (!(key.is_string() || key.is_int() || key.is_uint() || key.is_bool() || key.is_double())) {
      Value args[2] = {target, key};
      return no_overload("_[_]", args, 2);
    }
    auto v = target.map_get(key);
    if (!v) {
      if (key.is_string()) return err("no such key: '" + std::string(key.as_string()) + "'");
      return err("no such key: " + key.debug_string());
    }
    return *v;
  }
  Value args[2] = {target, key};
  return no_overload("_[_]", args, 2);
}

Value op_in(const Value& element, const Value& container) {
  if (container.is_list()) {
    for (std::size_t i = 0, n = container.list_size(); i < n; ++i) {
      if (container.list_at(i) == element) return Value::Bool(true);
    }
    return Value::Bool(false);
  }
  if (container.is_map()) return Value::Bool(container.map_contains(element));
  Value args[2] = {element, container};
  return no_overload("@in", args, 2);
}

namespace {

template <typename Fn>
const Builtin* first_of_all_tables(const Fn& match) {
  for (std::span<const Builtin> table : {std::span<const Builtin>(kBuiltins), strings_extension(), math_extension(),
                                         encoders_extension()}) {
    for (const auto& b : table) {
      if (match(b)) return &b;
    }
  }
  return nullptr;
}

}  // namespace

const Builtin* find_builtin(std::string_view name, bool receiver, std::size_t arity) {
  return first_of_all_tables([&](const Builtin& b) {
    return b.name == name && b.receiver == receiver && (b.arity < 0 || static_cast<std::size_t>(b.arity) == arity);
  });
}

bool builtin_name_exists(std::string_view name) {
  return first_of_all_tables([&](const Builtin& b) { return b.name == name; }) != nullptr;
}

}  // namespace cel
