#include "cel/value.h"

#include <charconv>
#include <cmath>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "cel/extensions.h"
#include "cel/limits.h"
#include "cel/unicode.h"

namespace cel {

using json = nlohmann::json;

// Map storage: entries in insertion order plus hash indexes once the map is
// large enough for a linear scan to lose.
struct MapData {
  static constexpr std::size_t kIndexThreshold = 8;
  std::vector<std::pair<Value, Value>> entries;
  std::unordered_map<std::string_view, std::size_t> strings;
  std::unordered_map<std::int64_t, std::size_t> ints;     // int keys and uint keys <= INT64_MAX
  std::unordered_map<std::uint64_t, std::size_t> uints;   // uint keys > INT64_MAX
  std::size_t bools[2] = {SIZE_MAX, SIZE_MAX};
  bool indexed = false;

  // Index slot for a key; nullptr for kinds that cannot be keys.
  std::size_t* slot(const Value& key, bool create) {
    switch (key.kind()) {
      case Kind::String: {
        if (!create) {
          auto it = strings.find(key.as_string());
          return it == strings.end() ? nullptr : &it->second;
        }
        return &strings.try_emplace(key.as_string(), SIZE_MAX).first->second;
      }
      case Kind::Bool:
        return &bools[key.as_bool() ? 1 : 0];
      case Kind::Int:
      case Kind::Uint:
      case Kind::Double: {
        std::int64_t i;
        std::uint64_t u;
        bool is_int;
        if (key.is_int()) {
          i = key.as_int();
          is_int = true;
        } else if (key.is_uint()) {
          u = key.as_uint();
          is_int = u <= static_cast<std::uint64_t>(INT64_MAX);
          i = static_cast<std::int64_t>(u);
        } else {
          double d = key.as_double();
          if (!(d == std::trunc(d))) return nullptr;
          if (d >= -9223372036854775808.0 && d < 9223372036854775808.0) {
            i = static_cast<std::int64_t>(d);
            is_int = true;
          } else if (d >= 0 && d < 18446744073709551616.0) {
            u = static_cast<std::uint64_t>(d);
            is_int = false;
          } else {
            return nullptr;
          }
        }
        if (is_int) {
          if (!create) {
            auto it = ints.find(i);
            return it == ints.end() ? nullptr : &it->second;
          }
          return &ints.try_emplace(i, SIZE_MAX).first->second;
        }
        if (!create) {
          auto it = uints.find(u);
          return it == uints.end() ? nullptr : &it->second;
        }
        return &uints.try_emplace(u, SIZE_MAX).first->second;
      }
      default:
        return nullptr;
    }
  }

