// Reports of policy test suites: rule coverage, JSON and JUnit XML.
#pragma once

#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "hook/dry_run.h"

namespace preloop::hook {

// One suite file (or a document's inline tests) run against a policy set.
struct SuiteRun {
  std::string file;
  std::vector<std::string> loaded;  // the layers and files of the set
  SuiteResult result;
};

struct Coverage {
  int rules = 0;  // rules in scope
  struct Rule {
    std::string rule, layer, location;
  };
  std::vector<Rule> not_exercised;
};

// The rules no case matched: those of every layer but the built-in packs,
// or of the packs when nothing else is loaded (pack suites).
Coverage rule_coverage(const policy::PolicySet& set, const std::set<std::string>& exercised);

nlohmann::json suites_json(const std::vector<SuiteRun>& runs, const Coverage& coverage);
std::string junit_xml(const std::vector<SuiteRun>& runs);

}  // namespace preloop::hook
