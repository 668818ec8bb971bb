#include "secrets/keywords.h"

#include <algorithm>
#include <array>
#include <cstring>

namespace preloop::secrets {
namespace {

constexpr std::array<unsigned char, 256> make_fold() {
  std::array<unsigned char, 256> t{};
  for (int c = 0; c < 256; ++c) t[c] = static_cast<unsigned char>(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
  return t;
}
constexpr std::array<unsigned char, 256> kFold = make_fold();

// Flags per raw byte pair (p0 | p1 << 8) in KeywordMatcher::pairs_.
constexpr std::uint8_t kStarts3 = 1;   // (p0,p1) begins a keyword of 3+ bytes
constexpr std::uint8_t kShort = 2;     // (p0,p1) holds a keyword of 1-2 bytes
constexpr std::uint8_t kFollows3 = 4;  // (p0,p1) are bytes 1-2 of a keyword of 3+ bytes

constexpr std::size_t kBuckets = 1024;

std::size_t bucket_of(unsigned char a, unsigned char b) { return (a * 33u + b) & (kBuckets - 1); }

// The raw bytes that fold to c: c itself, and its capital for a letter.
int variants(unsigned char c, unsigned char out[2]) {
  out[0] = c;
  if (c >= 'a' && c <= 'z') {
    out[1] = static_cast<unsigned char>(c - ('a' - 'A'));
    return 2;
  }
  return 1;
}

// Flags every raw pair (x, y) with x folding to a and y folding to b.
void set_folded(std::vector<std::uint8_t>& pairs, unsigned char a, unsigned char b, std::uint8_t flag) {
  unsigned char va[2], vb[2];
  int na = variants(a, va), nb = variants(b, vb);
  for (int i = 0; i < na; ++i)
    for (int j = 0; j < nb; ++j) pairs[va[i] | (unsigned{vb[j]} << 8)] |= flag;
}

// Eight bytes with A-Z lowercased (SWAR).
std::uint64_t fold8(std::uint64_t x) {
  constexpr std::uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
  const std::uint64_t low7 = x & ~high;
  const std::uint64_t ge_a = low7 + ones * (0x80 - 'A');
  const std::uint64_t gt_z = low7 + ones * (0x80 - 'Z' - 1);
  const std::uint64_t upper = ge_a & ~gt_z & ~x & high;
  return x | (upper >> 2);
}

}  // namespace

KeywordMatcher::KeywordMatcher(const std::vector<std::string>& keywords)
    : pairs_(65536, 0), bucket_begin_(kBuckets + 1, 0) {
  keywords_.reserve(keywords.size());
  for (const std::string& k : keywords) {
    std::string l = k;
    for (char& c : l) c = static_cast<char>(kFold[static_cast<unsigned char>(c)]);
    keywords_.push_back(std::move(l));
  }
  std::vector<std::uint32_t> pair_keywords;
  for (std::size_t i = 0; i < keywords_.size(); ++i) {
    const auto* k = reinterpret_cast<const unsigned char*>(keywords_[i].data());
    const std::size_t n = keywords_[i].size();
    if (n == 0) {
      empty_.push_back(i);
    } else if (n == 1) {
      singles_.push_back(i);
      for (int y = 0; y < 256; ++y) set_folded(pairs_, k[0], static_cast<unsigned char>(y), kShort);
    } else {
      pair_keywords.push_back(static_cast<std::uint32_t>(i));
      ++bucket_begin_[bucket_of(k[0], k[1]) + 1];
      if (n == 2) {
        set_folded(pairs_, k[0], k[1], kShort);
      } else {
        set_folded(pairs_, k[0], k[1], kStarts3);
        set_folded(pairs_, k[1], k[2], kFollows3);
      }
    }
  }
  for (std::size_t b = 0; b < kBuckets; ++b) bucket_begin_[b + 1] += bucket_begin_[b];
  packed_.resize(pair_keywords.size());
  std::vector<std::uint32_t> fill(bucket_begin_.begin(), bucket_begin_.end() - 1);
  for (std::uint32_t i : pair_keywords) {
    const std::string& k = keywords_[i];
    Packed p;
    const std::size_t head = std::min<std::size_t>(k.size(), 8);
    std::memcpy(&p.head, k.data(), head);
    p.mask = head == 8 ? ~std::uint64_t{0} : (std::uint64_t{1} << (8 * head)) - 1;
    p.size = static_cast<std::uint32_t>(k.size());
    p.index = i;
    packed_[fill[bucket_of(static_cast<unsigned char>(k[0]), static_cast<unsigned char>(k[1]))]++] = p;
  }
}

void KeywordMatcher::verify(std::string_view text, std::size_t i, std::vector<KeywordHit>& out) const {
  const auto* t = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t room = text.size() - i;
  for (std::size_t k : singles_)
    if (kFold[t[i]] == static_cast<unsigned char>(keywords_[k][0])) out.push_back({i, k});
  if (room < 2) return;
  std::uint64_t window = 0;
  std::memcpy(&window, t + i, std::min<std::size_t>(room, 8));
  window = fold8(window);
  const std::size_t b = bucket_of(kFold[t[i]], kFold[t[i + 1]]);
  for (std::uint32_t e = bucket_begin_[b]; e < bucket_begin_[b + 1]; ++e) {
    const Packed& p = packed_[e];
    if (p.size > room || (window & p.mask) != p.head) continue;
    if (p.size > 8) {
      const std::string& k = keywords_[p.index];
      std::size_t j = 8;
      while (j < k.size() && kFold[t[i + j]] == static_cast<unsigned char>(k[j])) ++j;
      if (j < k.size()) continue;
    }
    out.push_back({i, p.index});
  }
}

std::vector<KeywordHit> KeywordMatcher::find_all(std::string_view text) const {
  std::vector<KeywordHit> out;
  if (text.empty()) return out;
  for (std::size_t k : empty_) out.push_back({0, k});
  const auto* t = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  const std::uint8_t* pairs = pairs_.data();
  std::size_t i = 0;
  if (n > 2) {
    // f: flags of the pair at i; g: of the pair at i + 1 (next round's f).
    unsigned prev = t[1], f = pairs[t[0] | (prev << 8)];
    for (; i + 2 < n; ++i) {
      const unsigned next = t[i + 2], g = pairs[prev | (next << 8)];
      if (f & ((g >> 2) | kShort)) verify(text, i, out);  // kStarts3 with kFollows3 after, or kShort
      f = g;
      prev = next;
    }
  }
  for (; i < n; ++i) verify(text, i, out);  // the last two bytes: no pair filter
  return out;
}

std::vector<bool> KeywordMatcher::find(std::string_view text) const {
  std::vector<bool> hits(keywords_.size(), false);
  for (const KeywordHit& h : find_all(text)) hits[h.keyword] = true;
  return hits;
}

}  // namespace preloop::secrets
