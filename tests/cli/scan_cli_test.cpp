// `scan` through the real binary: directories walked recursively with
// .gitignore honoured, text/json/sarif output, and loud refusals.
#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "cli/run_in.h"

using namespace preloop::testing;

namespace {

// A GitHub token shape the detectors know; assembled so this file holds none.
const std::string kToken = std::string("ghp_") + "Zx9Kq2Lm4Np6Rs8Tv0Wy1Ab3Cd5Ef7Gh9Ij2";

std::string tree(const HookEnv& env) {
  const std::string root = env.dir().path() + "/repo";
  env.write("repo/.gitignore", "build/\n*.log\n!keep.log\n/top-only.txt\n");
  env.write("repo/src/app.py", "import os\nTOKEN = \"" + kToken + "\"\n");
  env.write("repo/src/clean.py", "print('hello')\n");
  env.write("repo/build/out.txt", "token " + kToken + "\n");          // ignored directory
  env.write("repo/debug.log", kToken + "\n");                         // ignored by *.log
  env.write("repo/keep.log", "x " + kToken + "\n");                   // re-included
  env.write("repo/top-only.txt", kToken + "\n");                      // anchored: ignored here
  env.write("repo/sub/top-only.txt", "y " + kToken + "\n");           // ...but not in sub/
  env.write("repo/sub/.gitignore", "secret-*.txt\n");
  env.write("repo/sub/secret-a.txt", kToken + "\n");                  // nested .gitignore
  env.write("repo/.git/config", "token = " + kToken + "\n");          // never walked
  env.write("repo/image.bin", std::string("\x89PNG\0\0", 6) + kToken);  // binary: skipped
  return root;
}

}  // namespace

TEST_CASE("scan walks a directory recursively and honours .gitignore") {
  HookEnv env;
  const std::string root = tree(env);
  const auto r = env.cli({"scan", root});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  CHECK(r.out.find("github-pat at " + root + "/src/app.py:2:10 [REDACTED:github-pat:") != std::string::npos);
  CHECK(r.out.find(root + "/keep.log:1:3") != std::string::npos);
  CHECK(r.out.find(root + "/sub/top-only.txt:1:3") != std::string::npos);
  for (const char* hidden : {"/build/out.txt", "/debug.log", "/repo/top-only.txt", "secret-a.txt", ".git/", "image.bin"})
    CHECK(r.out.find(hidden) == std::string::npos);
  CHECK(r.out.find(kToken) == std::string::npos);
  CHECK(r.err.find("skipped 1 binary file(s)") != std::string::npos);
  // Three findings, one per line.
  CHECK(std::count(r.out.begin(), r.out.end(), '\n') == 3);
}

TEST_CASE("scan --format json and sarif") {
  HookEnv env;
  const std::string root = tree(env);
  const auto j = env.cli({"scan", "--format", "json", root + "/src", root + "/keep.log"});
  CHECK(j.exit_code == 1);
  const auto doc = nlohmann::json::parse(j.out);
  REQUIRE(doc["findings"].size() == 2);
  CHECK(doc["findings"][0]["file"] == root + "/src/app.py");
  CHECK(doc["findings"][0]["line"] == 2);
  CHECK(doc["findings"][0]["column"] == 10);
  CHECK(doc["findings"][0]["kind"] == "github-pat");
  CHECK(doc["files_scanned"] == 3);
  CHECK(doc["errors"].empty());
  CHECK(j.out.find(kToken) == std::string::npos);

  const auto s = env.cli({"scan", "--format", "sarif", root + "/src"});
  CHECK(s.exit_code == 1);
  const auto sarif = nlohmann::json::parse(s.out);
  CHECK(sarif["version"] == "2.1.0");
  const auto& run = sarif["runs"][0];
  CHECK(run["tool"]["driver"]["name"] == "preloop-hook");
  CHECK(run["tool"]["driver"]["rules"][0]["id"] == "github-pat");
  REQUIRE(run["results"].size() == 1);
  CHECK(run["results"][0]["ruleId"] == "github-pat");
  CHECK(run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == root + "/src/app.py");
  CHECK(run["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] == 2);
  CHECK(run["invocations"][0]["executionSuccessful"] == true);

  const auto clean = env.cli({"scan", "--format", "json", root + "/src/clean.py"});
  CHECK(clean.exit_code == 0);
  CHECK(nlohmann::json::parse(clean.out)["findings"].empty());
  CHECK(env.cli({"scan", "--format", "xml", root}).exit_code != 0);
}

TEST_CASE("scan refuses loudly what it cannot read, and still reports the rest") {
  HookEnv env;
  const std::string root = tree(env);
  const std::string fifo = env.dir().path() + "/repo/src/pipe";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  const auto r = env.cli({"scan", "--format", "json", root + "/src", env.dir().path() + "/missing.txt"});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("preloop-hook scan: " + fifo + " is a FIFO, not a regular file") != std::string::npos);
  CHECK(r.err.find("missing.txt does not exist") != std::string::npos);
  CHECK(r.err.find("missing.txt") != std::string::npos);
  const auto doc = nlohmann::json::parse(r.out);
  CHECK(doc["findings"].size() == 1);  // app.py still scanned
  CHECK(doc["errors"].size() == 2);
  const auto sarif = nlohmann::json::parse(env.cli({"scan", "--format", "sarif", fifo}).out);
  CHECK(sarif["runs"][0]["invocations"][0]["executionSuccessful"] == false);

  if (::geteuid() != 0) {  // root reads anything
    const std::string locked = env.write("repo/locked.txt", "x\n");
    ::chmod(locked.c_str(), 0);
    const auto l = env.cli({"scan", locked});
    CHECK(l.exit_code == 2);
    CHECK(l.err.find("locked.txt") != std::string::npos);
  }
}

TEST_CASE("scan - and --mask still work as a filter") {
  HookEnv env;
  const auto r = env.cli({"scan", "--mask", "-"}, "token=" + kToken + "\n");
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("[REDACTED:github-pat:") != std::string::npos);
  CHECK(r.out.find(kToken) == std::string::npos);
  CHECK(env.cli({"scan", "-"}, "x " + kToken + "\n").exit_code == 1);
  CHECK(env.cli({"scan", "--mask", "a", "b"}).exit_code == 2);
}
