// Static checks of policy documents beyond parsing: every expression
// compiles, tools and fields exist, nothing is unreachable or undefined.
#pragma once

#include <vector>

#include "policy/document.h"

namespace preloop::policy {

std::vector<Diagnostic> check_document(const Document& doc);

}  // namespace preloop::policy
