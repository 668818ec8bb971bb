// Secrets that do not appear whole in the text as written: a token split
// into adjacent quoted pieces or printf arguments (`"ghp_""abc…"`,
// `printf %s%s ghp_ abc…`), a value on the line below a YAML block scalar
// (`password: |`), a token base64- or hex-encoded, or written backwards.
// Each view of the text is scanned with the same detector and its findings
// are mapped back to the span of the original text that holds them.
#pragma once

#include <string_view>
#include <vector>

#include "secrets/detector.h"
#include "secrets/finding.h"

namespace preloop::secrets {

enum View : unsigned {
  kJoined = 1,        // quotes removed, printf %s arguments joined
  kBlockScalars = 2,  // `key: |` / `key: >` with the first line of the block
  kEncoded = 4,       // base64 / hex runs of 24 to 16,384 characters that decode to text
  kReversed = 8,      // the text backwards (at most 256 KiB)
  kAllViews = 15,
};

// Adds to `found` (findings of `text` itself) those of the chosen views that
// cover no byte already found; keeps `found` sorted by start. Encoded and
// reversed views report token formats only (not `name = value` matches).
void add_view_findings(const Detector& d, std::string_view text, unsigned views, std::vector<Finding>& found);

// Findings of a binary payload (`data`/`base64` fields of tool output):
// token formats in the string as it is, and, when it decodes to text, one
// finding over the whole payload for each token format in that text.
std::vector<Finding> payload_findings(const Detector& d, std::string_view payload);

// The whole string is one base64 or hex run of at least 24 characters (what a
// `data` field of tool output may hold), so payload_findings applies to it.
bool encoded_string(std::string_view s);

}  // namespace preloop::secrets
