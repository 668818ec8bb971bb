#include "hook/suite_report.h"

namespace preloop::hook {
namespace {

bool is_pack(const policy::LayerDocs& l) { return l.name.rfind("pack:", 0) == 0; }

std::string xml_escape(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        if (c < 0x20 && c != '\n' && c != '\t') out += ' ';  // not allowed in XML 1.0
        else out += static_cast<char>(c);
    }
  }
  return out;
}

}  // namespace

Coverage rule_coverage(const policy::PolicySet& set, const std::set<std::string>& exercised) {
  Coverage cov;
  const auto& layers = set.engine.layers();
  bool only_packs = true;
  for (const auto& l : layers) only_packs = only_packs && is_pack(l);
  for (const auto& l : layers) {
    if (is_pack(l) && !only_packs) continue;
    for (const auto& d : l.docs)
      for (const auto& t : d.tools) {
        const std::string tool = t.names.empty() ? "" : t.names.front();
        if (t.conditions.empty()) {
          if (t.enabled && t.workflow.empty()) continue;  // decides nothing
          ++cov.rules;
          if (!exercised.count(t.loc.str())) cov.not_exercised.push_back({tool, l.name, t.loc.str()});
          continue;
        }
        for (const auto& c : t.conditions) {
          if (!c.enabled) continue;
          ++cov.rules;
          if (!exercised.count(c.loc.str()))
            cov.not_exercised.push_back({c.id.empty() ? tool : c.id, l.name, c.loc.str()});
        }
      }
  }
  return cov;
}

nlohmann::json suites_json(const std::vector<SuiteRun>& runs, const Coverage& coverage) {
  nlohmann::json j = {{"suites", nlohmann::json::array()}};
  int passed = 0, failed = 0;
  for (const auto& run : runs) {
    nlohmann::json cases = nlohmann::json::array();
    for (const auto& c : run.result.cases)
      cases.push_back({{"name", c.name}, {"location", c.location}, {"expected", c.expected}, {"got", c.got},
                       {"passed", c.passed}});
    j["suites"].push_back({{"file", run.file}, {"loaded", run.loaded}, {"passed", run.result.passed},
                           {"failed", run.result.failed}, {"cases", cases}});
    passed += run.result.passed;
    failed += run.result.failed;
  }
  j["passed"] = passed;
  j["failed"] = failed;
  nlohmann::json missing = nlohmann::json::array();
  for (const auto& r : coverage.not_exercised)
    missing.push_back({{"rule", r.rule}, {"layer", r.layer}, {"location", r.location}});
  j["coverage"] = {{"rules", coverage.rules},
                   {"exercised", coverage.rules - int(coverage.not_exercised.size())},
                   {"not_exercised", missing}};
  return j;
}

std::string junit_xml(const std::vector<SuiteRun>& runs) {
  int tests = 0, failures = 0;
  for (const auto& run : runs) {
    tests += int(run.result.cases.size());
    failures += run.result.failed;
  }
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"preloop-hook policy tests\" tests=\"" +
                    std::to_string(tests) + "\" failures=\"" + std::to_string(failures) + "\">\n";
  for (const auto& run : runs) {
    out += "  <testsuite name=\"" + xml_escape(run.file) + "\" tests=\"" + std::to_string(run.result.cases.size()) +
           "\" failures=\"" + std::to_string(run.result.failed) + "\">\n";
    for (const auto& c : run.result.cases) {
      out += "    <testcase classname=\"" + xml_escape(run.file) + "\" name=\"" + xml_escape(c.name) + "\" file=\"" +
             xml_escape(c.location) + "\"";
      if (c.passed) {
        out += "/>\n";
        continue;
      }
      out += ">\n      <failure message=\"expected " + xml_escape(c.expected) + ", got " + xml_escape(c.got) + "\">" +
             xml_escape(c.detail) + "</failure>\n    </testcase>\n";
    }
    out += "  </testsuite>\n";
  }
  out += "</testsuites>\n";
  return out;
}

}  // namespace preloop::hook
