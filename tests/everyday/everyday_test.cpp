// The everyday-work corpus: ordinary commands and file edits across
// ecosystems (commands.txt, edits.yaml), run through the real binary as one
// policy suite under the recommended profile with the built-in packs and the
// secrets step. Every case expects no decision; the share that gets one (deny
// or ask) is the false-alarm rate, printed with each false alarm, and must
// stay at or below 1%.
#include <doctest/doctest.h>

#include <fstream>
#include <regex>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "support/process.h"

using namespace preloop::testing;

namespace {

std::string read(const std::string& path) {
  std::ifstream in(path);
  REQUIRE_MESSAGE(in.good(), "cannot read " << path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string q(const std::string& s) { return nlohmann::json(s).dump(); }

// The corpus as a suite: each command line and each edit case, expecting no decision.
std::string build_suite(std::size_t& cases) {
  const std::string dir = std::string(PRELOOP_SOURCE_DIR) + "/tests/everyday/";
  std::string suite = "name: everyday\nprofile: recommended\ncases:\n";
  std::istringstream commands(read(dir + "commands.txt"));
  std::string section = "?", line;
  while (std::getline(commands, line)) {
    if (line.empty()) continue;
    if (line.rfind("# ---", 0) == 0) section = line.substr(6);
    if (line[0] == '#') continue;
    suite += "  - {name: " + q("[" + section + "] " + line) + ", command: " + q(line) + ", expect: pass}\n";
    ++cases;
  }
  std::istringstream edits(read(dir + "edits.yaml"));
  while (std::getline(edits, line)) {
    if (line.rfind("- {", 0) != 0) continue;
    REQUIRE(line.back() == '}');
    suite += "  " + line.substr(0, line.size() - 1) + ", expect: pass}\n";
    ++cases;
  }
  return suite;
}

}  // namespace

TEST_CASE("everyday work gets no decision: false alarms at most 1%") {
  std::size_t cases = 0;
  TempDir tmp;
  const std::string suite = tmp.write("everyday.yaml", build_suite(cases));
  REQUIRE(cases >= 500);
  // The guard's own locations outside /tmp, as in the pack suites: cleanups of /tmp are everyday work.
  const std::string home = std::string(PRELOOP_BINARY_DIR) + "/pack-suite-home";
  ProcessResult r = run_process({hook_binary(), "test", "--packs-only", "--suite", suite}, "",
                                {{"HOME", home}, {"XDG_CONFIG_HOME", home + "/.config"}}, 240000);
  std::smatch m;
  REQUIRE_MESSAGE(std::regex_search(r.out, m, std::regex(R"((\d+) passed, (\d+) failed)")), r.out << r.err);
  const std::size_t passed = std::stoul(m[1]), failed = std::stoul(m[2]);
  CHECK(passed + failed == cases);
  const double rate = 100.0 * static_cast<double>(failed) / static_cast<double>(cases);
  // Each false alarm with what it got.
  std::string alarms;
  std::istringstream out(r.out);
  std::string line;
  while (std::getline(out, line))
    if (line.rfind("FAIL", 0) == 0 || line.find("got:") != std::string::npos) alarms += line + "\n";
  MESSAGE("everyday corpus: " << cases << " cases, " << failed << " false alarms (" << rate << "%)\n" << alarms);
  CHECK(rate <= 1.0);
}
