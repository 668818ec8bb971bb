// Reading policy documents (YAML, or JSON as its subset) into Documents.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "config/safe_file.h"
#include "policy/document.h"

namespace preloop::policy {

// Parses one policy document. Problems are appended to diags with
// file:line:col; the returned document holds whatever was valid.
Document load_document_text(std::string_view text, const std::string& file, std::vector<Diagnostic>& diags);
// The file is read under `rule` (regular files only, size-capped; see
// config/safe_file.h) and, when `within` is given, must lie under that directory.
Document load_document_file(const std::filesystem::path& file, std::vector<Diagnostic>& diags,
                            const FileRule& rule = file_rules::kPolicy, const std::filesystem::path& within = {});

// Parses a list of test cases (a suite file's `cases:` or a document's `tests:`).
std::vector<TestCase> load_suite_text(std::string_view text, const std::string& file, std::vector<Diagnostic>& diags,
                                      std::string* suite_profile = nullptr);

// Preloop's auto-detection: an expression with CEL markers is CEL even when
// declared (or defaulted) simple, so that it cannot be misread and bypassed.
bool looks_like_cel(std::string_view expression);

}  // namespace preloop::policy
