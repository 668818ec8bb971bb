// One secret found in a text.
#pragma once

#include <cstddef>
#include <string>

namespace preloop::secrets {

struct Finding {
  std::string kind;        // rule id, e.g. "github-pat"; also names the marker
  std::size_t start = 0;   // byte offsets of the secret in the scanned text
  std::size_t end = 0;
  bool generic = false;    // found by a context rule (key = value), not by a token format
  std::string path;        // JSON pointer of the string it was found in (scan_json only)
};

}  // namespace preloop::secrets
