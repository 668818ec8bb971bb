// Message templates: `{{ args.command }}` in a rule's message is replaced by
// that field of the tool input (the guide's "execute this manually" pattern).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace preloop::policy {

std::string render_template(const std::string& text, const nlohmann::json& args);

}  // namespace preloop::policy
