// State of one hook invocation, passed through the steps of the pipeline:
//   read event -> evaluate policy -> secrets in input -> approval -> audit -> reply
//   (PostToolUse: read event -> mask output -> audit -> reply)
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "agents/adapter.h"
#include "config/config.h"
#include "policy/decision.h"
#include "policy/layers.h"
#include "protocol/event.h"

namespace preloop::hook {

using Clock = std::chrono::steady_clock;

struct HookContext {
  const Config* config = nullptr;
  const agents::Adapter* adapter = &agents::claude_code();  // the agent's input and reply formats
  protocol::HookEvent event;
  Decision decision;
  Clock::time_point started;
  Clock::time_point deadline;          // the hook must have answered by then
  std::optional<policy::PolicySet> policies;  // loaded for this call (unless preloaded)
  nlohmann::json updated_input;        // PreToolUse: replacement input (null = none)
  nlohmann::json updated_output;       // PostToolUse: replacement output (null = none)
  std::string additional_context;
  bool dry_run = false;                // `preloop-hook test`: no network, no audit
  bool background = false;             // may start detached work (RunOptions::background)
  // Time left before the deadline, never negative.
  std::chrono::milliseconds remaining() const;
};

// The project root of an event: $CLAUDE_PROJECT_DIR, else the event's cwd.
std::string project_dir_for(const protocol::HookEvent& ev);

}  // namespace preloop::hook
