// Copilot tells its hooks its version only through their environment.
#include <doctest/doctest.h>

#include <cstdlib>

#include "agents/adapter.h"

using namespace preloop;

namespace {

constexpr const char* kEvent =
    R"({"sessionId":"s","timestamp":1,"cwd":"/p","toolName":"bash","toolArgs":{"command":"ls"}})";

const agents::Adapter& copilot() {
  const agents::Adapter* a = agents::find_adapter("copilot");
  REQUIRE(a != nullptr);
  return *a;
}

}  // namespace

TEST_CASE("copilot: the version from COPILOT_CLI_BINARY_VERSION, also for an input that does not parse") {
  REQUIRE(setenv("COPILOT_CLI_BINARY_VERSION", "1.0.102", 1) == 0);
  CHECK(copilot().parse(kEvent).agent_version == "1.0.102");
  CHECK(copilot().sniff("{not json").agent_version == "1.0.102");
  REQUIRE(unsetenv("COPILOT_CLI_BINARY_VERSION") == 0);
  CHECK(copilot().parse(kEvent).agent_version.empty());
}
