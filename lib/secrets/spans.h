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
// break before and after it (a position on a line break takes the lines on
// both sides); spans that touch or lie a few hundred bytes
// apart are merged (the lines between are searched too).
std::vector<Span> line_spans(std::string_view text, const std::vector<std::size_t>& positions);

// The start of the run of name characters [A-Za-z0-9_.-] that holds
// position p, but not before floor.
std::size_t name_start(std::string_view text, std::size_t p, std::size_t floor);

}  // namespace preloop::secrets
