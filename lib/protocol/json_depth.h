// A bound on JSON nesting, checked before any recursive code sees a document:
// deep nesting would otherwise exhaust the stack (a crash, which Claude Code
// treats as "no decision").
#pragma once

#include <string_view>

namespace preloop::protocol {

// The deepest nesting of arrays and objects the guard accepts. Claude Code's
// events nest a few levels (tool inputs and outputs a few more); 512 leaves
// room for any real tool call and keeps every recursive walk far from the stack's end.
inline constexpr int kMaxJsonDepth = 512;

// True when text nests arrays and objects deeper than max_depth. Brackets
// inside strings do not count; the text need not be valid JSON. One pass, no allocation.
bool json_too_deep(std::string_view text, int max_depth = kMaxJsonDepth);

}  // namespace preloop::protocol
