// The policy snapshot: parsed policy layers in a binary form, so that a hook
// process does not parse YAML on every tool call (yaml-cpp costs ~1.5 µs per
// byte; the snapshot loads in a few microseconds). Stored with
// config/snapshot.h, keyed by the policy files, the binary, the profile, the
// project's trust and the embedded packs.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/snapshot.h"
#include "policy/engine.h"
#include "policy/prefilter.h"
#include "policy/tool_match.h"

namespace preloop::policy {

// What a hook process, which decides one call, reads of a snapshot: the tool
// entries that can apply to the call's tool, and of their conditions those
// whose prefilter admits the call's facts (the others are false for it). An
// entry whose every condition is left out is left out too (an entry without
// conditions would match every call).
struct CallFilter {
  ToolName tool;
  const CallFacts* facts = nullptr;  // null: every condition of those entries
};

std::string serialize_layers(const std::vector<LayerDocs>& layers);
// nullopt when the data is not a complete snapshot of this format. With
// `only`, what the call cannot match is skipped unread.
std::optional<std::vector<LayerDocs>> deserialize_layers(std::string_view data, const CallFilter* only = nullptr);

// Identity of the inputs: the binary's build id, the extra options, then one
// line per file (path, size, mtime, inode, ctime); empty (do not cache) when
// the binary cannot be identified.
std::string input_signature(const std::vector<std::pair<std::string, std::filesystem::path>>& files,
                            const std::string& extra);
// The snapshot key for those inputs: its file named by the binary, the options
// and the paths; its contents bound to `signature` (input_signature's).
snapshot::Key snapshot_key(const std::vector<std::pair<std::string, std::filesystem::path>>& files,
                           const std::string& extra, const std::string& signature);

// Reads the snapshot saved under `dir` for `key`; nullopt when absent, stale or damaged.
std::optional<std::vector<LayerDocs>> read_cached(const std::filesystem::path& dir, const snapshot::Key& key,
                                                  const CallFilter* only = nullptr);
// Saves a snapshot with `mode` (see snapshot::write); failures are ignored.
void write_cached(const std::filesystem::path& dir, const snapshot::Key& key, const std::vector<LayerDocs>& layers,
                  unsigned mode = 0600);

}  // namespace preloop::policy
