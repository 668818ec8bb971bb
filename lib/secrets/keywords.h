// The keyword prefilter: where a fixed set of lowercase keywords occur in a
// text, ASCII case-insensitively, in one pass without a lowercased copy.
// Hand-written: a byte-pair filter (one 64 KiB table holding the case
// variants, one independent load per byte, sixteen positions at a time without a
// branch) rejects almost every position, and
// only the survivors are compared, eight folded bytes at a time, with the
// keywords sharing their first two bytes. The tables of a constant keyword
// list (the built-in detectors') are built at compile time (KeywordTables<N>),
// so a hook process neither builds nor zero-fills them; KeywordMatcher builds
// them at run time (user patterns, tests).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace preloop::secrets {

struct KeywordHit {
  std::size_t pos;      // byte offset of the occurrence in the text
  std::size_t keyword;  // index into the keywords
};

namespace keyword_tables {

inline constexpr std::size_t kPairs = 65536;  // raw byte pair p0 | p1 << 8 -> flags
inline constexpr std::size_t kBuckets = 1024;
inline constexpr std::uint8_t kStarts3 = 1;   // (p0,p1) begins a keyword of 3+ bytes
inline constexpr std::uint8_t kShort = 2;     // (p0,p1) holds a keyword of 1-2 bytes
inline constexpr std::uint8_t kFollows3 = 4;  // (p0,p1) are bytes 1-2 of a keyword of 3+ bytes

struct Packed {  // a keyword of 2+ bytes, its first 8 bytes as one word
  std::uint64_t head = 0;
  std::uint64_t mask = 0;
  std::uint32_t size = 0;
  std::uint32_t index = 0;
};

constexpr unsigned char fold(unsigned char c) { return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c; }
constexpr std::size_t bucket_of(unsigned char a, unsigned char b) { return (a * 33u + b) & (kBuckets - 1); }

// Views of the tables, whoever owns them.
struct View {
  std::span<const std::string_view> keywords;  // lowercase
  const std::uint8_t* pairs = nullptr;          // kPairs
  const std::uint32_t* bucket_begin = nullptr;  // kBuckets + 1: bucket -> range in packed
  const Packed* packed = nullptr;
  std::span<const std::uint32_t> singles;       // indexes of one-byte keywords
  std::span<const std::uint32_t> empty;         // indexes of empty keywords
};

// Flags every raw pair (x, y) with x folding to a and y folding to b.
constexpr void set_folded(std::uint8_t* pairs, unsigned char a, unsigned char b, std::uint8_t flag) {
  const unsigned char va[2] = {a, static_cast<unsigned char>(a - ('a' - 'A'))};
  const unsigned char vb[2] = {b, static_cast<unsigned char>(b - ('a' - 'A'))};
  const int na = a >= 'a' && a <= 'z' ? 2 : 1, nb = b >= 'a' && b <= 'z' ? 2 : 1;
  for (int i = 0; i < na; ++i)
    for (int j = 0; j < nb; ++j) pairs[va[i] | (unsigned{vb[j]} << 8)] |= flag;
}

// Fills zeroed tables for lowercase keywords; returns the numbers of singles and empties.
constexpr std::pair<std::size_t, std::size_t> build(std::span<const std::string_view> kws, std::uint8_t* pairs,
                                                    std::uint32_t* bucket_begin, Packed* packed,
                                                    std::uint32_t* singles, std::uint32_t* empty) {
  std::size_t n_singles = 0, n_empty = 0;
  for (std::size_t i = 0; i < kws.size(); ++i) {
    const std::string_view k = kws[i];
    const auto c0 = static_cast<unsigned char>(k.empty() ? 0 : k[0]);
    if (k.empty()) {
      empty[n_empty++] = static_cast<std::uint32_t>(i);
    } else if (k.size() == 1) {
      singles[n_singles++] = static_cast<std::uint32_t>(i);
      for (int y = 0; y < 256; ++y) set_folded(pairs, c0, static_cast<unsigned char>(y), kShort);
    } else {
      const auto c1 = static_cast<unsigned char>(k[1]);
      ++bucket_begin[bucket_of(c0, c1) + 1];
      if (k.size() == 2) {
        set_folded(pairs, c0, c1, kShort);
      } else {
        set_folded(pairs, c0, c1, kStarts3);
        set_folded(pairs, c1, static_cast<unsigned char>(k[2]), kFollows3);
      }
    }
  }
  for (std::size_t b = 0; b < kBuckets; ++b) bucket_begin[b + 1] += bucket_begin[b];
  std::array<std::uint32_t, kBuckets> fill{};
  for (std::size_t b = 0; b < kBuckets; ++b) fill[b] = bucket_begin[b];
  for (std::size_t i = 0; i < kws.size(); ++i) {
    const std::string_view k = kws[i];
    if (k.size() < 2) continue;
    Packed p;
    const std::size_t head = k.size() < 8 ? k.size() : 8;
    for (std::size_t j = 0; j < head; ++j) p.head |= std::uint64_t{static_cast<unsigned char>(k[j])} << (8 * j);
    p.mask = head == 8 ? ~std::uint64_t{0} : (std::uint64_t{1} << (8 * head)) - 1;
    p.size = static_cast<std::uint32_t>(k.size());
    p.index = static_cast<std::uint32_t>(i);
    packed[fill[bucket_of(static_cast<unsigned char>(k[0]), static_cast<unsigned char>(k[1]))]++] = p;
  }
  return {n_singles, n_empty};
}

// Every occurrence of every keyword, in text order. An empty keyword occurs
// once, at 0, in any non-empty text.
std::vector<KeywordHit> find_all(const View& t, std::string_view text);

}  // namespace keyword_tables

