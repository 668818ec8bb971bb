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

PolicyInputs policy_inputs(const Config& config, const LoadOptions& opt) {
  PolicyInputs in;
  in.profile = opt.profile.empty() ? config.profile : opt.profile;
  auto& files = in.files;
  if (opt.packs_only) return in;
  for (const auto& f : policy_files_in(paths::managed_rules_dir())) files.emplace_back("managed", f);
  for (const char* n : {"policy.json", "policy.yaml"})
    if (std::error_code ec; fs::exists(paths::synced_dir() / n, ec)) files.emplace_back("synced", paths::synced_dir() / n);
  for (const auto& f : policy_files_in(paths::user_rules_dir())) files.emplace_back("user", f);
  if (!opt.project_dir.empty()) {
    for (const auto& f : policy_files_in(paths::project_dir(opt.project_dir))) files.emplace_back("project", f);
    in.trusted = is_trusted_project(config, opt.project_dir);
  }
  for (const auto& f : opt.extra_files) files.emplace_back("cli", f);
  return in;
}

std::string policy_signature(const PolicyInputs& in) {
  return input_signature(in.files, "profile=" + in.profile + " trusted=" + std::to_string(in.trusted) +
                                       " packs=" + std::to_string(packs::fingerprint()));
}

PolicySet load_policy_set(const Config& config, const LoadOptions& opt) {
  PolicySet set;
  set.inputs = policy_inputs(config, opt);
  const std::string& profile = set.inputs.profile;
  const auto& files = set.inputs.files;
  const bool trusted = set.inputs.trusted;
  for (const auto& [layer, f] : files) set.files.push_back(layer + ": " + f.string());

  std::string cache_dir;
  bool use_cache = opt.use_cache;
  if (use_cache) {
    set.signature = policy_signature(set.inputs);
    use_cache = !set.signature.empty();
  }
  const std::string& signature = set.signature;
  if (use_cache) {
    cache_dir = paths::policy_cache_dir().string();
    if (auto layers = read_cached(cache_dir, signature)) {
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
    write_cached(cache_dir, signature, layers);
  }
  for (auto& l : layers) set.engine.add_layer(std::move(l));
  return set;
}

}  // namespace preloop::policy
