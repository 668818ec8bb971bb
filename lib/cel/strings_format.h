// format() and strings.quote() of the strings extension.
#pragma once

#include <cstddef>

#include "cel/stdlib.h"

namespace cel {

// "template %s".format([args]): %s %d %f %e %b %o %x %X, optional .precision.
Value string_format(const Value* args, std::size_t n);
// strings.quote(s): a double-quoted CEL string literal for s.
Value string_quote(const Value* args, std::size_t n);

}  // namespace cel
