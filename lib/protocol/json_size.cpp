#include "protocol/json_size.h"

#include <cstdint>
#include <cstring>
#include <string>

namespace preloop::protocol {
namespace {

// Bytes an escape adds for c: 1 for \n and the like, 5 for \u001f, 0 for a plain byte.
std::size_t escape_extra(unsigned char c) {
  if (c >= 0x20 && c != '"' && c != '\\') return 0;
  bool short_escape = c == '"' || c == '\\' || c == '\b' || c == '\f' || c == '\n' || c == '\r' || c == '\t';
  return short_escape ? 1 : 5;
}

std::size_t string_size(const std::string& s) {
  // Eight bytes at a time: a word without a control byte, a quote or a
  // backslash (the common case, tested without branches per byte) adds nothing.
  constexpr std::uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
  auto has_below = [](std::uint64_t x, std::uint64_t n) { return (x - ones * n) & ~x & high; };
  auto has_byte = [&](std::uint64_t x, std::uint64_t b) { return has_below(x ^ (ones * b), 1); };
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  std::size_t n = 2 + s.size(), i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    std::uint64_t w;
    std::memcpy(&w, p + i, 8);
    if (!(has_below(w, 0x20) | has_byte(w, '"') | has_byte(w, '\\'))) continue;
    for (std::size_t j = 0; j < 8; ++j) n += escape_extra(p[i + j]);
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
