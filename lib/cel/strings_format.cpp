// The strings extension's format() and strings.quote(), following cel-spec
// doc/extensions/strings.md.
#include "cel/strings_format.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "cel/limits.h"
#include "cel/unicode.h"

namespace cel {

namespace {

Value format_error(std::string msg) { return Value::Error("error during formatting: " + msg); }

std::string special_double(double d) {
  if (std::isnan(d)) return "NaN";
  return d > 0 ? "Infinity" : "-Infinity";
}

// %s rendering; returns false (with `bad` set) for kinds %s cannot show.
bool format_string_clause(const Value& v, std::string& out, std::string& bad, int depth = 0) {
  if (depth > kMaxValueDepth) {
    bad = "a value nested too deeply";
    return false;
  }
  switch (v.kind()) {
    case Kind::Null: out += "null"; return true;
    case Kind::Bool: out += v.as_bool() ? "true" : "false"; return true;
    case Kind::Int: out += std::to_string(v.as_int()); return true;
    case Kind::Uint: out += std::to_string(v.as_uint()); return true;
    case Kind::Double: {
      double d = v.as_double();
      if (!std::isfinite(d)) {
        out += special_double(d);
        return true;
      }
      char buf[400];
      auto r = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::fixed);
      out.append(buf, r.ptr);
      return true;
    }
    case Kind::String: out += v.as_string(); return true;
    case Kind::Bytes: out += v.as_bytes(); return true;
    case Kind::Type: out += v.type_value(); return true;
    case Kind::List: {
      out += '[';
      for (std::size_t i = 0; i < v.list_size(); ++i) {
        if (i) out += ", ";
        if (!format_string_clause(v.list_at(i), out, bad, depth + 1)) return false;
      }
      out += ']';
      return true;
    }
    case Kind::Map: {
      std::vector<std::pair<std::string, std::string>> parts;
      bool ok = true;
      v.map_for_each([&](const Value& k, const Value& val) {
        std::string ks, vs;
        ok = ok && format_string_clause(k, ks, bad, depth + 1) && format_string_clause(val, vs, bad, depth + 1);
        parts.emplace_back(std::move(ks), std::move(vs));
      });
      if (!ok) return false;
      std::sort(parts.begin(), parts.end());
      out += '{';
      for (std::size_t i = 0; i < parts.size(); ++i) {
        if (i) out += ", ";
        out += parts[i].first + ": " + parts[i].second;
      }
      out += '}';
      return true;
    }
    case Kind::Error: bad = "error"; return false;
  }
  return false;
}

std::string to_base(std::uint64_t u, int base, bool upper) {
  if (u == 0) return "0";
  const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  std::string s;
  while (u) {
    s.push_back(digits[u % static_cast<unsigned>(base)]);
    u /= static_cast<unsigned>(base);
  }
  std::reverse(s.begin(), s.end());
  return s;
}

// Integers in a base, with a '-' for negative ints.
std::string int_in_base(const Value& v, int base, bool upper) {
  if (v.is_uint()) return to_base(v.as_uint(), base, upper);
  std::int64_t i = v.as_int();
  if (i < 0) {
    std::string s(1, '-');
    s += to_base(static_cast<std::uint64_t>(-(i + 1)) + 1, base, upper);
    return s;
  }
  return to_base(static_cast<std::uint64_t>(i), base, upper);
}

Value number_clause(const Value& v, char verb, int precision, std::string& out) {
  double d;
  if (v.is_double()) d = v.as_double();
  else if (v.is_int()) d = static_cast<double>(v.as_int());
  else if (v.is_uint()) d = static_cast<double>(v.as_uint());
  else {
    return format_error(std::string(verb == 'f' ? "fixed-point" : "scientific") +
                        " clause can only be used on doubles, was given " + std::string(v.type_name()));
  }
  if (!std::isfinite(d)) {
    out += special_double(d);
    return Value();
  }
  char buf[512];
  char fmt[8] = {'%', '.', '*', verb, '\0'};
  std::snprintf(buf, sizeof buf, fmt, precision, d);
  out += buf;
  return Value();
}

}  // namespace

