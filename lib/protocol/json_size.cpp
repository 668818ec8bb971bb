#include "protocol/json_size.h"

#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace preloop::protocol {
namespace {

// Bytes an escape adds for c: 1 for \n and the like, 5 for \u001f, 0 for a plain byte.
std::size_t escape_extra(unsigned char c) {
  if (c >= 0x20 && c != '"' && c != '\\') return 0;
  bool short_escape = c == '"' || c == '\\' || c == '\b' || c == '\f' || c == '\n' || c == '\r' || c == '\t';
  return short_escape ? 1 : 5;
}

std::size_t string_size(const std::string& s) {
  // Eight bytes at a time, with exact per-byte masks (the high bit of each
  // byte; no carry crosses a byte): a word without a control byte, a quote or
  // a backslash (the common case) adds nothing; a quote, a backslash or a
  // newline adds one each, counted at once; only another control byte is
  // looked at alone.
  constexpr std::uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull, low7 = ~high;
  auto below_space = [&](std::uint64_t x) { return ~((x & low7) + ones * (0x80 - 0x20)) & ~x & high; };
  auto equals = [&](std::uint64_t x, unsigned char b) {
    const std::uint64_t y = x ^ (ones * b);
    return ~(((y & low7) + low7) | y) & high;
  };
  auto count = [&](std::uint64_t mask) { return static_cast<std::size_t>(((mask >> 7) * ones) >> 56); };
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  std::size_t n = 2 + s.size(), i = 0;
#if defined(__SSE2__)
  // The same sixteen bytes at a time with SSE2 (every x86-64 CPU has it):
  // a tool's output is most of what a PostToolUse record measures.
  const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\'), newline_byte = _mm_set1_epi8('\n'),
                flip = _mm_set1_epi8(static_cast<char>(0x80)), space = _mm_set1_epi8(static_cast<char>(0x20 ^ 0x80));
  for (; i + 16 <= s.size(); i += 16) {
    const __m128i w = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
    // Unsigned w < 0x20 as a signed compare of both sides with the high bit flipped.
    const unsigned control = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmplt_epi8(_mm_xor_si128(w, flip), space)));
    const unsigned quoted =
        static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(w, quote), _mm_cmpeq_epi8(w, backslash))));
    if (!(control | quoted)) continue;
    const unsigned newline = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(w, newline_byte)));
    n += static_cast<std::size_t>(std::popcount(quoted | newline));
    for (unsigned other = control & ~newline; other; other &= other - 1) n += escape_extra(p[i + std::countr_zero(other)]);
  }
#endif
  for (; i + 8 <= s.size(); i += 8) {
    std::uint64_t w;
    std::memcpy(&w, p + i, 8);
    const std::uint64_t control = below_space(w), quoted = equals(w, '"') | equals(w, '\\');
    if (!(control | quoted)) continue;
    const std::uint64_t newline = equals(w, '\n');
    n += count(quoted | newline);
    for (std::uint64_t other = control & ~newline; other; other &= other - 1) {
      std::uint64_t byte = w >> (std::countr_zero(other) & ~7);
      n += escape_extra(static_cast<unsigned char>(byte));
    }
  }
  for (; i < s.size(); ++i) n += escape_extra(p[i]);
  return n;
}

}  // namespace

std::size_t dumped_size(const nlohmann::json& j) {
  using V = nlohmann::json::value_t;
  switch (j.type()) {
    case V::null: return 4;
    case V::boolean: return j.get<bool>() ? 4 : 5;
    case V::string: return string_size(j.get_ref<const std::string&>());
    case V::array: {
      std::size_t n = 2 + (j.empty() ? 0 : j.size() - 1);
      for (const auto& v : j) n += dumped_size(v);
      return n;
    }
    case V::object: {
      std::size_t n = 2 + (j.empty() ? 0 : j.size() - 1);
      for (auto it = j.begin(); it != j.end(); ++it) n += string_size(it.key()) + 1 + dumped_size(it.value());
      return n;
    }
    default: return j.dump().size();  // numbers and binary: short
  }
}

}  // namespace preloop::protocol
