// Complete validation of a downloaded policy with the hook's own loader and
// static checks: a document the hook would refuse never replaces the cache.
#pragma once

#include <string>

namespace preloop::approval {

// A PolicyValidator (see sync.h): false with the first errors on any error.
bool validate_policy_text(const std::string& text, const std::string& source_name, std::string* error,
                          int* warnings);

}  // namespace preloop::approval
