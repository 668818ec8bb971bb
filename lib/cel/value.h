// CEL runtime values: null, bool, int, uint, double, string, bytes, list,
// map, type and error. A Value is small (32 bytes), cheap to copy (scalars
// inline, everything else shared and immutable) and never throws on access
// of the right kind.
//
// JSON mapping (Value::from_json and Activation::bind_json):
//   null -> null, bool -> bool, string -> string, array -> list,
//   object -> map with string keys,
//   numbers written without fraction or exponent -> int (uint when above
//   INT64_MAX), every other number -> double.
// This departs from the CEL spec (all JSON numbers are double) on purpose:
// tool inputs carry counts and sizes, and `args.n + 1` should be an int.
// Heterogeneous numeric equality (`1 == 1.0`) makes the difference invisible
// to comparisons.
//
// A Value made by Value::json_view() refers to the json without copying it;
// the json must outlive the Value and everything derived from it.
//
// A Value made by Value::host() is a list or map whose elements the host
// application produces when they are read (HostList, HostMap below): a large
// native structure costs nothing until an expression looks into it.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace cel {

enum class Kind : std::uint8_t {
  Null,
  Bool,
  Int,
  Uint,
  Double,
  String,
  Bytes,
  List,
  Map,
  Type,
  Error,
};

class Value;
struct MapData;
class HostList;
class HostMap;

class Value {
 public:
  // ---- construction -------------------------------------------------------
  Value() noexcept : kind_(Kind::Null), rep_(Rep::Inline) { u_ = 0; }
  static Value Null() { return Value(); }
  static Value Bool(bool b) { return Value(Kind::Bool, [&](Value& v) { v.b_ = b; }); }
  static Value Int(std::int64_t i) { return Value(Kind::Int, [&](Value& v) { v.i_ = i; }); }
  static Value Uint(std::uint64_t u) { return Value(Kind::Uint, [&](Value& v) { v.u_ = u; }); }
  static Value Double(double d) { return Value(Kind::Double, [&](Value& v) { v.d_ = d; }); }
  static Value String(std::string s);  // must be valid UTF-8 (not checked)
  static Value Bytes(std::string b);
  static Value List(std::vector<Value> items);
  // Map keys must be bool, int, uint or string; a bad or duplicate key makes
  // the result an error value.
  static Value Map(std::vector<std::pair<Value, Value>> entries);
  static Value StringMap(std::vector<std::pair<std::string, Value>> entries);
  // A type value, named as CEL names types: "int", "list", "null_type", ...
  static Value Type(std::string name);
  static Value Error(std::string message);
  // Eager deep conversion of a json document.
  static Value from_json(const nlohmann::json& json);
  // Zero-copy view of a json document (strings, arrays and objects are read
  // in place; scalars are converted). The json must outlive the Value.
  static Value json_view(const nlohmann::json* json);
  // A list or map read through the host's interface (shared, never copied).
  static Value host(std::shared_ptr<const HostList> list);
  static Value host(std::shared_ptr<const HostMap> map);

  // ---- inspection ---------------------------------------------------------
  Kind kind() const { return kind_; }
  bool is_null() const { return kind_ == Kind::Null; }
  bool is_bool() const { return kind_ == Kind::Bool; }
  bool is_int() const { return kind_ == Kind::Int; }
  bool is_uint() const { return kind_ == Kind::Uint; }
  bool is_double() const { return kind_ == Kind::Double; }
  bool is_string() const { return kind_ == Kind::String; }
  bool is_bytes() const { return kind_ == Kind::Bytes; }
  bool is_list() const { return kind_ == Kind::List; }
  bool is_map() const { return kind_ == Kind::Map; }
  bool is_type() const { return kind_ == Kind::Type; }
  bool is_error() const { return kind_ == Kind::Error; }
  bool is_true() const { return kind_ == Kind::Bool && b_; }
  bool is_false() const { return kind_ == Kind::Bool && !b_; }

  // Accessors: call only for the matching kind.
  bool as_bool() const { return b_; }
  std::int64_t as_int() const { return i_; }
  std::uint64_t as_uint() const { return u_; }
  double as_double() const { return d_; }
  std::string_view as_string() const { return text(); }  // String
  std::string_view as_bytes() const { return text(); }   // Bytes
  std::string_view type_value() const { return text(); } // Type: its name
  std::string error_message() const;                     // Error

  // Lists.
  std::size_t list_size() const;
  Value list_at(std::size_t index) const;  // index < list_size()
  // Maps.
  std::size_t map_size() const;
  // Lookup with CEL key semantics (1, 1u and 1.0 find the same key).
  std::optional<Value> map_get(const Value& key) const;
  std::optional<Value> map_get(std::string_view key) const;
  bool map_contains(const Value& key) const { return map_get(key).has_value(); }
  // Visits entries in insertion (or json document) order.
  void map_for_each(const std::function<void(const Value& key, const Value& value)>& fn) const;
  std::vector<std::pair<Value, Value>> map_entries() const;

  // The CEL type name of this value: "int", "string", "map", "type", ...
  std::string_view type_name() const;
  // A CEL-literal-like rendering for messages and tests: 1, 2u, 1.5, "s",
  // b"\x00", [1, 2], {"k": true}, int, error("...").
  std::string debug_string() const;
  // json of the value: bytes as base64, maps with non-string keys get the key
  // rendered as text, type values as their name, errors as {"error": msg},
  // NaN/Inf as null (and values nested over 128 deep as null).
  nlohmann::json to_json() const;

  // CEL heterogeneous equality (never an error; errors compare unequal).
  friend bool operator==(const Value& a, const Value& b);
  friend bool operator!=(const Value& a, const Value& b) { return !(a == b); }

 private:
  enum class Rep : std::uint8_t { Inline, Heap, Json, Host };
  template <typename Set>
  Value(Kind kind, const Set& set) : kind_(kind), rep_(Rep::Inline) {
    u_ = 0;
    set(*this);
  }
  std::string_view text() const {
    if (rep_ == Rep::Json) return json_text();
    return *static_cast<const std::string*>(heap_.get());
  }
  std::string_view json_text() const;
  nlohmann::json to_json_at(int depth) const;

  Kind kind_;
  Rep rep_;
  union {
    bool b_;
    std::int64_t i_;
    std::uint64_t u_;
    double d_;
    const nlohmann::json* j_;
  };
  // std::string for String/Bytes/Type/Error, std::vector<Value> for List,
  // MapData for Map; HostList or HostMap for Rep::Host.
  std::shared_ptr<const void> heap_;

  friend struct MapData;
};

// A list produced by the host on demand. The same index must always yield
// an equal value (implementations may build elements lazily and keep them).
class HostList {
 public:
  virtual ~HostList() = default;
  virtual std::size_t size() const = 0;
  virtual Value at(std::size_t index) const = 0;  // index < size()
};

// A map with string keys produced by the host on demand; the same key must
// always yield an equal value.
class HostMap {
 public:
  virtual ~HostMap() = default;
  virtual std::size_t size() const = 0;
  virtual std::optional<Value> get(std::string_view key) const = 0;
  // Every entry, in a fixed order.
  virtual void for_each(const std::function<void(const Value& key, const Value& value)>& fn) const = 0;
};

// Ordering for < <= > >=: -1, 0, 1; 2 when numbers are unordered (a NaN is
// involved: every comparison is false); nullopt when the kinds have no
// ordering between them (lists, maps, null, mixed non-numeric kinds).
std::optional<int> compare(const Value& a, const Value& b);

}  // namespace cel
