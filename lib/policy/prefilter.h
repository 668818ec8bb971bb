// Rule prefilters: from a condition's CEL text, a set of facts of the call
// one of which must hold for the condition to be true ("some command is
// named git with first operand push", "shell.deletes is not empty",
// "args.command contains 'rm -rf'"). A call that has none of them cannot match the condition: the
// engine skips it without compiling or evaluating it. Like RE2's prefilter
// or gitleaks' keywords, but derived so that a miss means the condition
// evaluates to exactly false (never to an error), so skipping is exact.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace preloop::shell {
struct Analysis;
}

namespace preloop::policy {

// Which values of the analysis an atom is tested against.
enum class FactField : std::uint8_t {
  Name,     // a command's normalised name (what c.is and c.name see)
  NameSub,  // name + '\0' + first operand, for c.is(name, sub, ...)
  Operand,  // any operand of any command
  Alias,    // an entry of shell.names (command names and wrappers)
  Flag,     // a non-empty list or true bool: deletes, writes, reads, sends, scripts,
            // dynamic_code, unknowns, fork_bomb, unparseable, dynamic_name
  Arg,      // key + '\0' + value of a string field of `args`; a key that is absent
            // or not a string admits the atom (the condition may then fail closed)
};
enum class FactOp : std::uint8_t { Eq, Prefix, Suffix, Contains };

struct PrefilterAtom {
  FactField field = FactField::Name;
  FactOp op = FactOp::Eq;
  std::string text;
  bool operator==(const PrefilterAtom&) const = default;
};

struct Prefilter {
  enum class State : std::uint8_t { NotDerived, Always, AnyOf };
  State state = State::NotDerived;  // Always: no usable prefilter, evaluate every call
  std::vector<PrefilterAtom> any_of;
};

// The call's values, in the fields above, each once per field: a command
// line of thousands of commands has a few distinct names, and an equality
// atom is one lookup once a field holds many values (a short call keeps to
// plain lists).
class CallFacts {
 public:
  CallFacts() = default;
  CallFacts(const CallFacts&) = delete;  // the lists view strings_
  CallFacts& operator=(const CallFacts&) = delete;
  void add(FactField field, std::string value);
  bool has(FactField field, std::string_view value) const {
    const int f = static_cast<int>(field);
    if (!(signatures_[f] & signature(value))) return false;
    if (lists_[f].size() >= kIndexed) return has_indexed(field, value);
    for (std::string_view v : lists_[f])
      if (v == value) return true;
    return false;
  }
  const std::vector<std::string_view>& values(FactField field) const { return lists_[static_cast<int>(field)]; }

 private:
  static constexpr std::size_t kIndexed = 16;    // values in a field from which on it is hashed
  // One bit per value (of its length and end characters): most atoms a call
  // lacks are told apart by one test, without comparing strings.
  static std::uint64_t signature(std::string_view v) {
    if (v.empty()) return 1;
    return std::uint64_t{1} << ((v.size() * 7 + static_cast<unsigned char>(v.front()) * 3 +
                                 static_cast<unsigned char>(v.back())) & 63u);
  }
  std::uint64_t signatures_[6] = {};               // indexed by FactField: the values' bits or'ed
  bool has_indexed(FactField field, std::string_view value) const;
  std::deque<std::string> strings_;               // every field's values (stable addresses)
  std::vector<std::string_view> lists_[6];        // indexed by FactField, in order first seen
  std::unordered_set<std::string_view> sets_[6];  // the same, for fields of kIndexed values or more
};

// Derives the prefilter of a CEL expression that is known to compile.
// Anything not understood yields Always.
Prefilter derive_prefilter(std::string_view expression);

// Adds the values of the shell analysis (every field but Arg).
void add_shell_facts(CallFacts& facts, const shell::Analysis& analysis);
// Adds the string fields of `args` (field Arg).
void add_arg_facts(CallFacts& facts, const nlohmann::json& args);
// Whether testing the prefilter needs the shell analysis.
bool needs_shell(const Prefilter& prefilter);

// False only when no atom holds: the condition is then false for this call.
bool admits(const Prefilter& prefilter, const CallFacts& facts);
// Whether one atom holds (an Arg atom also holds when its key is absent or not a string).
bool holds(FactField field, FactOp op, std::string_view text, const CallFacts& facts);

}  // namespace preloop::policy
