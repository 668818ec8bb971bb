#include "secrets/spans.h"

#include <cstring>

namespace preloop::secrets {
namespace {

// Spans closer than this are searched as one: a regex search call costs
// about as much as scanning a few hundred bytes.
constexpr std::size_t kJoinGap = 512;

bool name_char(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
         c == '-';
}

}  // namespace

std::vector<Span> line_spans(std::string_view text, const std::vector<std::size_t>& positions) {
  std::vector<Span> out;
  const char* t = text.data();
  const std::size_t n = text.size();
  for (std::size_t p : positions) {
    if (p >= n) continue;
    if (!out.empty() && p < out.back().end) continue;  // on a line already taken
    const void* before = memrchr(t, '\n', p);  // the break before the line, kept
    std::size_t begin = before ? static_cast<std::size_t>(static_cast<const char*>(before) - t) : 0;
    // From p + 1: a keyword may start with the line break before its match.
    const void* nl = std::memchr(t + p + 1, '\n', n - p - 1);
    std::size_t end = nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - t) + 1 : n;
    if (!out.empty() && begin <= out.back().end + kJoinGap) out.back().end = end;
    else out.push_back({begin, end});
  }
  return out;
}

std::size_t name_start(std::string_view text, std::size_t p, std::size_t floor) {
  while (p > floor && name_char(static_cast<unsigned char>(text[p - 1]))) --p;
  return p;
}

}  // namespace preloop::secrets
