// Secret detection for policy conditions: the hook binds the result as the
// CEL variable `secrets`, e.g. `secrets.found && "aws-access-key-id" in secrets.kinds`.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include "cel/value.h"

namespace preloop {
struct Config;
}

namespace preloop::secrets {

// {found: bool, kinds: list<string> (sorted, distinct), count: int} over every
// string of the tool input. config selects user patterns/allowlist (null =
// built-ins). Throws ConfigError when the `secrets:` section is invalid.
cel::Value findings_value(const nlohmann::json& tool_input, const Config* config = nullptr);

}  // namespace preloop::secrets
