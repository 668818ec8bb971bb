#include "secrets/cel_bindings.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "secrets/json_scan.h"

namespace preloop::secrets {

cel::Value findings_value(const nlohmann::json& tool_input, const Config* config) {
  std::vector<Finding> found = scan_json(tool_input, detector_for(config));
  std::vector<std::string> kinds;
  for (const Finding& f : found) kinds.push_back(f.kind);
  std::sort(kinds.begin(), kinds.end());
  kinds.erase(std::unique(kinds.begin(), kinds.end()), kinds.end());
  std::vector<cel::Value> kind_values;
  for (auto& k : kinds) kind_values.push_back(cel::Value::String(std::move(k)));
  return cel::Value::StringMap({{"found", cel::Value::Bool(!found.empty())},
                                {"kinds", cel::Value::List(std::move(kind_values))},
                                {"count", cel::Value::Int(static_cast<std::int64_t>(found.size()))}});
}

}  // namespace preloop::secrets
