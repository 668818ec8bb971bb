// The keyword prefilter: where a fixed set of lowercase keywords occur in a
// text, ASCII case-insensitively, in one pass without a lowercased copy.
// Hand-written: a byte-pair filter (one 64 KiB table holding the case
// variants, one independent load per byte) rejects almost every position, and
// only the survivors are compared, eight folded bytes at a time, with the
// keywords sharing their first two bytes. Setting it up is a few
// microseconds; an Aho-Corasick DFA over the same keywords costs ~150 µs to
// build and scans at one dependent table load per byte, and no library at
// hand offers a case-insensitive multi-literal search that is cheap to set up
// on every hook call.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace preloop::secrets {

struct KeywordHit {
  std::size_t pos;      // byte offset of the occurrence in the text
  std::size_t keyword;  // index into the matcher's keywords
};

class KeywordMatcher {
 public:
  explicit KeywordMatcher(const std::vector<std::string>& keywords);

  // Every occurrence of every keyword, in text order. An
  // empty keyword occurs once, at 0, in any non-empty text.
  std::vector<KeywordHit> find_all(std::string_view text) const;

  // hits[i] is set when keywords[i] occurs in text.
  std::vector<bool> find(std::string_view text) const;

 private:
  void verify(std::string_view text, std::size_t i, std::vector<KeywordHit>& out) const;

  struct Packed {                // a keyword of 2+ bytes, its first 8 bytes as one word
    std::uint64_t head = 0;
    std::uint64_t mask = 0;
    std::uint32_t size = 0;
    std::uint32_t index = 0;
  };

  std::vector<std::string> keywords_;        // lowercased
  std::vector<std::uint8_t> pairs_;          // raw byte pair (p0 | p1 << 8) -> flags (keywords.cpp)
  std::vector<std::uint32_t> bucket_begin_;  // hash of the first two bytes -> range in packed_
  std::vector<Packed> packed_;
  std::vector<std::size_t> singles_;         // indexes of one-byte keywords
  std::vector<std::size_t> empty_;           // indexes of empty keywords
};

}  // namespace preloop::secrets
