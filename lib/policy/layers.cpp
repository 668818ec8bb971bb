#include "policy/layers.h"

#include <algorithm>

#include "config/paths.h"
#include "packs/packs.h"
#include "policy/loader.h"

namespace preloop::policy {
namespace fs = std::filesystem;
namespace {

void load_dir(PolicySet& set, const std::string& layer, const std::vector<fs::path>& files, bool honour_allow) {
  LayerDocs docs{layer, {}, honour_allow};
  for (const auto& f : files) {
    docs.docs.push_back(load_document_file(f, set.diags));
    set.files.push_back(layer + ": " + f.string());
  }
  if (!docs.docs.empty()) set.engine.add_layer(std::move(docs));
}

}  // namespace

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
  if (!opt.packs_only) {
    load_dir(set, "managed", policy_files_in(paths::managed_dir() / "rules"), true);
    std::vector<fs::path> synced;
    for (const char* n : {"policy.json", "policy.yaml"})
      if (std::error_code ec; fs::exists(paths::synced_dir() / n, ec)) synced.push_back(paths::synced_dir() / n);
    load_dir(set, "synced", synced, true);
    load_dir(set, "user", policy_files_in(paths::user_rules_dir()), true);
    if (!opt.project_dir.empty()) {
      fs::path proj = paths::project_dir(opt.project_dir);
      load_dir(set, "project", policy_files_in(proj), is_trusted_project(config, opt.project_dir));
    }
    load_dir(set, "cli", opt.extra_files, true);
  }
  std::string profile = opt.profile.empty() ? config.profile : opt.profile;
  LayerDocs packs{"pack:" + profile, load_packs(profile, set.diags), true};
  for (const auto& d : packs.docs) set.files.push_back("pack: " + d.file);
  if (!packs.docs.empty()) set.engine.add_layer(std::move(packs));
  return set;
}

}  // namespace preloop::policy