  std::optional<std::size_t> find(const Value& key) {
    if (!indexed) {
      for (std::size_t k = 0; k < entries.size(); ++k) {
        if (entries[k].first == key) return k;
      }
      return std::nullopt;
    }
    std::size_t* s = slot(key, false);
    if (s == nullptr || *s == SIZE_MAX) return std::nullopt;
    return *s;
  }
};

namespace {

bool valid_key(const Value& k) {
  return k.is_string() || k.is_int() || k.is_uint() || k.is_bool();
}

// int/uint against double compare on the double number line, as cel-go
// does: 9223372036854775807 == 9223372036854775808.0. Returns 2 for NaN.
int cmp_double(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return 2;
  return a < b ? -1 : a > b ? 1 : 0;
}
int cmp_int_double(std::int64_t i, double d) { return cmp_double(static_cast<double>(i), d); }
int cmp_uint_double(std::uint64_t u, double d) { return cmp_double(static_cast<double>(u), d); }

int cmp_int_uint(std::int64_t i, std::uint64_t u) {
  if (i < 0) return -1;
  auto ui = static_cast<std::uint64_t>(i);
  return ui < u ? -1 : ui > u ? 1 : 0;
}

template <typename T>
int cmp3(T a, T b) {
  return a < b ? -1 : a > b ? 1 : 0;
}

bool is_number(Kind k) { return k == Kind::Int || k == Kind::Uint || k == Kind::Double; }

// Numeric three-way comparison across int, uint and double (2 = unordered).
int cmp_numbers(const Value& a, const Value& b) {
  switch (a.kind()) {
    case Kind::Int:
      if (b.is_int()) return cmp3(a.as_int(), b.as_int());
      if (b.is_uint()) return cmp_int_uint(a.as_int(), b.as_uint());
      return cmp_int_double(a.as_int(), b.as_double());
    case Kind::Uint:
      if (b.is_uint()) return cmp3(a.as_uint(), b.as_uint());
      if (b.is_int()) return -cmp_int_uint(b.as_int(), a.as_uint());
      return cmp_uint_double(a.as_uint(), b.as_double());
    default: {
      double d = a.as_double();
      if (b.is_double()) {
        double e = b.as_double();
        if (std::isnan(d) || std::isnan(e)) return 2;
        return cmp3(d, e);
      }
      int r = b.is_int() ? cmp_int_double(b.as_int(), d) : cmp_uint_double(b.as_uint(), d);
      return r == 2 ? 2 : -r;
    }
  }
}

Value from_json_scalar(const json& j) {
  switch (j.type()) {
    case json::value_t::null:
      return Value::Null();
    case json::value_t::boolean:
      return Value::Bool(j.get<bool>());
    case json::value_t::number_integer:
      return Value::Int(j.get<std::int64_t>());
    case json::value_t::number_unsigned: {
      auto u = j.get<std::uint64_t>();
      if (u <= static_cast<std::uint64_t>(INT64_MAX)) return Value::Int(static_cast<std::int64_t>(u));
      return Value::Uint(u);
    }
    case json::value_t::number_float:
      return Value::Double(j.get<double>());
    case json::value_t::binary:
      return Value::Bytes(std::string(j.get_binary().begin(), j.get_binary().end()));
    default:
      return Value::Error("unsupported json value");
  }
}

void quote_into(std::string& out, std::string_view s, bool bytes) {
  out += bytes ? "b\"" : "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20 || c == 0x7F || (bytes && c >= 0x80)) {
          static const char* hex = "0123456789abcdef";
          out += "\\x";
          out.push_back(hex[c >> 4]);
          out.push_back(hex[c & 15]);
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  out += '"';
}

void debug_into(std::string& out, const Value& v, int depth);

std::string format_double(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "+Inf" : "-Inf";
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, d);
  return std::string(buf, r.ptr);
}

void debug_into(std::string& out, const Value& v, int depth) {
  if (depth > kMaxValueDepth) {
    out += "...";
    return;
  }
  switch (v.kind()) {
    case Kind::Null: out += "null"; break;
    case Kind::Bool: out += v.as_bool() ? "true" : "false"; break;
    case Kind::Int: out += std::to_string(v.as_int()); break;
    case Kind::Uint: out += std::to_string(v.as_uint()) + "u"; break;
    case Kind::Double: {
      std::string s = format_double(v.as_double());
      if (s.find_first_of(".eEIN") == std::string::npos) s += ".0";
      out += s;
      break;
    }
    case Kind::String: quote_into(out, v.as_string(), false); break;
    case Kind::Bytes: quote_into(out, v.as_bytes(), true); break;
    case Kind::List: {
      out += '[';
      for (std::size_t i = 0, n = v.list_size(); i < n; ++i) {
        if (i) out += ", ";
        debug_into(out, v.list_at(i), depth + 1);
      }
      out += ']';
      break;
    }
    case Kind::Map: {
      out += '{';
      bool first = true;
      v.map_for_each([&](const Value& k, const Value& val) {
        if (!first) out += ", ";
        first = false;
        debug_into(out, k, depth + 1);
        out += ": ";
        debug_into(out, val, depth + 1);
      });
      out += '}';
      break;
    }
    case Kind::Type: out += v.type_value(); break;
    case Kind::Error:
      out += "error(";
      quote_into(out, v.error_message(), false);
      out += ')';
      break;
  }
}

}  // namespace

