// The adapters of the agents other than Claude Code (one file each).
#pragma once

#include "agents/adapter.h"

namespace preloop::agents {

const Adapter& gemini_cli();   // gemini.cpp
const Adapter& qwen_code();    // qwen.cpp
const Adapter& codex_cli();    // codex.cpp
const Adapter& copilot_cli();  // copilot.cpp
const Adapter& cursor();       // cursor.cpp

}  // namespace preloop::agents
