#include <doctest/doctest.h>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "policy/cache.h"
#include "policy/loader.h"
#include "policy/prefilter_annotate.h"
#include "policy/tool_match.h"

using namespace preloop::policy;
namespace fs = std::filesystem;

namespace {
std::vector<LayerDocs> sample() {
  std::vector<Diagnostic> diags;
  auto d = load_document_text(R"Y(
approval_workflows: [{name: w, timeout_seconds: 60, approvers: [{team: ops}]}]
tools:
  - name: [Bash, "mcp__x__*"]
    source: claude_code
    approval_workflow: w
    conditions:
      - {id: a, expression: "args.command == 'x'", action: deny, message: "no {{ args.command }}"}
      - {expression: "args.command.contains('y')", action: allow, enabled: false, timeout_seconds: 5,
         enforce: false, override: [core.x, git.y]}
mode: observe
disable:
  - {pack: network, reason: "CI images", expires: 2030-01-31}
observe:
  - {rule: core.z, reason: trial}
)Y", "p.yaml", diags);
  REQUIRE(diags.empty());
  return {{"user", {d}, true}, {"project", {d}, false}};
}
}  // namespace

TEST_CASE("a snapshot round-trips every field the engine reads") {
  auto layers = sample();
  auto back = deserialize_layers(serialize_layers(layers));
  REQUIRE(back);
  REQUIRE(back->size() == 2);
  CHECK((*back)[1].honour_allow == false);
  const auto& d = (*back)[0].docs[0];
  CHECK(d.workflows[0].approver_teams == std::vector<std::string>{"ops"});
  const auto& t = d.tools[0];
  CHECK(t.names == std::vector<std::string>{"Bash", "mcp__x__*"});
  CHECK(t.workflow == "w");
  REQUIRE(t.conditions.size() == 2);
  CHECK(t.conditions[0].id == "a");
  CHECK(t.conditions[0].action == preloop::Action::Deny);
  CHECK(t.conditions[0].type == ConditionType::Simple);
  CHECK(t.conditions[0].description == "no {{ args.command }}");
  CHECK(t.conditions[0].loc.line == 8);
  CHECK(t.conditions[1].enabled == false);
  CHECK(t.conditions[1].type == ConditionType::Cel);
  CHECK(t.conditions[1].timeout_seconds == 5);
  CHECK(t.conditions[0].enforce);
  CHECK(!t.conditions[1].enforce);
  CHECK(t.conditions[1].overrides == std::vector<std::string>{"core.x", "git.y"});
  CHECK(d.observe);
  REQUIRE(d.tuning.size() == 2);
  CHECK(d.tuning[0].kind == Tuning::Kind::Disable);
  CHECK(d.tuning[0].pack == "network");
  CHECK(d.tuning[0].reason == "CI images");
  CHECK(d.tuning[0].expires == "2030-01-31");
  CHECK(d.tuning[1].kind == Tuning::Kind::Observe);
  CHECK(d.tuning[1].rule == "core.z");
  CHECK(d.tuning[1].loc.line == 15);
}

TEST_CASE("a snapshot carries the conditions' prefilters") {
  auto layers = sample();
  auto& c = layers[0].docs[0].tools[0].conditions[1];
  c.prefilter = Prefilter{Prefilter::State::AnyOf, {{FactField::NameSub, FactOp::Eq, std::string("git\0push", 8)},
                                                     {FactField::Flag, FactOp::Eq, "deletes"}}};
  auto back = deserialize_layers(serialize_layers(layers));
  REQUIRE(back);
  const auto& p = (*back)[0].docs[0].tools[0].conditions[1].prefilter;
  CHECK(p.state == Prefilter::State::AnyOf);
  CHECK(p.any_of == c.prefilter.any_of);
  CHECK((*back)[0].docs[0].tools[0].conditions[0].prefilter.state == Prefilter::State::NotDerived);
}

TEST_CASE("a snapshot read for one tool holds exactly the entries that can apply to it") {
  std::vector<Diagnostic> diags;
  auto d = load_document_text(R"Y(
tools:
  - {name: Bash, conditions: [{id: b, expression: "args.command == 'x'", action: deny}]}
  - {name: "@file_write", conditions: [{id: w, expression: "args.path.endsWith('.env')", action: deny}]}
  - {name: "*", conditions: [{id: any, expression: "true", action: deny}]}
  - {name: [Read, "mcp__x__*"], conditions: [{id: r, expression: "true", action: deny}]}
  - {name: create_issue, source: github, conditions: [{id: m, expression: "true", action: deny}]}
)Y", "p.yaml", diags);
  REQUIRE(diags.empty());
  const std::string data = serialize_layers({{"user", {d}, true}});
  auto ids = [&](const char* tool) {
    CallFilter only{ToolName::parse(tool)};
    auto back = deserialize_layers(data, &only);
    REQUIRE(back);
    std::string out;
    for (const auto& t : (*back)[0].docs[0].tools)
      for (const auto& c : t.conditions) out += c.id + " ";
    return out;
  };
  CHECK(ids("Write") == "w any ");
  CHECK(ids("Edit") == "w any ");
  CHECK(ids("Bash") == "b any ");
  CHECK(ids("Read") == "any r ");
  CHECK(ids("mcp__x__y") == "any r ");
  CHECK(ids("mcp__github__create_issue") == "any m ");
  CHECK(ids("WebFetch") == "any ");
  // Every entry read without a tool; the same with a damaged entry length.
  REQUIRE(deserialize_layers(data));
  CHECK((*deserialize_layers(data))[0].docs[0].tools.size() == 5);
  std::string bad = data;
  const auto at = bad.find("Bash") + 4 + 4 + 7;  // name, the source's length, "builtin": the entry's length
  bad[at] = static_cast<char>(bad[at] + 1);
  CHECK(!deserialize_layers(bad));
  CallFilter write{ToolName::parse("Write")};
  CHECK(!deserialize_layers(bad, &write));
}

