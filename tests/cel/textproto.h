// A reader for the subset of protobuf text format used by the CEL
// conformance files: messages `f { ... }` / `f: { ... }`, scalars `f: v`,
// strings with C escapes (adjacent strings join), numbers, bare words and
// `#` comments. Data only: no schema.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace celtest {

struct TextNode {
  bool is_message = false;
  bool is_string = false;   // scalar written as a quoted string (text holds decoded bytes)
  std::string text;         // scalar value
  std::vector<std::pair<std::string, TextNode>> fields;

  const TextNode* get(std::string_view name) const;
  std::vector<const TextNode*> all(std::string_view name) const;
  bool has(std::string_view name) const { return get(name) != nullptr; }
};

struct TextParse {
  TextNode root;
  std::string error;  // empty on success
};

TextParse parse_text_proto(std::string_view text);

}  // namespace celtest
