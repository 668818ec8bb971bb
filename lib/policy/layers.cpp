#include "policy/layers.h"

#include <algorithm>

#include "config/paths.h"
#include "packs/packs.h"
#include "policy/cache.h"
#include "policy/loader.h"
#include "policy/prefilter_annotate.h"

namespace preloop::policy {
namespace fs = std::filesystem;

std::vector<fs::path> policy_files_in(const fs::path& dir) {
  std::vector<fs::path> out;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return out;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    auto name = e.path().filename().string();
    auto ext = e.path().extension().string();
    if (name.empty() || name[0] == '.') continue;
    if (ext != ".yaml" && ext != ".yml" && ext != ".json") continue;
    if (name == "config.yaml") continue;  // preloop-hook settings, not a policy
    out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool is_trusted_project(const Config& config, const fs::path& dir) {
  std::error_code ec;
  fs::path real = fs::weakly_canonical(dir, ec);
  if (ec) real = dir.lexically_normal();
  for (const auto& t : config.trusted_projects) {
    fs::path tr = fs::weakly_canonical(t, ec);
    if (ec) tr = t;
    auto rel = real.lexically_relative(tr);
    if (!rel.empty() && *rel.begin() != "..") return true;
  }
  return false;
}

std::vector<Document> load_packs(const std::string& profile, std::vector<Diagnostic>& diags) {
  std::vector<Document> out;
  if (profile == "off") return out;
  for (const auto& p : packs::all()) {
    Document d = load_document_text(p.text, std::string(p.file), diags);
    if (std::find(d.profiles.begin(), d.profiles.end(), profile) != d.profiles.end()) out.push_back(std::move(d));
  }
  return out;
}

PolicySet load_policy_set(const Config& config, const LoadOptions& opt) {
  PolicySet set;
  std::string profile = opt.profile.empty() ? config.profile : opt.profile;
  std::vector<std::pair<std::string, fs::path>> files;
  bool trusted = true;
  if (!opt.packs_only) {
    for (const auto& f : policy_files_in(paths::managed_dir() / "rules")) files.emplace_back("managed", f);
    for (const char* n : {"policy.json", "policy.yaml"})
      if (std::error_code ec; fs::exists(paths::synced_dir() / n, ec)) files.emplace_back("synced", paths::synced_dir() / n);
    for (const auto& f : policy_files_in(paths::user_rules_dir())) files.emplace_back("user", f);
    if (!opt.project_dir.empty()) {
      for (const auto& f : policy_files_in(paths::project_dir(opt.project_dir))) files.emplace_back("project", f);
      trusted = is_trusted_project(config, opt.project_dir);
    }
    for (const auto& f : opt.extra_files) files.emplace_back("cli", f);
  }
  for (const auto& [layer, f] : files) set.files.push_back(layer + ": " + f.string());

  std::optional<snapshot::Key> key;
  fs::path cache_dir;
  if (opt.use_cache)
    key = snapshot::make_key("policy", files, "profile=" + profile + " trusted=" + std::to_string(trusted) +
                                                  " packs=" + std::to_string(packs::fingerprint()));
  const bool use_cache = key.has_value();
  if (use_cache) {
    cache_dir = paths::cache_dir();
    if (auto layers = read_cached(cache_dir, *key)) {
      for (auto& l : *layers) set.engine.add_layer(std::move(l));
      return set;
    }
  }

  std::vector<LayerDocs> layers;
  for (const auto& [layer, f] : files) {
    if (layers.empty() || layers.back().name != layer) layers.push_back({layer, {}, layer != "project" || trusted});
    layers.back().docs.push_back(load_document_file(f, set.diags));
  }
  LayerDocs packs{"pack:" + profile, load_packs(profile, set.diags), true};
  for (const auto& d : packs.docs) set.files.push_back("pack: " + d.file);
  if (!packs.docs.empty()) layers.push_back(std::move(packs));
  if (use_cache && !has_errors(set.diags)) {
    annotate_prefilters(layers);  // so that hook processes skip conditions without compiling them
    write_cached(cache_dir, *key, layers);
  }
  for (auto& l : layers) set.engine.add_layer(std::move(l));
  return set;
}

}  // namespace preloop::policy
