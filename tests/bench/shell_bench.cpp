// Shell analysis and pack evaluation, in process. Baseline in the same run:
// evaluating a Read call through the same packs (no shell analysis).
//
// Large commands (BM_AnalyzeLarge, BM_EvaluateBashLarge): realistic shapes at
// 1, 16, 32, 64 and 256 KiB; the counters show whether cost grows with the input
// and no faster: sec_per_byte (flat across sizes when linear), alloc_per_byte
// (bytes allocated per input byte) and peak_per_byte (most bytes live at once
// per input byte), counted by the allocator below.
#include <benchmark/benchmark.h>

#include <malloc.h>

#include <cstdio>
#include <cstdlib>
#include <new>
#include <string>
#include <vector>

#include "policy/engine.h"
#include "policy/layers.h"
#include "protocol/event.h"
#include "shell/analyze.h"
#include "shell/cel_bindings.h"

using namespace preloop;

namespace {

// Allocation counting (single-threaded benchmarks). g++ sees the replaced
// operator new inlined into callers and takes the free() below for a mismatch.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
std::size_t g_live = 0, g_peak = 0, g_total = 0;

}  // namespace

void* operator new(std::size_t n) {
  void* p = std::malloc(n ? n : 1);
  if (!p) throw std::bad_alloc();
  std::size_t u = malloc_usable_size(p);
  g_live += u;
  g_total += u;
  if (g_live > g_peak) g_peak = g_live;
  return p;
}
void operator delete(void* p) noexcept {
  if (!p) return;
  g_live -= malloc_usable_size(p);
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept { operator delete(p); }

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

// Large commands of the shapes agents write.
enum Shape { Heredoc, HeredocExpanding, PythonOneLiner, AndChain, SingleQuoted, kShapes };
const char* const kShapeNames[] = {"cat <<'EOF' (file)", "cat <<EOF ($VAR, $(cmd))", "python3 -c '...'",
                                   "cmd && cmd && ...", "git commit -m '...'"};

std::string large_command(Shape shape, std::size_t bytes) {
  std::string head, body, tail;
  auto fill = [&](auto&& piece) {  // whole pieces, up to `bytes` in all
    for (std::size_t i = 0;; ++i) {
      std::string p = piece(i);
      if (head.size() + body.size() + p.size() + tail.size() > bytes) break;
      body += p;
    }
  };
  switch (shape) {
    case Heredoc:
      head = "cat > src/generated.py <<'EOF'\n", tail = "EOF";
      fill([](std::size_t i) {
        auto n = std::to_string(i);
        return "def handler_" + n + "(request, ctx):\n    return {'id': " + n + ", 'path': request.path}\n";
      });
      break;
    case HeredocExpanding:
      head = "cat > notes.md <<EOF\n", tail = "EOF";
      fill([](std::size_t i) { return "- item " + std::to_string(i) + " in $HOME/project, built $(date +%F) by ${USER}\n"; });
      break;
    case PythonOneLiner:
      head = "python3 -c 'import json, sys; ", tail = "'";
      fill([](std::size_t i) {
        auto n = std::to_string(i);
        return "d" + n + " = {\"k\": " + n + ", \"v\": [x * " + n + " for x in range(3)]}; print(json.dumps(d" + n + ")); ";
      });
      break;
    case AndChain:
      head = "cd /home/user/project";
      fill([](std::size_t i) {
        auto n = std::to_string(i);
        static const char* const forms[] = {" && mkdir -p build/o", " && echo step > build/o", " && git add build/o",
                                            " && ls -la build/o"};
        return forms[i % 4] + n;
      });
      break;
    default:
      head = "git commit -m '", tail = "'";
      fill([](std::size_t i) { return "Refactor module " + std::to_string(i) + ": split the handler, add tests. "; });
  }
  return head + body + tail;
}

void large_args(benchmark::internal::Benchmark* b) {
  for (int shape = 0; shape < kShapes; ++shape)
    for (int kib : {1, 16, 32, 64, 256}) b->Args({shape, kib});
}

void report_large(benchmark::State& st, std::size_t bytes, std::size_t peak, std::size_t total) {
  auto per_byte = [&](double v) { return benchmark::Counter(v / static_cast<double>(bytes)); };
  st.counters["sec_per_byte"] = benchmark::Counter(
      static_cast<double>(st.iterations()) * static_cast<double>(bytes),
      benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  st.counters["peak_per_byte"] = per_byte(static_cast<double>(peak));
  st.counters["alloc_per_byte"] = per_byte(static_cast<double>(total) / static_cast<double>(st.iterations()));
  st.SetBytesProcessed(static_cast<std::int64_t>(st.iterations()) * static_cast<std::int64_t>(bytes));
  st.SetLabel(kShapeNames[st.range(0)]);
}

// The analysis alone, with no time budget (the sizes above 64 KiB hit the
// command limit in some shapes: they are then cut short, as in the hook).
void BM_AnalyzeLarge(benchmark::State& st) {
  std::string cmd = large_command(static_cast<Shape>(st.range(0)), static_cast<std::size_t>(st.range(1)) * 1024);
  shell::Limits lim;
  lim.time_budget = std::chrono::microseconds(0);
  std::size_t peak = 0;
  g_total = 0;
  for (auto _ : st) {
    std::size_t base = g_live;
    g_peak = g_live;
    benchmark::DoNotOptimize(shell::analyze(cmd, kCtx, lim));
    peak = std::max(peak, g_peak - base);
  }
  report_large(st, cmd.size(), peak, g_total);
}
BENCHMARK(BM_AnalyzeLarge)->Apply(large_args)->Unit(benchmark::kMicrosecond);

// Analysis and every recommended pack, as in a hook call.
void BM_EvaluateBashLarge(benchmark::State& st) {
  std::string cmd = large_command(static_cast<Shape>(st.range(0)), static_cast<std::size_t>(st.range(1)) * 1024);
  auto ev = event("Bash", {{"command", cmd}});
  policy::EvalOptions opt{"/home/user", "/home/user/project"};
  std::size_t peak = 0;
  g_total = 0;
  for (auto _ : st) {
    std::size_t base = g_live;
    g_peak = g_live;
    benchmark::DoNotOptimize(engine().evaluate(ev, opt));
    peak = std::max(peak, g_peak - base);
  }
  report_large(st, cmd.size(), peak, g_total);
}
BENCHMARK(BM_EvaluateBashLarge)->Apply(large_args)->Unit(benchmark::kMicrosecond);

void BM_Analyze1MiB(benchmark::State& st) {
  std::string big;
  while (big.size() < (1u << 20) - 64) big += "echo hello world 'quoted arg' \"$HOME\" | grep x && ";
  for (auto _ : st) benchmark::DoNotOptimize(shell::analyze(big, kCtx));
}
BENCHMARK(BM_Analyze1MiB)->Unit(benchmark::kMillisecond);

}  // namespace

// `shell_bench --print-command SHAPE KIB` writes one large command to stdout
// (for the whole-process bench, tests/bench/large_input_bench.sh).
int main(int argc, char** argv) {
  if (argc == 4 && std::string(argv[1]) == "--print-command") {
    int shape = std::atoi(argv[2]);
    if (shape < 0 || shape >= kShapes) return 2;
    std::string cmd = large_command(static_cast<Shape>(shape), static_cast<std::size_t>(std::atol(argv[3])) * 1024);
    std::fwrite(cmd.data(), 1, cmd.size(), stdout);
    return 0;
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
