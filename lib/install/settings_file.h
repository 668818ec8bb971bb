// Reading and writing Claude Code settings files (JSON) without losing
// anything: key order is kept, a malformed file is never overwritten, and
// every write is atomic, preceded by a backup, and follows symlinks.
#pragma once

#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

namespace preloop::install {

using Json = nlohmann::ordered_json;

// A settings file that cannot be used as it is: "file:line:col: message".
struct SettingsError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct SettingsFile {
  std::filesystem::path path;   // as given
  bool exists = false;
  std::string text;             // the bytes read ("" when absent)
  Json json = Json::object();   // the parsed document ({} when absent or blank)
};

// Parses JSON text; throws SettingsError naming file, line and column.
Json parse_settings(const std::string& text, const std::filesystem::path& name);

// Reads and parses a settings file. An absent or blank file reads as {}.
// Throws SettingsError when the file is unreadable, malformed, or not an object.
SettingsFile read_settings(const std::filesystem::path& path);

// The text written for a document: two-space indent, trailing newline.
std::string render_settings(const Json& json);

// Replaces the file's content with `text`: copies the current file to a
// timestamped backup (returned; empty when the file did not exist) beside it,
// or in backup_dir when one is given, then writes a temporary file and renames
// it over the target, keeping its mode. A symlinked settings file is updated
// at its target.
std::filesystem::path write_settings(const std::filesystem::path& path, const std::string& text,
                                     const std::filesystem::path& backup_dir = {});

}  // namespace preloop::install
