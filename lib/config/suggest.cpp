#include "config/suggest.h"

#include <algorithm>
#include <vector>

namespace preloop {
namespace {

// Damerau-Levenshtein (optimal string alignment): a swap of two letters costs one.
std::size_t distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i)
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.size()][b.size()];
}

}  // namespace

std::string closest_word(std::string_view word, const std::set<std::string>& known) {
  if (word.size() > 64) return "";
  const std::size_t limit = std::max<std::size_t>(1, word.size() / 3);
  std::string best;
  std::size_t best_d = limit + 1;
  for (const auto& k : known) {
    std::size_t dist = distance(word, k);
    if (dist < best_d) {
      best_d = dist;
      best = k;
    }
  }
  return best;
}

std::string did_you_mean(std::string_view word, const std::set<std::string>& known) {
  std::string w = closest_word(word, known);
  return w.empty() ? "" : " (did you mean '" + w + "'?)";
}

}  // namespace preloop