// ---- factories ------------------------------------------------------------

Value Value::String(std::string s) {
  Value v;
  v.kind_ = Kind::String;
  v.rep_ = Rep::Heap;
  v.heap_ = std::make_shared<const std::string>(std::move(s));
  return v;
}

Value Value::Bytes(std::string b) {
  Value v = String(std::move(b));
  v.kind_ = Kind::Bytes;
  return v;
}

Value Value::Type(std::string name) {
  Value v = String(std::move(name));
  v.kind_ = Kind::Type;
  return v;
}

Value Value::Error(std::string message) {
  Value v = String(std::move(message));
  v.kind_ = Kind::Error;
  return v;
}

Value Value::List(std::vector<Value> items) {
  Value v;
  v.kind_ = Kind::List;
  v.rep_ = Rep::Heap;
  v.heap_ = std::make_shared<const std::vector<Value>>(std::move(items));
  return v;
}

Value Value::Map(std::vector<std::pair<Value, Value>> entries) {
  auto data = std::make_shared<MapData>();
  data->entries.reserve(entries.size());
  const bool index = entries.size() > MapData::kIndexThreshold;
  if (index) data->indexed = true;
  for (auto& e : entries) {
    if (e.first.is_error()) return e.first;
    if (!valid_key(e.first)) {
      return Error("unsupported map key type: " + std::string(e.first.type_name()));
    }
    if (index) {
      std::size_t* s = data->slot(e.first, true);
      if (*s != SIZE_MAX) return Error("duplicate map key: " + e.first.debug_string());
      *s = data->entries.size();
    } else if (data->find(e.first)) {
      return Error("duplicate map key: " + e.first.debug_string());
    }
    data->entries.push_back(std::move(e));
  }
  Value v;
  v.kind_ = Kind::Map;
  v.rep_ = Rep::Heap;
  v.heap_ = std::move(data);
  return v;
}

Value Value::StringMap(std::vector<std::pair<std::string, Value>> entries) {
  std::vector<std::pair<Value, Value>> e;
  e.reserve(entries.size());
  for (auto& [k, val] : entries) e.emplace_back(String(std::move(k)), std::move(val));
  return Map(std::move(e));
}

Value Value::json_view(const json* j) {
  switch (j->type()) {
    case json::value_t::string: {
      Value v;
      v.kind_ = Kind::String;
      v.rep_ = Rep::Json;
      v.j_ = j;
      return v;
    }
    case json::value_t::array: {
      Value v;
      v.kind_ = Kind::List;
      v.rep_ = Rep::Json;
      v.j_ = j;
      return v;
    }
    case json::value_t::object: {
      Value v;
      v.kind_ = Kind::Map;
      v.rep_ = Rep::Json;
      v.j_ = j;
      return v;
    }
    default:
      return from_json_scalar(*j);
  }
}

Value Value::host(std::shared_ptr<const HostList> list) {
  Value v;
  v.kind_ = Kind::List;
  v.rep_ = Rep::Host;
  v.heap_ = std::move(list);
  return v;
}

Value Value::host(std::shared_ptr<const HostMap> map) {
  Value v;
  v.kind_ = Kind::Map;
  v.rep_ = Rep::Host;
  v.heap_ = std::move(map);
  return v;
}

