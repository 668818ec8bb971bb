#include "secrets/keywords.h"

#include <algorithm>
#include <bit>
#include <cstring>

namespace preloop::secrets {
namespace keyword_tables {
namespace {

constexpr std::array<unsigned char, 256> make_fold() {
  std::array<unsigned char, 256> t{};
  for (int c = 0; c < 256; ++c) t[c] = fold(static_cast<unsigned char>(c));
  return t;
}
constexpr std::array<unsigned char, 256> kFold = make_fold();

// Eight bytes with A-Z lowercased (SWAR).
std::uint64_t fold8(std::uint64_t x) {
  constexpr std::uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
  const std::uint64_t low7 = x & ~high;
  const std::uint64_t ge_a = low7 + ones * (0x80 - 'A');
  const std::uint64_t gt_z = low7 + ones * (0x80 - 'Z' - 1);
  const std::uint64_t upper = ge_a & ~gt_z & ~x & high;
  return x | (upper >> 2);
}

void verify(const View& v, std::string_view text, std::size_t i, std::vector<KeywordHit>& out) {
  const auto* t = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t room = text.size() - i;
  for (std::uint32_t k : v.singles)
    if (kFold[t[i]] == static_cast<unsigned char>(v.keywords[k][0])) out.push_back({i, k});
  if (room < 2) return;
  std::uint64_t window = 0;
  std::memcpy(&window, t + i, std::min<std::size_t>(room, 8));
  window = fold8(window);
  const std::size_t b = bucket_of(kFold[t[i]], kFold[t[i + 1]]);
  for (std::uint32_t e = v.bucket_begin[b]; e < v.bucket_begin[b + 1]; ++e) {
    const Packed& p = v.packed[e];
    if (p.size > room || (window & p.mask) != p.head) continue;
    if (p.size > 8) {
      const std::string_view k = v.keywords[p.index];
      std::size_t j = 8;
      while (j < k.size() && kFold[t[i + j]] == static_cast<unsigned char>(k[j])) ++j;
      if (j < k.size()) continue;
    }
    out.push_back({i, p.index});
  }
}

}  // namespace

std::vector<KeywordHit> find_all(const View& v, std::string_view text) {
  std::vector<KeywordHit> out;
  if (text.empty()) return out;
  for (std::uint32_t k : v.empty) out.push_back({0, k});
  const auto* t = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  const std::uint8_t* pairs = v.pairs;
  // The flags of the pair at j: the table is indexed by p0 | p1 << 8, the
  // pair as one little-endian 16-bit load.
  auto flags = [&](std::size_t j) -> unsigned {
    if constexpr (std::endian::native == std::endian::little) {
      std::uint16_t w;
      std::memcpy(&w, t + j, 2);
      return pairs[w];
    } else {
      return pairs[t[j] | (unsigned{t[j + 1]} << 8)];
    }
  };
  // Position j survives the filter with flags f at j and g at j + 1: kStarts3
  // with kFollows3 after, or kShort.
  auto survives = [](unsigned f, unsigned g) { return (f & ((g >> 2) | kShort)) != 0; };
  std::size_t i = 0;
  // Blocks of sixteen positions, the outcome of each position's filter put in
  // two bits of a mask without a branch: most blocks have no survivor, and a
  // block with some goes straight to them. A block reads the pairs at
  // i .. i + 16, so bytes up to i + 17.
  if (n >= 18) {
    unsigned f = flags(0);
    for (; i + 18 <= n; i += 16) {
      std::uint32_t survivors = 0;
      unsigned g = f;
#pragma GCC unroll 16
      for (int k = 0; k < 16; ++k) {
        const unsigned h = flags(i + k + 1);
        survivors |= (g & ((h >> 2) | kShort)) << (2 * k);  // bits 0-1 only
        g = h;
      }
      survivors = (survivors | (survivors >> 1)) & 0x55555555u;  // one bit a position
      for (; survivors; survivors &= survivors - 1) verify(v, text, i + std::countr_zero(survivors) / 2, out);
      f = g;
    }
  }
  // The rest one position at a time; the last two bytes have no pair filter.
  for (; i + 2 < n; ++i)
    if (survives(flags(i), flags(i + 1))) verify(v, text, i, out);
  for (; i < n; ++i) verify(v, text, i, out);
  return out;
}

}  // namespace keyword_tables

KeywordMatcher::KeywordMatcher(const std::vector<std::string>& keywords)
    : pairs_(keyword_tables::kPairs, 0), bucket_begin_(keyword_tables::kBuckets + 1, 0) {
  lowered_.reserve(keywords.size());
  for (const std::string& k : keywords) {
    std::string l = k;
    for (char& c : l) c = static_cast<char>(keyword_tables::fold(static_cast<unsigned char>(c)));
    lowered_.push_back(std::move(l));
  }
  keywords_.assign(lowered_.begin(), lowered_.end());
  packed_.resize(keywords_.size());
  singles_.resize(keywords_.size());
  empty_.resize(keywords_.size());
  auto [s, e] = keyword_tables::build(keywords_, pairs_.data(), bucket_begin_.data(), packed_.data(), singles_.data(),
                                      empty_.data());
  singles_.resize(s);
  empty_.resize(e);
  view_ = {keywords_, pairs_.data(), bucket_begin_.data(), packed_.data(), singles_, empty_};
}

std::vector<bool> KeywordMatcher::find(std::string_view text) const {
  std::vector<bool> hits(keywords_.size(), false);
  for (const KeywordHit& h : find_all(text)) hits[h.keyword] = true;
  return hits;
}

}  // namespace preloop::secrets
