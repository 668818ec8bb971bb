// Copilot and Qwen Code tell their hooks their version only through their environment.
#include <doctest/doctest.h>

#include <cstdlib>

#include "agents/adapter.h"

using namespace preloop;

namespace {

constexpr const char* kEvent =
    R"({"sessionId":"s","timestamp":1,"cwd":"/p","toolName":"bash","toolArgs":{"command":"ls"}})";

const agents::Adapter& adapter(const char* name) {
  const agents::Adapter* a = agents::find_adapter(name);
  REQUIRE(a != nullptr);
  return *a;
}
const agents::Adapter& copilot() { return adapter("copilot"); }

}  // namespace

TEST_CASE("copilot: the version from COPILOT_CLI_BINARY_VERSION, also for an input that does not parse") {
  REQUIRE(setenv("COPILOT_CLI_BINARY_VERSION", "1.0.102", 1) == 0);
  CHECK(copilot().parse(kEvent).agent_version == "1.0.102");
  CHECK(copilot().sniff("{not json").agent_version == "1.0.102");
  REQUIRE(unsetenv("COPILOT_CLI_BINARY_VERSION") == 0);
  CHECK(copilot().parse(kEvent).agent_version.empty());
}

TEST_CASE("qwen: the version from QWEN_CODE_STARTUP_VERSION, also for an input that does not parse") {
  constexpr const char* event = R"({"session_id":"s","cwd":"/p","hook_event_name":"PreToolUse",)"
                                R"("tool_name":"run_shell_command","tool_input":{"command":"ls"}})";
  REQUIRE(setenv("QWEN_CODE_STARTUP_VERSION", "0.24.4", 1) == 0);
  CHECK(adapter("qwen").parse(event).agent_version == "0.24.4");
  CHECK(adapter("qwen").sniff("{not json").agent_version == "0.24.4");
  REQUIRE(unsetenv("QWEN_CODE_STARTUP_VERSION") == 0);
  CHECK(adapter("qwen").parse(event).agent_version.empty());
}