namespace {

Value from_json_at(const json& j, int depth) {
  if (depth > kMaxValueDepth) return Value::Error("json nests too deeply");
  switch (j.type()) {
    case json::value_t::string:
      return Value::String(j.get<std::string>());
    case json::value_t::array: {
      std::vector<Value> items;
      items.reserve(j.size());
      for (const auto& e : j) {
        items.push_back(from_json_at(e, depth + 1));
        if (items.back().is_error()) return items.back();
      }
      return Value::List(std::move(items));
    }
    case json::value_t::object: {
      std::vector<std::pair<Value, Value>> entries;
      entries.reserve(j.size());
      for (auto it = j.begin(); it != j.end(); ++it) {
        entries.emplace_back(Value::String(it.key()), from_json_at(it.value(), depth + 1));
        if (entries.back().second.is_error()) return entries.back().second;
      }
      return Value::Map(std::move(entries));
    }
    default:
      return from_json_scalar(j);
  }
}

}  // namespace

Value Value::from_json(const json& j) { return from_json_at(j, 0); }

// ---- accessors --------------------------------------------------------------

std::string_view Value::json_text() const { return j_->get_ref<const std::string&>(); }

std::string Value::error_message() const { return std::string(text()); }

std::size_t Value::list_size() const {
  if (rep_ == Rep::Json) return j_->size();
  if (rep_ == Rep::Host) return static_cast<const HostList*>(heap_.get())->size();
  return static_cast<const std::vector<Value>*>(heap_.get())->size();
}

Value Value::list_at(std::size_t index) const {
  if (rep_ == Rep::Json) return json_view(&(*j_)[index]);
  if (rep_ == Rep::Host) return static_cast<const HostList*>(heap_.get())->at(index);
  return (*static_cast<const std::vector<Value>*>(heap_.get()))[index];
}

std::size_t Value::map_size() const {
  if (rep_ == Rep::Json) return j_->size();
  if (rep_ == Rep::Host) return static_cast<const HostMap*>(heap_.get())->size();
  return static_cast<const MapData*>(heap_.get())->entries.size();
}

std::optional<Value> Value::map_get(std::string_view key) const {
  if (rep_ == Rep::Json) {
    const auto& obj = j_->get_ref<const json::object_t&>();
    auto it = obj.find(key);
    if (it == obj.end()) return std::nullopt;
    return json_view(&it->second);
  }
  if (rep_ == Rep::Host) return static_cast<const HostMap*>(heap_.get())->get(key);
  auto* data = const_cast<MapData*>(static_cast<const MapData*>(heap_.get()));
  if (data->indexed) {
    auto it = data->strings.find(key);
    if (it == data->strings.end()) return std::nullopt;
    return data->entries[it->second].second;
  }
  for (const auto& e : data->entries) {
    if (e.first.is_string() && e.first.as_string() == key) return e.second;
  }
  return std::nullopt;
}

std::optional<Value> Value::map_get(const Value& key) const {
  if (rep_ == Rep::Json || rep_ == Rep::Host) {
    if (!key.is_string()) return std::nullopt;
    return map_get(key.as_string());
  }
  if (key.is_string()) return map_get(key.as_string());
  // find() only reads; the index is built at construction.
  auto* data = const_cast<MapData*>(static_cast<const MapData*>(heap_.get()));
  auto k = data->find(key);
  if (!k) return std::nullopt;
  return data->entries[*k].second;
}

void Value::map_for_each(const std::function<void(const Value&, const Value&)>& fn) const {
  if (rep_ == Rep::Json) {
    for (const auto& [k, v] : j_->get_ref<const json::object_t&>()) fn(String(k), json_view(&v));
    return;
  }
  if (rep_ == Rep::Host) {
    static_cast<const HostMap*>(heap_.get())->for_each(fn);
    return;
  }
  for (const auto& e : static_cast<const MapData*>(heap_.get())->entries) fn(e.first, e.second);
}

std::vector<std::pair<Value, Value>> Value::map_entries() const {
  std::vector<std::pair<Value, Value>> out;
  out.reserve(map_size());
  map_for_each([&](const Value& k, const Value& v) { out.emplace_back(k, v); });
  return out;
}

