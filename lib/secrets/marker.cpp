#include "secrets/marker.h"

#include <cstring>

namespace preloop::secrets {
namespace {

inline std::uint64_t rotl(std::uint64_t x, int b) { return (x << b) | (x >> (64 - b)); }

inline void round(std::uint64_t& v0, std::uint64_t& v1, std::uint64_t& v2, std::uint64_t& v3) {
  v0 += v1; v1 = rotl(v1, 13); v1 ^= v0; v0 = rotl(v0, 32);
  v2 += v3; v3 = rotl(v3, 16); v3 ^= v2;
  v0 += v3; v3 = rotl(v3, 21); v3 ^= v0;
  v2 += v1; v1 = rotl(v1, 17); v1 ^= v2; v2 = rotl(v2, 32);
}

std::uint64_t load_le(const unsigned char* p, std::size_t n) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < n; ++i) v |= static_cast<std::uint64_t>(p[i]) << (8 * i);
  return v;
}

}  // namespace

std::uint64_t siphash24(std::uint64_t k0, std::uint64_t k1, std::string_view data) {
  std::uint64_t v0 = 0x736f6d6570736575ULL ^ k0, v1 = 0x646f72616e646f6dULL ^ k1;
  std::uint64_t v2 = 0x6c7967656e657261ULL ^ k0, v3 = 0x7465646279746573ULL ^ k1;
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  std::size_t n = data.size(), full = n & ~std::size_t{7};
  for (std::size_t i = 0; i < full; i += 8) {
    std::uint64_t m = load_le(p + i, 8);
    v3 ^= m;
    round(v0, v1, v2, v3);
    round(v0, v1, v2, v3);
    v0 ^= m;
  }
  std::uint64_t b = (static_cast<std::uint64_t>(n) << 56) | load_le(p + full, n - full);
  v3 ^= b;
  round(v0, v1, v2, v3);
  round(v0, v1, v2, v3);
  v0 ^= b;
  v2 ^= 0xff;
  for (int i = 0; i < 4; ++i) round(v0, v1, v2, v3);
  return v0 ^ v1 ^ v2 ^ v3;
}

std::string marker(std::string_view kind, std::string_view secret, std::string_view session_id) {
  // Session key: two domain-separated hashes of the session id.
  std::uint64_t k0 = siphash24(0x7072656c6f6f702dULL, 0x6d61726b65722d30ULL, session_id);
  std::uint64_t k1 = siphash24(0x7072656c6f6f702dULL, 0x6d61726b65722d31ULL, session_id);
  std::uint64_t h = siphash24(k0, k1, secret);
  static constexpr char hex[] = "0123456789abcdef";
  std::string out = "[REDACTED:";
  out.append(kind).push_back(':');
  for (int shift = 12; shift >= 0; shift -= 4) out.push_back(hex[(h >> shift) & 0xf]);
  out.push_back(']');
  return out;
}

void apply_masks(std::string& text, const std::vector<Finding>& findings, std::string_view session_id) {
  if (findings.empty()) return;
  std::string out;
  out.reserve(text.size());
  std::size_t pos = 0;
  for (const Finding& f : findings) {
    out.append(text, pos, f.start - pos);
    out += marker(f.kind, std::string_view(text).substr(f.start, f.end - f.start), session_id);
    pos = f.end;
  }
  out.append(text, pos, std::string::npos);
  text = std::move(out);
}

}  // namespace preloop::secrets
