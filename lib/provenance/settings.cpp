#include "provenance/settings.h"

namespace preloop::provenance {
namespace {

std::string text_of(const YAML::Node& n, const char* key, const char* accepted) {
  if (!n.IsScalar())
    throw std::invalid_argument(std::string("'audit.") + key + "' must be " + accepted + " (line " +
                                std::to_string(n.Mark().line + 1) + ")");
  return n.Scalar();
}

}  // namespace

Settings parse_settings(const YAML::Node& audit) {
  Settings s;
  if (!audit.IsMap()) return s;
  if (const YAML::Node n = audit["prompts"]) {
    const std::string v = text_of(n, "prompts", "text, hash or off");
    if (v == "text") s.prompts = PromptRecord::Text;
    else if (v == "hash") s.prompts = PromptRecord::Hash;
    else if (v == "off") s.prompts = PromptRecord::Off;
    else throw std::invalid_argument("'audit.prompts' must be text, hash or off, got '" + v + "'");
  }
  if (const YAML::Node n = audit["prompt_secrets"]) {
    const std::string v = text_of(n, "prompt_secrets", "mask or block");
    if (v != "mask" && v != "block")
      throw std::invalid_argument("'audit.prompt_secrets' must be mask or block, got '" + v + "'");
    s.block_prompt_secrets = v == "block";
  }
  if (const YAML::Node n = audit["git_notes"]) {
    const std::string v = text_of(n, "git_notes", "true or false");
    if (v != "true" && v != "false")
      throw std::invalid_argument("'audit.git_notes' must be true or false, got '" + v + "'");
    s.git_notes = v == "true";
  }
  return s;
}

}  // namespace preloop::provenance
