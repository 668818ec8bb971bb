#include "secrets/detector.h"

#include <algorithm>
#include <cctype>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include <re2/re2.h>

#include "config/config.h"
#include "secrets/checks.h"
#include "secrets/filters.h"
#include "secrets/keywords.h"
#include "secrets/spans.h"

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

  // Where each rule's keywords occur in text; rules without keywords get an
  // empty list, rules whose keywords do not occur none (std::nullopt).
  std::vector<std::optional<std::vector<std::size_t>>> candidates(std::string_view text) const {
    std::vector<std::optional<std::vector<std::size_t>>> run(rules.size());
    for (std::size_t i : always) run[i].emplace();
    for (const KeywordHit& h : keyword_matcher().find_all(text))
      for (std::size_t r : keyword_rules[h.keyword]) {
        auto& at = run[r];
        if (!at) at.emplace();
        if (rules[r].rule->reach != Reach::Text && (at->empty() || at->back() != h.pos)) at->push_back(h.pos);
      }
    return run;
  }

  // Runs a rule over text as its Reach allows, given where its keywords are.
  void scan_rule(const CompiledRule& cr, std::string_view text, const std::vector<std::size_t>& at,
                 std::vector<Finding>& out) const {
    const RE2& re = cr.regex();
    if (!re.ok()) throw ConfigError("secrets: pattern '" + cr.rule->id + "' does not compile: " + re.error());
    Searcher s{*this, cr, re, text, std::vector<re2::StringPiece>(static_cast<std::size_t>(re.NumberOfCapturingGroups() + 1)), out};
    switch (cr.rule->reach) {
      case Reach::Text:
        s.search(0, text.size(), RE2::UNANCHORED);
        break;
      case Reach::Line:
        for (const Span& span : line_spans(text, at)) s.search(span.begin, span.end, RE2::UNANCHORED);
        break;
      case Reach::Keyword:
        for (std::size_t p : at) s.search(p, text.size(), RE2::ANCHOR_START);
        break;
      case Reach::Name: {
        const std::size_t none = text.size() + 1;
        std::size_t tried = none, last = none, last_start = none;
        for (std::size_t p : at) {
          if (p < s.pos) continue;  // a match from pos on holds a keyword that starts there too
          // The run's start; walking back no further than the last keyword
          // (the same run then) keeps long runs of name characters linear.
          std::size_t start;
          if (last != none && last >= s.pos) {
            start = name_start(text, p, last);
            if (start == last) start = std::max(last_start, s.pos);
          } else {
            start = name_start(text, p, s.pos);
          }
          last = p;
          last_start = start;
          if (start == tried) continue;
          tried = start;
          s.search(start, text.size(), RE2::ANCHOR_START);
        }
        break;
      }
    }
  }

  // The matches of one rule in text[begin, end), left to right and not
  // overlapping (pos carries over between calls); the whole text is the
  // context for \b, ^ and $.
  struct Searcher {
    const Impl& impl;
    const CompiledRule& cr;
    const RE2& re;
    std::string_view text;
    std::vector<re2::StringPiece> groups;
    std::vector<Finding>& out;
    std::size_t pos = 0;

    void search(std::size_t begin, std::size_t end, RE2::Anchor anchor) {
      if (anchor == RE2::ANCHOR_START && pos > begin) return;  // inside the last match
      if (pos < begin) pos = begin;
      const int ngroups = static_cast<int>(groups.size());
      const re2::StringPiece input(text.data(), text.size());
      while (pos <= end && re.Match(input, pos, end, anchor, groups.data(), ngroups)) {
        std::size_t mstart = static_cast<std::size_t>(groups[0].data() - text.data());
        std::size_t mend = mstart + groups[0].size();
        pos = mend > mstart ? mend : mend + 1;
        Match m{text, groups, *cr.rule};
        std::optional<Finding> f = evaluate(m);
        if (f && !impl.allowlisted(text.substr(f->start, f->end - f->start))) out.push_back(std::move(*f));
        if (anchor == RE2::ANCHOR_START) break;
      }
    }
  };
};

Detector::Detector(Settings settings) : impl_(std::make_unique<Impl>()) {
  impl_->settings = std::move(settings);
  const Settings& s = impl_->settings;
  std::vector<const Rule*> selected;
  for (const Rule& r : builtin_rules())
    if (std::find(s.disabled.begin(), s.disabled.end(), r.id) == s.disabled.end()) selected.push_back(&r);
  for (const Rule& r : s.patterns) selected.push_back(&r);
  impl_->rules = std::vector<CompiledRule>(selected.size());
  std::unordered_map<std::string_view, std::size_t> keyword_index;
  for (std::size_t i = 0; i < selected.size(); ++i) {
    impl_->rules[i].rule = selected[i];
    if (selected[i]->keywords.empty()) impl_->always.push_back(i);
    for (const std::string& k : selected[i]->keywords) {
      auto [it, added] = keyword_index.try_emplace(k, impl_->keywords.size());
      if (added) {
        impl_->keywords.push_back(k);
        impl_->keyword_rules.emplace_back();
      }
      impl_->keyword_rules[it->second].push_back(i);
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
  const auto run = impl_->candidates(text);
  for (std::size_t i = 0; i < impl_->rules.size(); ++i)
    if (run[i]) impl_->scan_rule(impl_->rules[i], text, *run[i], found);
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
