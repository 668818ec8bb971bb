#include "protocol/json_depth.h"

namespace preloop::protocol {

bool json_too_deep(std::string_view text, int max_depth) {
  int depth = 0;
  const char* p = text.data();
  const char* end = p + text.size();
  while (p < end) {
    switch (*p++) {
      case '[':
      case '{':
        if (++depth > max_depth) return true;
        break;
      case ']':
      case '}':
        if (depth > 0) --depth;
        break;
      case '"':
        while (p < end && *p != '"') p += *p == '\\' ? 2 : 1;
        p = p < end ? p + 1 : end;
        break;
      default:
        break;
    }
  }
  return false;
}

}  // namespace preloop::protocol
