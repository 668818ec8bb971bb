#include "cel/extensions.h"

#include <string>
#include <vector>

#include "cel/limits.h"
#include "cel/strings_format.h"
#include "cel/unicode.h"

namespace cel {

namespace {

Value err(std::string msg) { return Value::Error(std::move(msg)); }

bool is_unicode_space(char32_t c) {
  switch (c) {
    case '\t': case '\n': case '\v': case '\f': case '\r': case ' ':
    case 0x85: case 0xA0: case 0x1680: case 0x2028: case 0x2029: case 0x202F: case 0x205F: case 0x3000:
      return true;
    default:
      return c >= 0x2000 && c <= 0x200A;
  }
}

std::vector<std::string_view> code_points(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t pos = 0;
  while (pos < s.size()) {
    std::size_t start = pos;
    utf8::decode(s, pos);
    out.push_back(s.substr(start, pos - start));
  }
  return out;
}

Value char_at(const Value* a, std::size_t) {
  if (!a[0].is_string() || !a[1].is_int()) return no_overload("charAt", a, 2);
  std::string_view s = a[0].as_string();
  std::int64_t i = a[1].as_int();
  auto len = static_cast<std::int64_t>(utf8::length(s));
  if (i < 0 || i > len) return err("index out of range: " + std::to_string(i));
  std::size_t start = utf8::offset_of(s, static_cast<std::size_t>(i));
  std::size_t end = start;
  if (end < s.size()) utf8::decode(s, end);
  return Value::String(std::string(s.substr(start, end - start)));
}

Value index_of(const Value* a, std::size_t n) {
  if (!a[0].is_string() || !a[1].is_string() || (n == 3 && !a[2].is_int())) return no_overload("indexOf", a, n);
  std::string_view s = a[0].as_string(), t = a[1].as_string();
  auto len = static_cast<std::int64_t>(utf8::length(s));
  std::int64_t start = n == 3 ? a[2].as_int() : 0;
  if (start < 0 || start > len) return err("index out of range: " + std::to_string(start));
  if (t.empty()) return Value::Int(start);
  std::size_t from = utf8::offset_of(s, static_cast<std::size_t>(start));
  std::size_t at = s.find(t, from);
  if (at == std::string_view::npos) return Value::Int(-1);
  return Value::Int(static_cast<std::int64_t>(utf8::length(s.substr(0, at))));
}

Value last_index_of(const Value* a, std::size_t n) {
  if (!a[0].is_string() || !a[1].is_string() || (n == 3 && !a[2].is_int())) {
    return no_overload("lastIndexOf", a, n);
  }
  std::string_view s = a[0].as_string(), t = a[1].as_string();
  auto len = static_cast<std::int64_t>(utf8::length(s));
  std::int64_t end = n == 3 ? a[2].as_int() : len;
  if (end < 0 || end > len) return err("index out of range: " + std::to_string(end));
  if (t.empty()) return Value::Int(end);
  std::size_t from = utf8::offset_of(s, static_cast<std::size_t>(end));
  std::size_t at = s.rfind(t, from);
  if (at == std::string_view::npos) return Value::Int(-1);
  return Value::Int(static_cast<std::int64_t>(utf8::length(s.substr(0, at))));
}

template <bool Upper>
Value ascii_case(const Value* a, std::size_t) {
  if (!a[0].is_string()) return no_overload(Upper ? "upperAscii" : "lowerAscii", a, 1);
  std::string s(a[0].as_string());
  for (char& c : s) {
    if (Upper && c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
    if (!Upper && c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  }
  return Value::String(std::move(s));
}

Value replace(const Value* a, std::size_t n) {
  if (!a[0].is_string() || !a[1].is_string() || !a[2].is_string() || (n == 4 && !a[3].is_int())) {
    return no_overload("replace", a, n);
  }
  std::string_view s = a[0].as_string(), from = a[1].as_string(), to = a[2].as_string();
  std::int64_t limit = n == 4 ? a[3].as_int() : -1;
  std::string out;
  std::size_t pos = 0;
  std::int64_t done = 0;
  if (from.empty()) {
    // Like Go's strings.Replace: insert before every code point and at the end.
    auto cps = code_points(s);
    for (std::size_t i = 0; i <= cps.size(); ++i) {
      if (limit < 0 || done < limit) {
        out += to;
        ++done;
      }
      if (i < cps.size()) out += cps[i];
      if (out.size() > kMaxValueBytes) return err("replace: result exceeds the size limit");
    }
    return Value::String(std::move(out));
  }
  while (limit < 0 || done < limit) {
    std::size_t at = s.find(from, pos);
    if (at == std::string_view::npos) break;
    out += s.substr(pos, at - pos);
    out += to;
    pos = at + from.size();
    ++done;
    if (out.size() > kMaxValueBytes) return err("replace: result exceeds the size limit");
  }
  out += s.substr(pos);
  return Value::String(std::move(out));
}

Value split(const Value* a, std::size_t n) {
  if (!a[0].is_string() || !a[1].is_string() || (n == 3 && !a[2].is_int())) return no_overload("split", a, n);
  std::string_view s = a[0].as_string(), sep = a[1].as_string();
  std::int64_t limit = n == 3 ? a[2].as_int() : -1;
  std::vector<Value> out;
  if (limit == 0) return Value::List({});
  if (sep.empty()) {
    auto cps = code_points(s);
    for (std::size_t i = 0; i < cps.size(); ++i) {
      if (limit > 0 && static_cast<std::int64_t>(out.size()) == limit - 1) {
        std::size_t off = static_cast<std::size_t>(cps[i].data() - s.data());
        out.push_back(Value::String(std::string(s.substr(off))));
        return Value::List(std::move(out));
      }
      out.push_back(Value::String(std::string(cps[i])));
    }
    return Value::List(std::move(out));
  }
  std::size_t pos = 0;
  while (limit < 0 || static_cast<std::int64_t>(out.size()) < limit - 1) {
    std::size_t at = s.find(sep, pos);
    if (at == std::string_view::npos) break;
    out.push_back(Value::String(std::string(s.substr(pos, at - pos))));
    pos = at + sep.size();
  }
  out.push_back(Value::String(std::string(s.substr(pos))));
  return Value::List(std::move(out));
}

Value substring(const Value* a, std::size_t n) {
  if (!a[0].is_string() || !a[1].is_int() || (n == 3 && !a[2].is_int())) return no_overload("substring", a, n);
  std::string_view s = a[0].as_string();
  auto len = static_cast<std::int64_t>(utf8::length(s));
  std::int64_t start = a[1].as_int();
  std::int64_t end = n == 3 ? a[2].as_int() : len;
  if (start < 0 || start > len) return err("index out of range: " + std::to_string(start));
  if (end < 0 || end > len) return err("index out of range: " + std::to_string(end));
  if (end < start) {
    return err("invalid substring range. start: " + std::to_string(start) + ", end: " + std::to_string(end));
  }
  std::size_t b = utf8::offset_of(s, static_cast<std::size_t>(start));
  std::size_t e = utf8::offset_of(s, static_cast<std::size_t>(end));
  return Value::String(std::string(s.substr(b, e - b)));
}

Value trim(const Value* a, std::size_t) {
  if (!a[0].is_string()) return no_overload("trim", a, 1);
  std::string_view s = a[0].as_string();
  std::size_t begin = 0;
  while (begin < s.size()) {
    std::size_t next = begin;
    if (!is_unicode_space(utf8::decode(s, next))) break;
    begin = next;
  }
  std::size_t end = s.size();
  while (end > begin) {
    std::size_t start = end - 1;
    while (start > begin && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80) --start;
    std::size_t probe = start;
    if (!is_unicode_space(utf8::decode(s, probe))) break;
    end = start;
  }
  return Value::String(std::string(s.substr(begin, end - begin)));
}

Value join(const Value* a, std::size_t n) {
  if (!a[0].is_list() || (n == 2 && !a[1].is_string())) return no_overload("join", a, n);
  std::string_view sep = n == 2 ? a[1].as_string() : std::string_view();
  std::string out;
  for (std::size_t i = 0, size = a[0].list_size(); i < size; ++i) {
    Value item = a[0].list_at(i);
    if (!item.is_string()) return err("join: list element is " + std::string(item.type_name()) + ", not string");
    if (i) out += sep;
    out += item.as_string();
  }
  return Value::String(std::move(out));
}

Value reverse(const Value* a, std::size_t) {
  if (!a[0].is_string()) return no_overload("reverse", a, 1);
  auto cps = code_points(a[0].as_string());
  std::string out;
  out.reserve(a[0].as_string().size());
  for (auto it = cps.rbegin(); it != cps.rend(); ++it) out += *it;
  return Value::String(std::move(out));
}

constexpr Builtin kStringsExt[] = {
    {"charAt", true, 2, char_at},
    {"indexOf", true, 2, index_of},
    {"indexOf", true, 3, index_of},
    {"lastIndexOf", true, 2, last_index_of},
    {"lastIndexOf", true, 3, last_index_of},
    {"lowerAscii", true, 1, ascii_case<false>},
    {"upperAscii", true, 1, ascii_case<true>},
    {"replace", true, 3, replace},
    {"replace", true, 4, replace},
    {"split", true, 2, split},
    {"split", true, 3, split},
    {"substring", true, 2, substring},
    {"substring", true, 3, substring},
    {"trim", true, 1, trim},
    {"join", true, 1, join},
    {"join", true, 2, join},
    {"reverse", true, 1, reverse},
    {"format", true, 2, string_format},
    {"strings.quote", false, 1, string_quote},
};

}  // namespace

std::span<const Builtin> strings_extension() { return kStringsExt; }

}  // namespace cel
