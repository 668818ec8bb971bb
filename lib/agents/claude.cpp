// Claude Code: the event and replies of lib/protocol, unchanged.
#include "agents/adapter.h"

namespace preloop::agents {
namespace {

protocol::Reply pre(const protocol::HookEvent&, const Decision& d, const nlohmann::json& updated_input,
                    const std::string& additional_context) {
  return protocol::pre_tool_use_reply(d, updated_input, additional_context);
}

protocol::Reply post(const protocol::HookEvent&, const nlohmann::json& updated_output,
                     const std::string& additional_context) {
  return protocol::post_tool_use_reply(updated_output, additional_context);
}

}  // namespace

const Adapter& claude_code() {
  static const Adapter a{"claude", "claude_code", protocol::parse_event, protocol::sniff_event, pre, post};
  return a;
}

}  // namespace preloop::agents
