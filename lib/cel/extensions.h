// Function tables of the extension libraries every Env includes: cel-go's
// strings, math and base64 encoders extensions.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "cel/stdlib.h"

namespace cel {

std::span<const Builtin> strings_extension();   // strings_ext.cpp
std::span<const Builtin> math_extension();      // math_ext.cpp
std::span<const Builtin> encoders_extension();  // encoders_ext.cpp

// Standard base64 with padding (also used for bytes in Value::to_json).
std::string base64_encode(std::string_view bytes);

}  // namespace cel
