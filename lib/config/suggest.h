// "Did you mean" for misspelt keys and values: the closest known word.
#pragma once

#include <set>
#include <string>
#include <string_view>

namespace preloop {

// The known word closest to `word` (edit distance, at most a third of its
// length and at least 1), or empty when none is close.
std::string closest_word(std::string_view word, const std::set<std::string>& known);

// " (did you mean 'x'?)" for closest_word, or empty.
std::string did_you_mean(std::string_view word, const std::set<std::string>& known);

}  // namespace preloop
