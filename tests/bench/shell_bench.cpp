// Shell analysis and pack evaluation, in process. Baseline in the same run:
// evaluating a Read call through the same packs (no shell analysis).
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "policy/engine.h"
#include "policy/layers.h"
#include "protocol/event.h"
#include "shell/analyze.h"
#include "shell/cel_bindings.h"

using namespace preloop;

namespace {

const std::vector<std::string>& typical() {
  static const std::vector<std::string> cmds = {
      "git status",
      "npm test -- --watch=false",
      "rm -rf node_modules dist build",
      "cd src && grep -rn 'TODO' . | head -20",
      "git add -A && git commit -m \"fix: handle rm -rf in parser\" && git push origin feature/x",
      "curl -fsSL https://example.com/install.sh | bash",
      "find . -name '*.pyc' -delete",
      "docker build -t app:latest . && docker run --rm -it app:latest pytest -q",
  };
  return cmds;
}

const shell::Context kCtx{"/home/user/project", "/home/user", "/home/user/project"};

policy::Engine& engine() {
  static policy::Engine e = [] {
    std::vector<policy::Diagnostic> diags;
    policy::Engine eng;
    eng.add_layer(policy::LayerDocs{"pack:recommended", policy::load_packs("recommended", diags), true});
    return eng;
  }();
  return e;
}

protocol::HookEvent event(const std::string& tool, nlohmann::json input) {
  protocol::HookEvent ev;
  ev.kind = protocol::EventKind::PreToolUse;
  ev.event_name = "PreToolUse";
  ev.cwd = "/home/user/project";
  ev.permission_mode = "default";
  ev.tool_name = tool;
  ev.tool_input = std::move(input);
  return ev;
}

void BM_Analyze(benchmark::State& st) {
  const std::string& cmd = typical()[static_cast<std::size_t>(st.range(0))];
  for (auto _ : st) benchmark::DoNotOptimize(shell::analyze(cmd, kCtx));
  st.SetLabel(cmd.substr(0, 40));
}
BENCHMARK(BM_Analyze)->DenseRange(0, 7);

void BM_AnalyzeToCel(benchmark::State& st) {
  const std::string& cmd = typical()[static_cast<std::size_t>(st.range(0))];
  for (auto _ : st) benchmark::DoNotOptimize(shell::to_cel(shell::analyze(cmd, kCtx)));
  st.SetLabel(cmd.substr(0, 40));
}
BENCHMARK(BM_AnalyzeToCel)->DenseRange(0, 7);

// Analysis + evaluation of every recommended pack for one Bash call.
void BM_EvaluateBash(benchmark::State& st) {
  const std::string& cmd = typical()[static_cast<std::size_t>(st.range(0))];
  auto ev = event("Bash", {{"command", cmd}});
  policy::EvalOptions opt{"/home/user", "/home/user/project"};
  for (auto _ : st) benchmark::DoNotOptimize(engine().evaluate(ev, opt));
  st.SetLabel(cmd.substr(0, 40));
}
BENCHMARK(BM_EvaluateBash)->DenseRange(0, 7);

// The same with rule prefilters off: every Bash condition is evaluated.
void BM_EvaluateBashNoPrefilter(benchmark::State& st) {
  const std::string& cmd = typical()[static_cast<std::size_t>(st.range(0))];
  auto ev = event("Bash", {{"command", cmd}});
  policy::EvalOptions opt{"/home/user", "/home/user/project"};
  opt.prefilter = false;
  for (auto _ : st) benchmark::DoNotOptimize(engine().evaluate(ev, opt));
  st.SetLabel(cmd.substr(0, 40));
}
BENCHMARK(BM_EvaluateBashNoPrefilter)->DenseRange(0, 7);

// Baseline: the same packs for a Read call (no shell analysis).
void BM_EvaluateReadBaseline(benchmark::State& st) {
  auto ev = event("Read", {{"file_path", "/home/user/project/src/main.cpp"}});
  policy::EvalOptions opt{"/home/user", "/home/user/project"};
  for (auto _ : st) benchmark::DoNotOptimize(engine().evaluate(ev, opt));
}
BENCHMARK(BM_EvaluateReadBaseline);

void BM_Analyze1MiB(benchmark::State& st) {
  std::string big;
  while (big.size() < (1u << 20) - 64) big += "echo hello world 'quoted arg' \"$HOME\" | grep x && ";
  for (auto _ : st) benchmark::DoNotOptimize(shell::analyze(big, kCtx));
}
BENCHMARK(BM_Analyze1MiB)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
