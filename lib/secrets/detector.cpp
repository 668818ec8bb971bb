#include "secrets/detector.h"

#include <algorithm>
#include <cctype>
#include <mutex>
#include <string>

#include <re2/re2.h>

#include "config/config.h"
#include "secrets/checks.h"
#include "secrets/filters.h"
#include "secrets/keywords.h"

namespace preloop::secrets {
namespace {

struct CompiledRule {
  const Rule* rule;
  mutable std::once_flag once;
  mutable std::unique_ptr<RE2> re;
  const RE2& regex() const {
    std::call_once(once, [this] {
      RE2::Options o;
      o.set_log_errors(false);
      o.set_max_mem(32 << 20);
      re = std::make_unique<RE2>(rule->regex, o);
    });
    return *re;
  }
};

RE2::Options quiet() {
  RE2::Options o;
  o.set_log_errors(false);
  return o;
}

}  // namespace

struct Detector::Impl {
  Settings settings;
  std::vector<CompiledRule> rules;                 // built-ins (minus disabled), then user rules
  std::vector<std::string> keywords;               // distinct keywords
  std::vector<std::vector<std::size_t>> keyword_rules;  // keyword -> rule indexes
  std::vector<std::size_t> always;                 // rules without keywords
  mutable std::once_flag matcher_once;
  mutable std::unique_ptr<KeywordMatcher> matcher;
  std::vector<std::unique_ptr<RE2>> allow_regexes;

  const KeywordMatcher& keyword_matcher() const {
    std::call_once(matcher_once, [this] { matcher = std::make_unique<KeywordMatcher>(keywords); });
    return *matcher;
  }

  bool allowlisted(std::string_view secret) const {
    if (std::find(settings.allow_values.begin(), settings.allow_values.end(), secret) != settings.allow_values.end())
      return true;
    return std::any_of(allow_regexes.begin(), allow_regexes.end(),
                       [&](const auto& re) { return RE2::PartialMatch(re2::StringPiece(secret.data(), secret.size()), *re); });
  }

  // Which rules to run on text: those with a keyword in it, and those without keywords.
  std::vector<bool> candidates(std::string_view text) const {
    std::vector<bool> run(rules.size(), false);
    for (std::size_t i : always) run[i] = true;
    std::vector<bool> hits = keyword_matcher().find(text);
    for (std::size_t k = 0; k < hits.size(); ++k)
      if (hits[k])
        for (std::size_t r : keyword_rules[k]) run[r] = true;
    return run;
  }

  void scan_rule(const CompiledRule& cr, std::string_view text, std::vector<Finding>& out) const {
    const RE2& re = cr.regex();
    if (!re.ok()) throw ConfigError("secrets: pattern '" + cr.rule->id + "' does not compile: " + re.error());
    const int ngroups = re.NumberOfCapturingGroups() + 1;
    std::vector<re2::StringPiece> groups(static_cast<std::size_t>(ngroups));
    re2::StringPiece input(text.data(), text.size());
    std::size_t pos = 0;
    while (pos <= text.size() && re.Match(input, pos, text.size(), RE2::UNANCHORED, groups.data(), ngroups)) {
      std::size_t mstart = static_cast<std::size_t>(groups[0].data() - text.data());
      std::size_t mend = mstart + groups[0].size();
      pos = mend > mstart ? mend : mend + 1;
      Match m{text, groups, *cr.rule};
      std::optional<Finding> f = evaluate(m);
      if (!f) continue;
      if (allowlisted(text.substr(f->start, f->end - f->start))) continue;
      out.push_back(std::move(*f));
    }
  }
};

Detector::Detector(Settings settings) : impl_(std::make_unique<Impl>()) {
  impl_->settings = std::move(settings);
  const Settings& s = impl_->settings;
  std::vector<const Rule*> selected;
  for (const Rule& r : builtin_rules())
    if (std::find(s.disabled.begin(), s.disabled.end(), r.id) == s.disabled.end()) selected.push_back(&r);
  for (const Rule& r : s.patterns) selected.push_back(&r);
  impl_->rules = std::vector<CompiledRule>(selected.size());
  for (std::size_t i = 0; i < selected.size(); ++i) {
    impl_->rules[i].rule = selected[i];
    if (selected[i]->keywords.empty()) impl_->always.push_back(i);
    for (const std::string& k : selected[i]->keywords) {
      auto it = std::find(impl_->keywords.begin(), impl_->keywords.end(), k);
      std::size_t idx = static_cast<std::size_t>(it - impl_->keywords.begin());
      if (it == impl_->keywords.end()) {
        impl_->keywords.push_back(k);
        impl_->keyword_rules.emplace_back();
      }
      impl_->keyword_rules[idx].push_back(i);
    }
  }
  for (const std::string& re : s.allow_regexes) {
    auto compiled = std::make_unique<RE2>(re, quiet());
    if (!compiled->ok()) throw ConfigError("secrets.allowlist.regexes: invalid regex: " + compiled->error());
    impl_->allow_regexes.push_back(std::move(compiled));
  }
}

Detector::~Detector() = default;

const Settings& Detector::settings() const { return impl_->settings; }

std::vector<Finding> Detector::scan(std::string_view text) const {
  std::vector<Finding> found;
  if (text.size() < 8) return found;
  std::vector<bool> run = impl_->candidates(text);
  for (std::size_t i = 0; i < impl_->rules.size(); ++i)
    if (run[i]) impl_->scan_rule(impl_->rules[i], text, found);
  if (found.size() < 2) return found;
  // Resolve overlaps: token formats beat `name = value`, then the longer span wins.
  std::sort(found.begin(), found.end(), [](const Finding& a, const Finding& b) {
    return a.start != b.start ? a.start < b.start : (a.end - a.start) > (b.end - b.start);
  });
  std::vector<Finding> kept;
  for (Finding& f : found) {
    if (!kept.empty() && f.start < kept.back().end) {
      Finding& prev = kept.back();
      bool better = (prev.generic && !f.generic) ||
                    (prev.generic == f.generic && (f.end - f.start) > (prev.end - prev.start));
      if (better) prev = std::move(f);
      continue;
    }
    kept.push_back(std::move(f));
  }
  return kept;
}

const Detector& detector_for(const Config* config) {
  // Detectors are kept for the life of the process: a caller may hold a
  // reference while another config is in use (tests, `preloop-hook test`).
  static std::mutex mu;
  static std::vector<std::pair<std::string, std::unique_ptr<Detector>>> built;
  std::lock_guard<std::mutex> lock(mu);
  YAML::Node section = config ? config->section("secrets") : YAML::Node();
  std::string key = (!section.IsDefined() || section.IsNull()) ? std::string() : YAML::Dump(section);
  for (const auto& [k, d] : built)
    if (k == key) return *d;
  auto d = key.empty() ? std::make_unique<Detector>() : std::make_unique<Detector>(parse_settings(section));
  built.emplace_back(std::move(key), std::move(d));
  return *built.back().second;
}

}  // namespace preloop::secrets
