// The length of a JSON value's compact text, without writing the text.
#pragma once

#include <cstddef>

#include <nlohmann/json.hpp>

namespace preloop::protocol {

// Equal to j.dump().size() for valid UTF-8 (invalid sequences count as their
// bytes). Audit records keep a tool's output size; a 64 KiB output costs a
// byte scan here instead of a 64 KiB string built and thrown away.
std::size_t dumped_size(const nlohmann::json& j);

}  // namespace preloop::protocol