// The tables of N lowercase keywords in fixed storage: constexpr for a
// constant list.
template <std::size_t N>
struct KeywordTables {
  std::array<std::string_view, N> keywords{};
  std::array<std::uint8_t, keyword_tables::kPairs> pairs{};
  std::array<std::uint32_t, keyword_tables::kBuckets + 1> bucket_begin{};
  std::array<keyword_tables::Packed, N> packed{};
  std::array<std::uint32_t, N> singles{}, empty{};
  std::size_t n_singles = 0, n_empty = 0;

  constexpr explicit KeywordTables(const std::array<std::string_view, N>& kws) : keywords(kws) {
    for (std::string_view k : kws)
      for (char c : k)
        if (c >= 'A' && c <= 'Z') throw "keywords must be lowercase";  // a compile error when constexpr
    auto [s, e] = keyword_tables::build(keywords, pairs.data(), bucket_begin.data(), packed.data(), singles.data(),
                                        empty.data());
    n_singles = s;
    n_empty = e;
  }
  constexpr keyword_tables::View view() const {
    return {keywords, pairs.data(), bucket_begin.data(), packed.data(), {singles.data(), n_singles},
            {empty.data(), n_empty}};
  }
};

// The tables built at run time for any keyword list (lowercased here).
class KeywordMatcher {
 public:
  explicit KeywordMatcher(const std::vector<std::string>& keywords);
  KeywordMatcher(const KeywordMatcher&) = delete;
  KeywordMatcher& operator=(const KeywordMatcher&) = delete;

  // Every occurrence of every keyword, in text order. An
  // empty keyword occurs once, at 0, in any non-empty text.
  std::vector<KeywordHit> find_all(std::string_view text) const { return keyword_tables::find_all(view_, text); }

  // hits[i] is set when keywords[i] occurs in text.
  std::vector<bool> find(std::string_view text) const;

 private:
  std::vector<std::string> lowered_;
  std::vector<std::string_view> keywords_;
  std::vector<std::uint8_t> pairs_;
  std::vector<std::uint32_t> bucket_begin_;
  std::vector<keyword_tables::Packed> packed_;
  std::vector<std::uint32_t> singles_, empty_;
  keyword_tables::View view_;
};

}  // namespace preloop::secrets
