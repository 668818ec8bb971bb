// Scanning JSON documents (tool inputs and outputs) and describing findings
// for people without showing the secrets.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "secrets/detector.h"

namespace preloop::secrets {

// Findings in every string of value; Finding::path is the JSON pointer of the
// string ("" for a top-level string), offsets are within that string.
std::vector<Finding> scan_json(const nlohmann::json& value, const Detector& detector);

// 1-based line and column (in bytes) of a byte offset in text.
struct Position {
  std::size_t line = 1, column = 1;
};
Position position_of(std::string_view text, std::size_t offset);

// One line per finding: "<kind> at <where>:<line>:<column> <marker>", where
// <where> is label for text or "<label><pointer>" for JSON. Never the secret.
std::vector<std::string> describe(const std::vector<Finding>& findings, std::string_view text, std::string_view label,
                                  std::string_view session_id = {});
std::vector<std::string> describe(const std::vector<Finding>& findings, const nlohmann::json& value,
                                  std::string_view label, std::string_view session_id = {});

}  // namespace preloop::secrets
