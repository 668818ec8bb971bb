// Whether text is exactly one JSON value (RFC 8259, UTF-8), without building it.
#pragma once

#include <string_view>

namespace preloop::audit {

// Hand-written: nlohmann::json::accept tokenises into a buffer and costs a third
// of a JSONL export; this walks the bytes once. Nesting deeper than 512 is refused.
bool is_json(std::string_view text);

}  // namespace preloop::audit
