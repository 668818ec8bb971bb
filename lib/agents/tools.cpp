#include "agents/tools.h"

namespace preloop::agents {
namespace {

const ToolMapping* find(std::span<const ToolMapping> table, std::string_view native) {
  for (const ToolMapping& m : table)
    if (m.native == native) return &m;
  return nullptr;
}

}  // namespace

void map_to_claude(std::span<const ToolMapping> table, protocol::HookEvent& ev) {
  ev.native_tool_name = ev.tool_name;
  const ToolMapping* m = find(table, ev.tool_name);
  if (!m) return;
  ev.tool_name = std::string(m->claude);
  if (!ev.tool_input.is_object()) return;
  for (const ArgName& a : m->args) {
    if (a.native.empty()) break;
    auto it = ev.tool_input.find(a.native);
    if (it == ev.tool_input.end()) continue;
    const std::string native(a.native), claude(a.claude);
    if (auto both = ev.tool_input.find(claude); both != ev.tool_input.end() && *both != *it)
      throw protocol::ProtocolError("tool input of '" + ev.native_tool_name + "' has both '" + native + "' and '" +
                                    claude + "' with different values");
    nlohmann::json value = std::move(*it);
    ev.tool_input.erase(native);
    ev.tool_input[claude] = std::move(value);
    ev.renamed_args.push_back(native);
  }
}

nlohmann::json map_to_native(std::span<const ToolMapping> table, const protocol::HookEvent& ev,
                             const nlohmann::json& claude_input) {
  const ToolMapping* m = find(table, ev.native_tool_name);
  if (!m || !claude_input.is_object()) return claude_input;
  nlohmann::json out = claude_input;
  for (const ArgName& a : m->args) {
    if (a.native.empty()) break;
    bool renamed = false;
    for (const std::string& n : ev.renamed_args) renamed = renamed || n == a.native;
    auto it = out.find(a.claude);
    if (!renamed) continue;
    if (it == out.end()) continue;
    nlohmann::json value = std::move(*it);
    out.erase(std::string(a.claude));
    out[std::string(a.native)] = std::move(value);
  }
  return out;
}

std::string mcp_tool_name(std::string_view server, std::string_view tool) {
  return "mcp__" + std::string(server) + "__" + std::string(tool);
}

std::string string_field(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return {};
  if (!it->is_string())
    throw protocol::ProtocolError(std::string("field '") + key + "' must be a string, got " + it->type_name());
  return it->get<std::string>();
}

nlohmann::json object_field(nlohmann::json& j, const char* key, bool required) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) {
    if (required) throw protocol::ProtocolError(std::string("tool call input has no '") + key + "'");
    return nlohmann::json::object();
  }
  if (!it->is_object())
    throw protocol::ProtocolError(std::string("'") + key + "' must be a JSON object, got " + it->type_name());
  return std::move(*it);
}

std::string tool_result_text(const nlohmann::json& output) {
  using nlohmann::json;
  const json* content = output.is_object() && output.contains("llmContent") ? &output["llmContent"] : &output;
  if (content->is_string()) return content->get<std::string>();
  if (content->is_array()) {
    std::string text;
    for (const json& part : *content) {
      if (part.is_string()) text += part.get<std::string>();
      else if (part.is_object() && part.contains("text") && part["text"].is_string()) text += part["text"].get<std::string>();
      else continue;
      text += '\n';
    }
    if (!text.empty()) return text;
  }
  return content->dump(-1, ' ', false, json::error_handler_t::replace);
}

nlohmann::json object_or_json_text(nlohmann::json& j, const char* key, bool required) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return object_field(j, key, required);
  const std::string& text = it->get_ref<const std::string&>();
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) return nlohmann::json::object();
  return protocol::parse_event_object(text);  // depth-limited; throws on malformed text
}

std::string json_line(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace preloop::agents
