// A unified diff of two texts, line by line (for `install --dry-run`).
#pragma once

#include <string>

namespace preloop::install {

// "--- old_name\n+++ new_name\n@@ ... @@\n..." with `context` lines around each
// change; "" when the texts are equal.
std::string unified_diff(const std::string& old_text, const std::string& new_text, const std::string& old_name,
                         const std::string& new_name, int context = 3);

}  // namespace preloop::install
