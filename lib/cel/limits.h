// Resource limits that keep hostile expressions from exhausting time or
// memory during one evaluation.
#pragma once

#include <cstddef>
#include <cstdint>

namespace cel {

inline constexpr std::int64_t kMaxIterations = 10'000'000;  // default comprehension steps per evaluation
inline constexpr std::size_t kMaxValueBytes = 64u << 20;    // strings/bytes built by +, replace, format
inline constexpr std::size_t kMaxListItems = 1u << 20;      // lists and maps built by + and macros
// Recursion into nested values (equality, printing, json conversion): json
// input can nest arbitrarily deep.
inline constexpr int kMaxValueDepth = 128;

}  // namespace cel
