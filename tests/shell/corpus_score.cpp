// Scores the `recommended` profile on the labelled command corpora in
// ../shared/corpora (dcg, cc-safety-net): the share of upstream-deny cases we
// block (deny or ask) and the share of upstream-allow cases we pass, per
// corpus and category. Writes the table and every disagreement to
// ${PRELOOP_BINARY_DIR}/shell_corpus_report.md. Skips when the corpora are absent.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "policy/engine.h"
#include "policy/layers.h"
#include "protocol/event.h"

namespace fs = std::filesystem;
using namespace preloop;

namespace {

struct Tally {
  int deny_total = 0, deny_blocked = 0;
  int allow_total = 0, allow_passed = 0;
  std::vector<std::string> misses;  // deny cases we pass
  std::vector<std::string> extra;   // allow cases we block
};

struct Scorer {
  policy::Engine engine;
  Scorer() {
    std::vector<policy::Diagnostic> diags;
    auto docs = policy::load_packs("recommended", diags);
    for (const auto& d : diags) INFO(d.render());
    REQUIRE_FALSE(policy::has_errors(diags));
    REQUIRE_FALSE(docs.empty());
    engine.add_layer(policy::LayerDocs{"pack:recommended", std::move(docs), true});
  }
  Verdict decide(const std::string& command) const {
    protocol::HookEvent ev;
    ev.kind = protocol::EventKind::PreToolUse;
    ev.event_name = "PreToolUse";
    ev.session_id = "corpus";
    ev.cwd = "/home/user/project";
    ev.permission_mode = "default";
    ev.tool_name = "Bash";
    ev.tool_input = {{"command", command}};
    policy::EvalOptions opt;
    opt.home = "/home/user";
    opt.project_dir = "/home/user/project";
    return engine.evaluate(ev, opt).verdict;
  }
};

std::string category(const std::string& corpus, const nlohmann::json& row) {
  std::string file = row.value("file", "");
  if (corpus == "dcg") return file.substr(0, file.find('/'));
  return fs::path(file).filename().string();
}

std::string pct(int n, int d) {
  if (d == 0) return "-";
  std::ostringstream o;
  o.setf(std::ios::fixed);
  o.precision(1);
  o << 100.0 * n / d << "%";
  return o.str();
}

std::map<std::string, Tally> score(const Scorer& s, const fs::path& file, const std::string& corpus, Tally& total) {
  std::map<std::string, Tally> by_cat;
  std::ifstream in(file);
  REQUIRE(in);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    auto row = nlohmann::json::parse(line);
    std::string cmd = row.at("command").get<std::string>();
    std::string expected = row.at("expected").get<std::string>();
    Verdict v = s.decide(cmd);
    bool blocked = v == Verdict::Deny || v == Verdict::Ask;
    Tally& t = by_cat[category(corpus, row)];
    std::string shown = nlohmann::json(cmd).dump() + " -> " + std::string(to_string(v));
    for (Tally* x : {&t, &total}) {
      if (expected == "deny") {
        ++x->deny_total;
        if (blocked) ++x->deny_blocked;
        else x->misses.push_back(shown);
      } else {
        ++x->allow_total;
        if (!blocked) ++x->allow_passed;
        else x->extra.push_back(shown);
      }
    }
  }
  return by_cat;
}

void report(std::ostream& out, const std::string& corpus, const std::map<std::string, Tally>& cats, const Tally& t) {
  out << "## " << corpus << "\n\n| category | deny cases | blocked | allow cases | passed |\n|---|---|---|---|---|\n";
  for (const auto& [name, c] : cats)
    out << "| " << name << " | " << c.deny_total << " | " << pct(c.deny_blocked, c.deny_total) << " | "
        << c.allow_total << " | " << pct(c.allow_passed, c.allow_total) << " |\n";
  out << "| **all** | " << t.deny_total << " | " << pct(t.deny_blocked, t.deny_total) << " | " << t.allow_total
      << " | " << pct(t.allow_passed, t.allow_total) << " |\n\n";
  out << "Upstream deny, we pass (" << t.misses.size() << "):\n\n";
  for (const auto& m : t.misses) out << "- `" << m << "`\n";
  out << "\nUpstream allow, we block (" << t.extra.size() << "):\n\n";
  for (const auto& m : t.extra) out << "- `" << m << "`\n";
  out << "\n";
}

}  // namespace

TEST_CASE("recommended profile on the labelled corpora") {
  fs::path corpora = fs::path(PRELOOP_SOURCE_DIR) / ".." / "shared" / "corpora";
  if (!fs::exists(corpora / "dcg" / "commands.jsonl")) {
    MESSAGE("skipped: " << corpora.string() << " not found");
    return;
  }
  Scorer s;
  std::ostringstream md;
  md << "# Corpus score of the recommended profile\n\n"
     << "Blocked = deny or ask on an upstream-deny case; passed = no decision or allow on an upstream-allow case.\n\n";

  Tally dcg;
  auto dcg_cats = score(s, corpora / "dcg" / "commands.jsonl", "dcg", dcg);
  report(md, "dcg", dcg_cats, dcg);

  Tally ccsn;
  if (fs::exists(corpora / "cc-safety-net" / "commands.jsonl")) {
    auto cats = score(s, corpora / "cc-safety-net" / "commands.jsonl", "cc-safety-net", ccsn);
    report(md, "cc-safety-net", cats, ccsn);
  }
  fs::path out = fs::path(PRELOOP_BINARY_DIR) / "shell_corpus_report.md";
  std::ofstream(out) << md.str();
  std::istringstream lines(md.str());
  for (std::string l; std::getline(lines, l);)
    if (l.rfind("|", 0) == 0 || l.rfind("#", 0) == 0) std::cout << l << "\n";
  std::cout << "(full report with every disagreement: " << out.string() << ")\n";

  double blocked = 100.0 * dcg.deny_blocked / std::max(1, dcg.deny_total);
  double false_positive = 100.0 * (dcg.allow_total - dcg.allow_passed) / std::max(1, dcg.allow_total);
  CHECK(blocked >= 95.0);
  CHECK(false_positive <= 5.0);
  if (ccsn.deny_total > 0) {
    // Regression floors for the corpus whose labels partly depend on context
    // the extraction does not carry (see rules/README.md).
    CHECK(100.0 * ccsn.deny_blocked / ccsn.deny_total >= 80.0);
    CHECK(100.0 * ccsn.allow_passed / std::max(1, ccsn.allow_total) >= 75.0);
  }
}
