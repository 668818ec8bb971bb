// Secret scanning speed on typical tool output (build logs, source code,
// JSON, git log, env-like lines; nothing to mask), of output without any
// keyword and of keyword-dense output. Baselines in the same run: copying and
// lowercasing the same buffer (one pass over the bytes), with std::tolower (a
// library call per byte) and with an inline ASCII test.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cctype>
#include <iterator>
#include <string>

#include <nlohmann/json.hpp>

#include "secrets/detector.h"
#include "secrets/tool_io.h"

namespace {

using preloop::secrets::Detector;

std::string typical_output(std::size_t bytes) {
  static const char* lines[] = {
      "[ 42%] Building CXX object lib/secrets/CMakeFiles/preloop_secrets.dir/detector.cpp.o\n",
      "commit 3f2a9c1e8d7b6a5f4e3d2c1b0a9f8e7d6c5b4a39\nAuthor: Dev <dev@example.org>\n",
      "  const token = await getToken(request.headers.authorization);\n",
      "    if (!apiKey) throw new Error('missing api key: set API_KEY in the environment');\n",
      "{\"id\": \"550e8400-e29b-41d4-a716-446655440000\", \"name\": \"build\", \"status\": \"passed\", \"duration\": 1234},\n",
      "-rw-r--r-- 1 dev dev  4096 Nov 22 05:00 package-lock.json\n",
      "\"integrity\": \"sha512-Q2Fz7kP1mN4bV8cX3zL6wT9yR0uE5iO2aS7dF1gH4jK8lZ3xC6vB9nM0qW5eR2tY7uI1oP4aS8dF3gH6jK9lZ2x==\",\n",
      "def verify_password(user, password):\n    return hasher.verify(password, user.password_hash)\n",
      "GET https://api.example.org/v1/items?page=2 200 OK 12ms\n",
      "key_length = 32  # bytes of the derived key\n",
      "PATH=/usr/local/bin:/usr/bin:/bin\nHOME=/home/dev\nSHELL=/bin/bash\n",
      "test result: ok. 128 passed; 0 failed; 0 ignored; finished in 2.31s\n",
  };
  std::string out;
  for (std::size_t i = 0; out.size() < bytes; ++i) out += lines[i % std::size(lines)];
  out.resize(bytes);
  return out;
}

// Output without any detector keyword (a build log): only the prefilter runs.
std::string keyword_free_output(std::size_t bytes) {
  std::string out;
  for (std::size_t i = 0; out.size() < bytes; ++i) out += "line " + std::to_string(i) + ": build step ok, 0 warnings\n";
  out.resize(bytes);
  return out;
}

// Output dense with keywords and near-miss assignments (config dumps, code
// handling credentials): every line triggers rules, none holds a secret.
std::string keyword_dense_output(std::size_t bytes) {
  static const char* lines[] = {
      "api_key = os.environ[\"API_KEY\"]\n",
      "  token: ${GITHUB_TOKEN}\n",
      "Authorization: Bearer $TOKEN\n",
      "curl -H \"X-Api-Key: $KEY\" https://api.example.org/v1\n",
      "password = getpass.getpass()\n",
      "db_url = postgres://app@db.internal:5432/app\n",
      "secret_name = \"prod/app/db\"  # in the secret manager\n",
      "<apiKey>${API_KEY}</apiKey>\n",
      "max_tokens = 4096; auth_mode = oauth; key_id = 7\n",
      "client.auth(token=self.token, verify=True)\n",
  };
  std::string out;
  for (std::size_t i = 0; out.size() < bytes; ++i) out += lines[i % std::size(lines)];
  out.resize(bytes);
  return out;
}

const Detector& warm_detector() {
  static Detector d;
  return d;
}

void BM_baseline_copy_lower(benchmark::State& state) {
  std::string text = typical_output(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    std::string copy = text;
    std::transform(copy.begin(), copy.end(), copy.begin(), [](unsigned char c) { return std::tolower(c); });
    benchmark::DoNotOptimize(copy.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}

void BM_scan_warm(benchmark::State& state) {
  std::string text = typical_output(static_cast<std::size_t>(state.range(0)));
  const Detector& d = warm_detector();
  if (!d.scan(text).empty()) state.SkipWithError("the typical output should hold no secret");
  for (auto _ : state) benchmark::DoNotOptimize(d.scan(text));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}

// A fresh detector each time: includes the lazy compile of the keyword set and
// of the rules the text triggers (what one hook process pays).
void BM_scan_cold(benchmark::State& state) {
  std::string text = typical_output(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    Detector d;
    benchmark::DoNotOptimize(d.scan(text));
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}

void BM_baseline_copy_lower_ascii(benchmark::State& state) {
  std::string text = typical_output(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    std::string copy = text;
    for (char& c : copy)
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + ('a' - 'A'));
    benchmark::DoNotOptimize(copy.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}

// Cold scans of output without keywords and of keyword-dense output.
void scan_cold(benchmark::State& state, const std::string& text) {
  for (auto _ : state) {
    Detector d;
    auto found = d.scan(text);
    if (!found.empty()) state.SkipWithError("the output should hold no secret");
    benchmark::DoNotOptimize(found);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}

void BM_scan_cold_no_keywords(benchmark::State& state) {
  scan_cold(state, keyword_free_output(static_cast<std::size_t>(state.range(0))));
}

void BM_scan_cold_many_keywords(benchmark::State& state) {
  scan_cold(state, keyword_dense_output(static_cast<std::size_t>(state.range(0))));
}

void BM_scan_warm_many_keywords(benchmark::State& state) {
  std::string text = keyword_dense_output(static_cast<std::size_t>(state.range(0)));
  const Detector& d = warm_detector();
  if (!d.scan(text).empty()) state.SkipWithError("the output should hold no secret");
  for (auto _ : state) benchmark::DoNotOptimize(d.scan(text));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}

// PostToolUse on a Bash output with nothing to mask, cold (as in one hook process).
void BM_post_tool_use_bash_cold(benchmark::State& state) {
  nlohmann::json response = {{"stdout", typical_output(static_cast<std::size_t>(state.range(0)))},
                             {"stderr", ""},
                             {"interrupted", false},
                             {"isImage", false}};
  for (auto _ : state) {
    Detector d;
    benchmark::DoNotOptimize(preloop::secrets::mask_tool_output(response, d, "session"));
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}

}  // namespace

BENCHMARK(BM_baseline_copy_lower)->Arg(64 << 10)->Arg(1 << 20)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_scan_warm)->Arg(64 << 10)->Arg(1 << 20)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_scan_cold)->Arg(64 << 10)->Arg(1 << 20)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_baseline_copy_lower_ascii)->Arg(64 << 10)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_scan_cold_no_keywords)->Arg(64 << 10)->Arg(1 << 20)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_scan_cold_many_keywords)->Arg(64 << 10)->Arg(1 << 20)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_scan_warm_many_keywords)->Arg(64 << 10)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_post_tool_use_bash_cold)->Arg(64 << 10)->Unit(benchmark::kMicrosecond);
BENCHMARK_MAIN();
