// A fast path for parsing hook events: strict RFC 8259 JSON into
// nlohmann::json, copying string contents eight bytes at a time. Hand-written
// because nlohmann's lexer appends strings one character at a time (about 70
// instructions per byte: most of a PostToolUse call on a large tool output),
// and the events must end up as nlohmann::json for the rest of the hook.
#pragma once

#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>

namespace preloop::protocol {

// The value nlohmann::json::parse gives for text, or nullopt when this
// parser does not vouch for the text (invalid JSON, a byte-order mark,
// deep nesting): the caller then parses it with nlohmann::json::parse,
// which also produces the error message.
std::optional<nlohmann::json> parse_json_fast(std::string_view text);

}  // namespace preloop::protocol
