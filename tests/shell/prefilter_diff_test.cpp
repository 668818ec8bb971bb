// Differential test of rule prefilters: every pack suite case, every inline
// test of the packs and examples, and every command of the labelled corpora
// (../shared/corpora, when present) must get the same decision with
// prefilters on as with them off, under each profile; and the same again from
// a policy snapshot read for that one call, as a hook process reads it.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "policy/cache.h"
#include "policy/engine.h"
#include "policy/layers.h"
#include "policy/loader.h"
#include "policy/prefilter_annotate.h"
#include "policy/tool_match.h"
#include "policy/variables.h"
#include "protocol/event.h"

namespace fs = std::filesystem;
using namespace preloop;

namespace {

const fs::path kRules = fs::path(PRELOOP_SOURCE_DIR) / "rules";

std::string read(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<fs::path> yaml_files(const fs::path& dir) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".yaml") out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<policy::Document> examples(std::vector<policy::Diagnostic>& diags) {
  std::vector<policy::Document> docs;
  for (const auto& f : yaml_files(kRules / "examples")) docs.push_back(policy::load_document_file(f, diags));
  return docs;
}

// Every case the repository holds, plus corpus commands as Bash cases.
std::vector<policy::TestCase> all_cases() {
  std::vector<policy::Diagnostic> diags;
  std::vector<policy::TestCase> cases;
  for (const auto& f : yaml_files(kRules / "suites")) {
    auto c = policy::load_suite_text(read(f), f.string(), diags);
    cases.insert(cases.end(), c.begin(), c.end());
  }
  for (const char* profile : {"recommended", "strict"})
    for (const auto& d : policy::load_packs(profile, diags)) cases.insert(cases.end(), d.tests.begin(), d.tests.end());
  for (const auto& d : examples(diags)) cases.insert(cases.end(), d.tests.begin(), d.tests.end());
  REQUIRE_FALSE(policy::has_errors(diags));
  fs::path corpora = fs::path(PRELOOP_SOURCE_DIR) / ".." / "shared" / "corpora";
  for (const char* name : {"dcg", "cc-safety-net"}) {
    std::ifstream in(corpora / name / "commands.jsonl");
    if (!in) {
      MESSAGE("corpus " << name << " not found: skipped");
      continue;
    }
    for (std::string line; std::getline(in, line);) {
      if (line.empty()) continue;
      policy::TestCase c;
      c.name = std::string(name) + ": " + line;
      c.input = {{"command", nlohmann::json::parse(line).at("command")}};
      cases.push_back(std::move(c));
    }
  }
  return cases;
}

protocol::HookEvent event_of(const policy::TestCase& c) {
  protocol::HookEvent ev;
  ev.kind = protocol::EventKind::PreToolUse;
  ev.event_name = "PreToolUse";
  ev.session_id = "prefilter";
  ev.cwd = c.cwd;
  ev.permission_mode = c.permission_mode;
  ev.tool_name = c.tool;
  ev.tool_input = c.input;
  return ev;
}

std::string summary(const Decision& d) {
  return std::string(to_string(d.verdict)) + " approval=" + std::to_string(d.needs_approval) + " rule=" +
         d.rule.id + "@" + d.rule.location() + " reason=" + d.reason;
}

}  // namespace

TEST_CASE("decisions are the same with and without prefilters") {
  auto cases = all_cases();
  MESSAGE(cases.size() << " cases");
  for (const char* profile : {"recommended", "strict"}) {
    for (bool with_examples : {false, true}) {
      std::vector<policy::Diagnostic> diags;
      std::vector<policy::LayerDocs> layers;
      if (with_examples) layers.push_back({"user", examples(diags), true});
      layers.push_back({std::string("pack:") + profile, policy::load_packs(profile, diags), true});
      REQUIRE_FALSE(policy::has_errors(diags));
      // Prefilters derived by the engine on first use, and as a policy snapshot carries them.
      policy::Engine lazy, annotated;
      for (const auto& l : layers) lazy.add_layer(l);
      policy::annotate_prefilters(layers);
      const std::string snapshot = policy::serialize_layers(layers);
      for (auto& l : layers) annotated.add_layer(std::move(l));
      std::size_t conditions = 0, read = 0;
      for (const auto& c : cases) {
        auto ev = event_of(c);
        policy::EvalOptions on{c.home, c.cwd};
        policy::EvalOptions off = on;
        off.prefilter = false;
        INFO(profile << (with_examples ? " + examples: " : ": ") << c.tool << " " << c.input.dump());
        std::string expected = summary(lazy.evaluate(ev, off));
        CHECK(summary(lazy.evaluate(ev, on)) == expected);
        CHECK(summary(annotated.evaluate(ev, on)) == expected);
        // Only the entries and conditions the call can match, read with its facts.
        policy::EventVariables vars = policy::call_variables(ev, on);
        const policy::CallFilter only{policy::ToolName::parse(ev.tool_name), &vars.facts(ev, true)};
        auto part = policy::deserialize_layers(snapshot, &only);
        REQUIRE(part);
        policy::Engine filtered;
        for (auto& l : *part) {
          for (const auto& d : l.docs)
            for (const auto& t : d.tools) read += t.conditions.size();
          filtered.add_layer(std::move(l));
        }
        for (const auto& l : annotated.layers())
          for (const auto& d : l.docs)
            for (const auto& t : d.tools) conditions += t.conditions.size();
        filtered.restrict_to(&ev);
        policy::EvalOptions reuse = on;
        reuse.variables = &vars;
        CHECK(summary(filtered.evaluate(ev, reuse)) == expected);
      }
      const std::string what = std::string(profile) + (with_examples ? " + examples" : "") + ": the calls read " +
                               std::to_string(read) + " of " + std::to_string(conditions) + " conditions";
      MESSAGE(what);
    }
  }
}
