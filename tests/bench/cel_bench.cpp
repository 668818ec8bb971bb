// CEL engine benchmarks: compile and evaluate separately, on the policy
// shapes the hook runs most, against a hand-written C++ baseline of the
// contains chain measured in the same run. Report medians:
//   cel_bench --benchmark_repetitions=10 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <nlohmann/json.hpp>

#include "cel/cel.h"

namespace {

const char* const kContainsChain =
    "args.command.contains('rm -rf') || args.command.contains('drop database') || "
    "args.command.contains('truncate table')";
const char* const kMatches = "args.command.matches('(?i)\\\\b(curl|wget)\\\\b[^|]*\\\\|\\\\s*(ba|z)?sh\\\\b')";
const char* const kExists = "args.paths.exists(p, p.endsWith('.env') || p.startsWith('/etc/'))";
const char* const kStartsWith =
    "args.file_path.startsWith('/etc/') || args.file_path.startsWith('/usr/') || "
    "args.file_path.startsWith('/root/') || args.file_path.startsWith('/var/lib/')";

const nlohmann::json& input() {
  static const nlohmann::json j = nlohmann::json::parse(R"({
    "command": "git status --short && ls -la /home/dev/project/src | head -n 40",
    "description": "Show working tree status and list sources",
    "file_path": "/home/dev/project/src/main.cpp",
    "paths": ["src/main.cpp", "src/util.h", "README.md", "docs/guide.md", "tests/a_test.cpp",
              "tests/b_test.cpp", "CMakeLists.txt", "config/settings.yaml", "scripts/build.sh", ".env"]
  })");
  return j;
}

cel::Env policy_env() {
  cel::Env env;
  for (const char* v : {"args", "tool", "session", "shell", "secrets"}) env.declare_variable(v);
  return env;
}

void compile_bench(benchmark::State& state, const char* expr) {
  cel::Env env = policy_env();
  for (auto _ : state) {
    auto r = env.compile(expr);
    if (!r.ok()) state.SkipWithError("compile failed");
    benchmark::DoNotOptimize(r.program);
  }
}

void eval_bench(benchmark::State& state, const char* expr, bool expected) {
  cel::Env env = policy_env();
  auto r = env.compile(expr);
  if (!r.ok()) {
    state.SkipWithError(r.error->message.c_str());
    return;
  }
  cel::Activation act;
  act.bind_json("args", &input());
  if (r.program->evaluate(act).is_true() != expected) state.SkipWithError("unexpected result");
  for (auto _ : state) {
    cel::Value v = r.program->evaluate(act);
    benchmark::DoNotOptimize(v);
  }
}

// What the contains chain costs written directly against the json.
void BM_Baseline_NativeContainsChain(benchmark::State& state) {
  const nlohmann::json* j = &input();
  for (auto _ : state) {
    benchmark::DoNotOptimize(j);
    const std::string& cmd = j->at("command").get_ref<const std::string&>();
    bool r = cmd.find("rm -rf") != std::string::npos || cmd.find("drop database") != std::string::npos ||
             cmd.find("truncate table") != std::string::npos;
    benchmark::DoNotOptimize(r);
  }
}

void BM_Compile_ContainsChain(benchmark::State& s) { compile_bench(s, kContainsChain); }
void BM_Compile_Matches(benchmark::State& s) { compile_bench(s, kMatches); }
void BM_Compile_Exists(benchmark::State& s) { compile_bench(s, kExists); }
void BM_Compile_StartsWithChain(benchmark::State& s) { compile_bench(s, kStartsWith); }
void BM_Eval_ContainsChain(benchmark::State& s) { eval_bench(s, kContainsChain, false); }
void BM_Eval_Matches(benchmark::State& s) { eval_bench(s, kMatches, false); }
void BM_Eval_Exists(benchmark::State& s) { eval_bench(s, kExists, true); }
void BM_Eval_StartsWithChain(benchmark::State& s) { eval_bench(s, kStartsWith, false); }

}  // namespace

BENCHMARK(BM_Baseline_NativeContainsChain);
BENCHMARK(BM_Eval_ContainsChain);
BENCHMARK(BM_Eval_Matches);
BENCHMARK(BM_Eval_Exists);
BENCHMARK(BM_Eval_StartsWithChain);
BENCHMARK(BM_Compile_ContainsChain);
BENCHMARK(BM_Compile_Matches);
BENCHMARK(BM_Compile_Exists);
BENCHMARK(BM_Compile_StartsWithChain);

BENCHMARK_MAIN();
