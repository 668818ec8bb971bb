// Turning one regex match into a finding (or not): secret extraction,
// entropy, placeholders and the per-rule checks of Rule::check.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include <re2/stringpiece.h>

#include "secrets/finding.h"
#include "secrets/rules.h"

namespace preloop::secrets {

struct Match {
  std::string_view text;                       // the whole scanned text
  const std::vector<re2::StringPiece>& groups; // [0] = whole match
  const Rule& rule;
};

std::optional<Finding> evaluate(const Match& m);

// True when s (a JWT's first segment) decodes as base64url to a JOSE header.
bool jose_header(std::string_view segment);

}  // namespace preloop::secrets