TEST_CASE("a snapshot read for one call leaves out the conditions its facts rule out") {
  std::vector<Diagnostic> diags;
  auto d = load_document_text(R"Y(
tools:
  - name: Bash
    conditions:
      - {id: x, expression: "args.command.contains('rm -rf')", action: deny}
      - {id: y, expression: "args.command.startsWith('npm')", action: deny}
      - {id: z, expression: "size(args.command) > 100", action: deny}
  - name: Bash
    conditions: [{id: only-git, expression: "args.command.startsWith('git')", action: deny}]
  - {name: Bash}
)Y", "p.yaml", diags);
  REQUIRE(diags.empty());
  std::vector<LayerDocs> layers{{"user", {d}, true}};
  annotate_prefilters(layers);
  const std::string data = serialize_layers(layers);
  auto read = [&](const std::string& command) {
    CallFacts facts;
    add_arg_facts(facts, {{"command", command}});
    CallFilter only{ToolName::parse("Bash"), &facts};
    auto back = deserialize_layers(data, &only);
    REQUIRE(back);
    std::string out;
    for (const auto& t : (*back)[0].docs[0].tools) {
      out += "[";
      for (const auto& c : t.conditions) out += c.id + (c.prefilter.state == Prefilter::State::AnyOf ? "* " : " ");
      out += "]";
    }
    return out;
  };
  // z has no prefilter; the entry without conditions matches every call.
  CHECK(read("npm test") == "[y* z ][]");
  CHECK(read("git push && rm -rf /tmp/x") == "[x* z ][only-git* ][]");
  CHECK(read("git status") == "[z ][only-git* ][]");
}

TEST_CASE("an engine restricted to one call refuses to decide another") {
  std::vector<Diagnostic> diags;
  auto d = load_document_text("tools: [{name: Bash, conditions: [{expression: \"args.command == 'x'\", action: deny}]}]",
                              "p.yaml", diags);
  REQUIRE(diags.empty());
  Engine engine;
  engine.add_layer({"user", {d}, true});
  preloop::protocol::HookEvent ev;
  ev.tool_name = "Bash";
  ev.tool_input = {{"command", "x"}};
  engine.restrict_to(&ev);
  CHECK(engine.evaluate(ev).verdict == preloop::Verdict::Deny);
  EvalOptions unfiltered;
  unfiltered.prefilter = false;
  CHECK_THROWS_AS(engine.evaluate(ev, unfiltered), std::logic_error);
  preloop::protocol::HookEvent other = ev;
  CHECK_THROWS_AS(engine.evaluate(other), std::logic_error);
}

TEST_CASE("truncated or corrupted snapshots are refused") {
  std::string data = serialize_layers(sample());
  for (std::size_t cut : {std::size_t(0), std::size_t(7), data.size() / 2, data.size() - 1})
    CHECK(!deserialize_layers(std::string_view(data).substr(0, cut)));
  std::string bad = data;
  bad[12] = bad[13] = bad[14] = bad[15] = '\xff';  // a length far beyond the data
  CHECK(!deserialize_layers(bad));
}

TEST_CASE("the cache is keyed by the inputs' identity") {
  fs::path dir = fs::temp_directory_path() / ("preloop-cache-test-" + std::to_string(getpid()));
  fs::create_directories(dir);
  fs::path f = dir / "p.yaml";
  std::ofstream(f) << "tools: []\n";
  auto key = preloop::snapshot::make_key("policy", {{"user", f}}, "profile=recommended");
  REQUIRE(key);
  CHECK(!read_cached(dir / "c", *key));
  write_cached(dir / "c", *key, sample());
  CHECK(read_cached(dir / "c", *key));
  std::ofstream(f, std::ios::app) << "# changed\n";
  auto key2 = preloop::snapshot::make_key("policy", {{"user", f}}, "profile=recommended");
  REQUIRE(key2);
  CHECK(key2->signature != key->signature);
  CHECK(!read_cached(dir / "c", *key2));
  CHECK(preloop::snapshot::make_key("policy", {{"user", f}}, "profile=strict")->slot != key2->slot);
  // Bound to the running binary's identity, not just its path.
  CHECK(key->signature.find(preloop::snapshot::binary_identity()) != std::string::npos);
  fs::remove_all(dir);
}
