// A set of policy documents in layers, compiled once per process and
// evaluated against hook events: within one document the first matching
// condition wins; across documents and layers the most restrictive answer
// wins (deny > ask/require_approval > allow > no decision).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "policy/decision.h"
#include "policy/document.h"
#include "protocol/event.h"

namespace preloop::shell {
struct Analysis;
}

namespace preloop::policy {

struct LayerDocs {
  std::string name;            // managed | synced | user | project | pack:<profile>
  std::vector<Document> docs;
  bool honour_allow = true;    // false for an untrusted project layer
};

struct EventVariables;

struct EvalOptions {
  std::string home;            // for ~ in shell analysis; default: $HOME
  std::string project_dir;     // default: $CLAUDE_PROJECT_DIR, else the event's cwd
  bool full_trace = false;     // evaluate every document even after a deny
  bool prefilter = true;       // skip conditions whose prefilter rules them out (off: differential tests)
  // When set, receives the shell analysis if a rule computed it (null otherwise), for later steps.
  std::shared_ptr<const shell::Analysis>* share_analysis = nullptr;
  // The call's variables when already built by call_variables() (reused, with their analysis).
  EventVariables* variables = nullptr;
};

// The variables evaluate() builds for a call: home and project as in EvalOptions.
EventVariables call_variables(const protocol::HookEvent& event, const EvalOptions& options);

// Settings from the config that shape evaluation (config/config.h).
struct EngineSettings {
  bool observe = false;       // policy.mode: observe — every rule observed
  bool allow_tuning = true;   // disable:, observe: and override below the managed layer apply
  bool pin_enforce = false;   // observe settings below the managed layer are ignored
};

class Engine {
 public:
  Engine();
  ~Engine();
  Engine(Engine&&) noexcept;
  Engine& operator=(Engine&&) noexcept;

  void add_layer(LayerDocs layer);
  void configure(const EngineSettings& settings);
  // Only this call may be evaluated, with prefilters on: the layers may hold
  // only what can match it.
  void restrict_to(const protocol::HookEvent* call);
  Decision evaluate(const protocol::HookEvent& event, const EvalOptions& options = {}) const;

  const std::vector<LayerDocs>& layers() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace preloop::policy
