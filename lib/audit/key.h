// The per-install secret key that binds records (and approvals) to raw tool input
// without storing it: HMAC-SHA256(key, canonical JSON of the input).
#pragma once

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

namespace preloop {
struct Config;
}

namespace preloop::audit {

// Reads the 32-byte key next to the database, creating it (mode 0600) on first use
// unless create is false. Concurrent creators agree on one key. Throws std::runtime_error.
std::string install_key(const std::filesystem::path& db, bool create = true);

// Hex HMAC-SHA256 of the canonical (sorted keys, compact) JSON of the raw tool input,
// keyed with the install key of the database db_path(cfg). Throws std::runtime_error.
std::string input_hash(const nlohmann::json& tool_input, const Config* cfg = nullptr);
std::string input_hash_with_key(const std::string& key, const nlohmann::json& tool_input);
// The canonical JSON that input_hash_with_key hashes, and its hash from that text.
std::string canonical_input(const nlohmann::json& tool_input);
std::string input_hash_of_text(const std::string& key, const std::string& canonical);

// 128 random bits as 32 hex digits (spool ids, store ids). Throws std::runtime_error.
std::string random_id();

}  // namespace preloop::audit
