// JSON text without building JSON values: checking it and writing string literals.
#pragma once

#include <string>
#include <string_view>

namespace preloop::audit {

// Hand-written: nlohmann::json::accept tokenises into a buffer and costs a third
// of a JSONL export; this walks the bytes once. Nesting deeper than 512 is refused.
bool is_json(std::string_view text);

// Appends s as a JSON string literal (quotes included; control characters,
// quotes and backslashes escaped; other bytes as they are).
void append_json_string(std::string& out, std::string_view s);

}  // namespace preloop::audit
