// Markers that replace secrets: "[REDACTED:<kind>:<tag>]". The tag is 16 bits
// of SipHash-2-4 over the secret, keyed by the session id: stable for one
// secret within a session, different across secrets (1 in 65536 collide),
// and not linkable across sessions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "secrets/finding.h"

namespace preloop::secrets {

// SipHash-2-4 (Aumasson & Bernstein): a keyed hash small enough to inline
// here, which keeps a crypto library out of the hook's start-up path.
std::uint64_t siphash24(std::uint64_t k0, std::uint64_t k1, std::string_view data);

std::string marker(std::string_view kind, std::string_view secret, std::string_view session_id);

// Replaces each finding's [start, end) in text by its marker. Findings must
// be sorted by start and must not overlap (Detector::scan guarantees both).
void apply_masks(std::string& text, const std::vector<Finding>& findings, std::string_view session_id);

}  // namespace preloop::secrets
