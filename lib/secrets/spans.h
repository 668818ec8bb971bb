// The parts of a text a rule's regex has to search, given where the rule's
// keywords occur (Rule::reach).
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

namespace preloop::secrets {

struct Span {
  std::size_t begin = 0;
  std::size_t end = 0;
};

// The lines holding the given positions (ascending), each with the line
// break before and after it, merged where they touch.
std::vector<Span> line_spans(std::string_view text, const std::vector<std::size_t>& positions);

}  // namespace preloop::secrets