Value string_format(const Value* a, std::size_t) {
  if (!a[0].is_string() || !a[1].is_list()) return no_overload("format", a, 2);
  std::string_view f = a[0].as_string();
  const Value& args = a[1];
  std::string out;
  std::size_t next = 0;
  for (std::size_t i = 0; i < f.size(); ++i) {
    if (f[i] != '%') {
      out.push_back(f[i]);
      continue;
    }
    if (++i >= f.size()) return Value::Error("could not parse formatting clause: missing formatting clause");
    if (f[i] == '%') {
      out.push_back('%');
      continue;
    }
    int precision = -1;
    if (f[i] == '.') {
      precision = 0;
      ++i;
      while (i < f.size() && f[i] >= '0' && f[i] <= '9') {
        precision = precision * 10 + (f[i] - '0');
        if (precision > 100) return Value::Error("could not parse formatting clause: precision too large");
        ++i;
      }
      if (i >= f.size()) return Value::Error("could not parse formatting clause: missing formatting clause");
    }
    char verb = f[i];
    if (std::string_view("sdfeboxX").find(verb) == std::string_view::npos) {
      return Value::Error(std::string("could not parse formatting clause: unrecognized formatting clause \"") + verb +
                          "\"");
    }
    if (next >= args.list_size()) return Value::Error("index " + std::to_string(next) + " out of range");
    Value v = args.list_at(next++);
    std::string bad;
    switch (verb) {
      case 's':
        if (!format_string_clause(v, out, bad)) {
          return format_error(
              "string clause can only be used on strings, bools, bytes, ints, doubles, maps, lists, types, durations, "
              "and timestamps, was given " + bad);
        }
        break;
      case 'd':
        if (v.is_int() || v.is_uint()) out += int_in_base(v, 10, false);
        else if (v.is_double() && !std::isfinite(v.as_double())) out += special_double(v.as_double());
        else return format_error("decimal clause can only be used on integers, was given " + std::string(v.type_name()));
        break;
      case 'f':
      case 'e': {
        Value e = number_clause(v, verb, precision < 0 ? 6 : precision, out);
        if (e.is_error()) return e;
        break;
      }
      case 'b':
        if (v.is_int() || v.is_uint()) out += int_in_base(v, 2, false);
        else if (v.is_bool()) out += v.as_bool() ? "1" : "0";
        else return format_error("only integers and bools can be formatted as binary, was given " + std::string(v.type_name()));
        break;
      case 'o':
        if (v.is_int() || v.is_uint()) out += int_in_base(v, 8, false);
        else return format_error("octal clause can only be used on integers, was given " + std::string(v.type_name()));
        break;
      default: {  // x, X
        bool upper = verb == 'X';
        if (v.is_int() || v.is_uint()) {
          out += int_in_base(v, 16, upper);
        } else if (v.is_string() || v.is_bytes()) {
          const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
          for (unsigned char c : v.is_string() ? v.as_string() : v.as_bytes()) {
            out.push_back(digits[c >> 4]);
            out.push_back(digits[c & 15]);
          }
        } else {
          return format_error("only integers, byte buffers, and strings can be formatted as hex, was given " +
                              std::string(v.type_name()));
        }
      }
    }
    if (out.size() > kMaxValueBytes) return Value::Error("format: result too large");
  }
  return Value::String(std::move(out));
}

Value string_quote(const Value* a, std::size_t) {
  if (!a[0].is_string()) return no_overload("strings.quote", a, 1);
  std::string_view s = a[0].as_string();
  std::string out = "\"";
  std::size_t pos = 0;
  while (pos < s.size()) {
    char32_t c = utf8::decode(s, pos);
    switch (c) {
      case '\a': out += "\\a"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\v': out += "\\v"; break;
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      default: utf8::append(out, c); break;
    }
  }
  out += '"';
  return Value::String(std::move(out));
}

}  // namespace cel
