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
  Rule rule;
  bool enabled = true;
  mutable std::once_flag once;
  mutable std::unique_ptr<RE2> re;
  const RE2& regex() const {
    std::call_once(once, [this] {
      RE2::Options o;
      o.set_log_errors(false);
      o.set_max_mem(32 << 20);
      re = std::make_unique<RE2>(re2::StringPiece(rule.regex.data(), rule.regex.size()), o);
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
  std::vector<CompiledRule> rules;                 // every built-in (disabled ones off), then the user patterns
  std::vector<std::string> user_keywords;          // distinct keywords of the user patterns
  std::vector<std::vector<std::size_t>> user_keyword_rules;  // user keyword -> rule indexes
  std::vector<std::size_t> always;                 // rules without keywords
  mutable std::once_flag matcher_once;
  mutable std::unique_ptr<KeywordMatcher> user_matcher;
  std::vector<std::unique_ptr<RE2>> allow_regexes;

  const KeywordMatcher& user_keyword_matcher() const {
    std::call_once(matcher_once, [this] { user_matcher = std::make_unique<KeywordMatcher>(user_keywords); });
    return *user_matcher;
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
    auto add = [&](std::size_t r, std::size_t pos) {
      if (!rules[r].enabled) return;
      auto& at = run[r];
      if (!at) at.emplace();
      if (rules[r].rule.reach != Reach::Text && (at->empty() || at->back() != pos)) at->push_back(pos);
    };
    for (const KeywordHit& h : keyword_tables::find_all(builtin_keywords(), text))
      for (std::size_t r : builtin_keyword_rules(h.keyword)) add(r, h.pos);
    if (!user_keywords.empty())
      for (const KeywordHit& h : user_keyword_matcher().find_all(text))
        for (std::size_t r : user_keyword_rules[h.keyword]) add(r, h.pos);
    return run;
  }

  // Runs a rule over text as its Reach allows, given where its keywords are.
  void scan_rule(const CompiledRule& cr, std::string_view text, const std::vector<std::size_t>& at,
                 std::vector<Finding>& out) const {
    const RE2& re = cr.regex();
    if (!re.ok())
      throw ConfigError("secrets: pattern '" + std::string(cr.rule.id) + "' does not compile: " + re.error());
    Searcher s{*this, cr, re, text, std::vector<re2::StringPiece>(static_cast<std::size_t>(re.NumberOfCapturingGroups() + 1)), out};
    switch (cr.rule.reach) {
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
        Match m{text, groups, cr.rule};
        std::optional<Finding> f = evaluate(m);
        if (f && !impl.allowlisted(text.substr(f->start, f->end - f->start))) out.push_back(std::move(*f));
        if (anchor == RE2::ANCHOR_START) break;
      }
    }
  };
};

Detector::Detector(Settings settings) : impl_(std::make_unique<Impl>()) {
  impl_->settings = std::move(settings);
  const Settings& s = impl_->settings;  // not changed from here on: user rules view its patterns
  const auto builtins = builtin_rules();
  impl_->rules = std::vector<CompiledRule>(builtins.size() + s.patterns.size());
  for (std::size_t i = 0; i < builtins.size(); ++i) {
    impl_->rules[i].rule = builtins[i];
    impl_->rules[i].enabled = std::find(s.disabled.begin(), s.disabled.end(), builtins[i].id) == s.disabled.end();
    if (builtins[i].keywords.empty()) impl_->always.push_back(i);
  }
  std::unordered_map<std::string_view, std::size_t> keyword_index;
  for (std::size_t p = 0; p < s.patterns.size(); ++p) {
    const std::size_t i = builtins.size() + p;
    impl_->rules[i].rule = s.patterns[p].rule();
    if (s.patterns[p].keywords.empty()) impl_->always.push_back(i);
    for_each_keyword(s.patterns[p].keywords, [&](std::string_view k) {
      auto [it, added] = keyword_index.try_emplace(k, impl_->user_keywords.size());
      if (added) {
        impl_->user_keywords.emplace_back(k);
        impl_->user_keyword_rules.emplace_back();
      }
      impl_->user_keyword_rules[it->second].push_back(i);
    });
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
  std::string key = config ? config->section_text("secrets") : std::string();
  for (const auto& [k, d] : built)
    if (k == key) return *d;
  auto d = key.empty() ? std::make_unique<Detector>() : std::make_unique<Detector>(parse_settings(config->section("secrets")));
  built.emplace_back(std::move(key), std::move(d));
  return *built.back().second;
}

}  // namespace preloop::secrets
