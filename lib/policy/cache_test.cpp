#include <doctest/doctest.h>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "policy/cache.h"
#include "policy/loader.h"

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