std::string_view Value::type_name() const {
  switch (kind_) {
    case Kind::Null: return "null_type";
    case Kind::Bool: return "bool";
    case Kind::Int: return "int";
    case Kind::Uint: return "uint";
    case Kind::Double: return "double";
    case Kind::String: return "string";
    case Kind::Bytes: return "bytes";
    case Kind::List: return "list";
    case Kind::Map: return "map";
    case Kind::Type: return "type";
    case Kind::Error: return "error";
  }
  return "unknown";
}

std::string Value::debug_string() const {
  std::string out;
  debug_into(out, *this, 0);
  return out;
}

json Value::to_json() const { return to_json_at(0); }

json Value::to_json_at(int depth) const {
  if (depth > kMaxValueDepth) return nullptr;
  switch (kind_) {
    case Kind::Null: return nullptr;
    case Kind::Bool: return b_;
    case Kind::Int: return i_;
    case Kind::Uint: return u_;
    case Kind::Double:
      if (!std::isfinite(d_)) return nullptr;
      return d_;
    case Kind::String:
      if (rep_ == Rep::Json) return *j_;
      return std::string(as_string());
    case Kind::Bytes: return base64_encode(as_bytes());
    case Kind::List: {
      if (rep_ == Rep::Json) return *j_;
      json out = json::array();
      for (std::size_t i = 0, n = list_size(); i < n; ++i) out.push_back(list_at(i).to_json_at(depth + 1));
      return out;
    }
    case Kind::Map: {
      if (rep_ == Rep::Json) return *j_;
      json out = json::object();
      map_for_each([&](const Value& k, const Value& v) {
        std::string key = k.is_string() ? std::string(k.as_string()) : k.debug_string();
        out[key] = v.to_json_at(depth + 1);
      });
      return out;
    }
    case Kind::Type: return std::string(type_value());
    case Kind::Error: return json{{"error", error_message()}};
  }
  return nullptr;
}

// ---- equality and ordering ---------------------------------------------------

namespace {

bool equal_at(const Value& a, const Value& b, int depth) {
  Kind ka = a.kind(), kb = b.kind();
  if (ka != kb) {
    if (is_number(ka) && is_number(kb)) return cmp_numbers(a, b) == 0;
    return false;
  }
  switch (ka) {
    case Kind::Null: return true;
    case Kind::Bool: return a.as_bool() == b.as_bool();
    case Kind::Int: return a.as_int() == b.as_int();
    case Kind::Uint: return a.as_uint() == b.as_uint();
    case Kind::Double: return a.as_double() == b.as_double();
    case Kind::String:
    case Kind::Bytes:
    case Kind::Type: return a.as_string() == b.as_string();
    case Kind::Error: return false;
    case Kind::List: {
      std::size_t n = a.list_size();
      if (n != b.list_size() || depth > kMaxValueDepth) return false;
      for (std::size_t i = 0; i < n; ++i) {
        if (!equal_at(a.list_at(i), b.list_at(i), depth + 1)) return false;
      }
      return true;
    }
    case Kind::Map: {
      if (a.map_size() != b.map_size() || depth > kMaxValueDepth) return false;
      bool equal = true;
      a.map_for_each([&](const Value& k, const Value& v) {
        if (!equal) return;
        auto other = b.map_get(k);
        if (!other || !equal_at(*other, v, depth + 1)) equal = false;
      });
      return equal;
    }
  }
  return false;
}

}  // namespace

bool operator==(const Value& a, const Value& b) { return equal_at(a, b, 0); }

std::optional<int> compare(const Value& a, const Value& b) {
  Kind ka = a.kind(), kb = b.kind();
  if (is_number(ka) && is_number(kb)) return cmp_numbers(a, b);
  if (ka != kb) return std::nullopt;
  switch (ka) {
    case Kind::Bool: return cmp3(a.as_bool(), b.as_bool());
    case Kind::String: return cmp3(a.as_string().compare(b.as_string()), 0);
    case Kind::Bytes: return cmp3(a.as_bytes().compare(b.as_bytes()), 0);
    default: return std::nullopt;
  }
}

}  // namespace cel
