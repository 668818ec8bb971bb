// UTF-8 helpers for CEL strings, which count and index code points.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace cel::utf8 {

// True when s is well-formed UTF-8 (no surrogates, no overlong forms).
bool valid(std::string_view s);
// Number of code points in valid UTF-8.
std::size_t length(std::string_view s);
// Byte offset of code point number `index` (index <= length(s)).
std::size_t offset_of(std::string_view s, std::size_t index);
// Decodes one code point at s[pos], advancing pos; invalid bytes decode as
// themselves (0x80..0xFF) one at a time.
char32_t decode(std::string_view s, std::size_t& pos);
void append(std::string& out, char32_t code_point);

}  // namespace cel::utf8
