#include "secrets/redact.h"

#include <algorithm>
#include <cctype>

#include <nlohmann/json.hpp>

#include "secrets/detector.h"
#include "secrets/filters.h"
#include "secrets/marker.h"
#include "secrets/views.h"

namespace preloop::secrets {
namespace {

bool is_marker(std::string_view s) { return s.starts_with("[REDACTED:") && s.ends_with("]"); }

// Marker kind for a whole value masked because of its key name: the key,
// reduced to [a-z0-9_-].
std::string field_kind(std::string_view key) {
  std::string k;
  for (unsigned char c : key.substr(0, 32)) {
    c = static_cast<unsigned char>(std::tolower(c));
    if (std::isalnum(c) || c == '_' || c == '-') k.push_back(static_cast<char>(c));
  }
  return k.empty() ? "secret" : k;
}

struct Redactor {
  const Detector& detector;
  std::string_view session;
  std::size_t count = 0;

  void whole(nlohmann::json& v, const std::string& kind) {
    if (v.is_string()) {
      const std::string& s = v.get_ref<const std::string&>();
      if (s.empty() || is_marker(s)) return;
      v = marker(kind, s, session);
      ++count;
    } else if (v.is_array()) {
      for (auto& item : v) whole(item, kind);
    } else if (v.is_object()) {
      for (auto& [k, item] : v.items()) whole(item, kind);
    }
  }

  void mask(std::string& s) {
    std::vector<Finding> found = detector.scan(s);
    add_view_findings(detector, s, kAllViews, found);
    apply_masks(s, found, session);
    count += found.size();
  }

  void walk(nlohmann::json& v) {
    if (v.is_string()) {
      mask(v.get_ref<std::string&>());
    } else if (v.is_array()) {
      for (auto& item : v) walk(item);
    } else if (v.is_object()) {
      for (auto& [k, item] : v.items()) {
        if (is_secret_key_name(k) && !(item.is_string() && is_placeholder(item.get_ref<const std::string&>())))
          whole(item, field_kind(k));
        else
          walk(item);
      }
      // Keys are data too: a secret used as a key is masked in the key.
      std::vector<std::pair<std::string, std::string>> renames;
      for (auto& [k, item] : v.items()) {
        std::string key = k;
        std::size_t before = count;
        mask(key);
        if (count != before) renames.emplace_back(k, std::move(key));
      }
      for (auto& [from, to] : renames) {
        nlohmann::json value = std::move(v[from]);
        v.erase(from);
        v[to] = std::move(value);
      }
    }
  }
};

}  // namespace

bool is_secret_key_name(std::string_view key) {
  std::string l(key);
  std::transform(l.begin(), l.end(), l.begin(), [](unsigned char c) { return std::tolower(c); });
  if (l == "key") return false;  // a map/cache/object key far more often than a credential
  return secret_name(key);
}

std::size_t redact_text(std::string& text, const RedactOptions& options) {
  const Detector& d = detector_for(options.config);
  std::vector<Finding> found = d.scan(text);
  add_view_findings(d, text, kJoined | kBlockScalars | kEncoded, found);
  apply_masks(text, found, options.session_id);
  return found.size();
}

std::size_t redact_json(nlohmann::json& value, const RedactOptions& options) {
  Redactor r{detector_for(options.config), options.session_id};
  r.walk(value);
  return r.count;
}

}  // namespace preloop::secrets
