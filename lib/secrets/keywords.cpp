#include "secrets/keywords.h"

#include <cctype>
#include <queue>

namespace preloop::secrets {

KeywordMatcher::KeywordMatcher(const std::vector<std::string>& keywords) : map_(256, 0), count_(keywords.size()) {
  for (const auto& k : keywords)
    for (unsigned char c : k) {
      unsigned char l = static_cast<unsigned char>(std::tolower(c));
      if (!map_[l]) map_[l] = static_cast<std::uint8_t>(symbols_++);
    }
  for (int c = 'A'; c <= 'Z'; ++c) map_[c] = map_[std::tolower(c)];
  // The trie.
  next_.assign(static_cast<std::size_t>(symbols_), -1);
  out_.emplace_back();
  for (std::size_t i = 0; i < keywords.size(); ++i) {
    std::int32_t s = 0;
    for (unsigned char c : keywords[i]) {
      std::size_t at = static_cast<std::size_t>(s) * symbols_ + map_[static_cast<unsigned char>(std::tolower(c))];
      if (next_[at] < 0) {
        next_[at] = static_cast<std::int32_t>(out_.size());
        out_.emplace_back();
        next_.resize(next_.size() + static_cast<std::size_t>(symbols_), -1);
      }
      s = next_[at];
    }
    out_[static_cast<std::size_t>(s)].push_back(static_cast<std::int32_t>(i));
  }
  // Failure links, breadth first, turning the trie into a full DFA.
  std::vector<std::int32_t> fail(out_.size(), 0);
  std::queue<std::int32_t> q;
  for (int a = 0; a < symbols_; ++a) {
    std::int32_t& t = next_[static_cast<std::size_t>(a)];
    if (t < 0) t = 0;
    else if (a != 0) q.push(t);
    if (a == 0) t = 0;  // bytes outside every keyword reset to the root
  }
  while (!q.empty()) {
    std::int32_t s = q.front();
    q.pop();
    const auto& inherited = out_[static_cast<std::size_t>(fail[static_cast<std::size_t>(s)])];
    out_[static_cast<std::size_t>(s)].insert(out_[static_cast<std::size_t>(s)].end(), inherited.begin(), inherited.end());
    for (int a = 0; a < symbols_; ++a) {
      std::size_t at = static_cast<std::size_t>(s) * symbols_ + a;
      std::int32_t via_fail = next_[static_cast<std::size_t>(fail[static_cast<std::size_t>(s)]) * symbols_ + a];
      if (a == 0) {
        next_[at] = 0;
      } else if (next_[at] < 0) {
        next_[at] = via_fail;
      } else {
        fail[static_cast<std::size_t>(next_[at])] = via_fail;
        q.push(next_[at]);
      }
    }
  }
  terminal_.resize(out_.size());
  for (std::size_t i = 0; i < out_.size(); ++i) terminal_[i] = !out_[i].empty();
}

std::vector<bool> KeywordMatcher::find(std::string_view text) const {
  std::vector<bool> hits(count_, false);
  std::int32_t s = 0;
  const std::int32_t* next = next_.data();
  const std::uint8_t* map = map_.data();
  const std::uint8_t* terminal = terminal_.data();
  const std::size_t width = static_cast<std::size_t>(symbols_);
  for (unsigned char c : text) {
    s = next[static_cast<std::size_t>(s) * width + map[c]];
    if (terminal[s])
      for (std::int32_t k : out_[static_cast<std::size_t>(s)]) hits[static_cast<std::size_t>(k)] = true;
  }
  return hits;
}

}  // namespace preloop::secrets
