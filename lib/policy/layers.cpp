#include "policy/layers.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include "config/paths.h"
#include "packs/packs.h"
#include "policy/cache.h"
#include "policy/claude_permissions.h"
#include "policy/loader.h"
#include "policy/prefilter_annotate.h"

namespace preloop::policy {
namespace fs = std::filesystem;

std::vector<fs::path> policy_files_in(const fs::path& dir) {
  std::vector<fs::path> out;
  // readdir() rather than directory_iterator: this runs on every hook call.
  DIR* d = ::opendir(dir.c_str());
  if (!d) return out;
  std::vector<std::string> names;
  while (const dirent* e = ::readdir(d)) {
    const std::string_view name = e->d_name;
    if (name.empty() || name[0] == '.') continue;
    const auto dot = name.rfind('.');
    const std::string_view ext = dot == std::string_view::npos ? std::string_view() : name.substr(dot);
    if (ext != ".yaml" && ext != ".yml" && ext != ".json") continue;
    if (name == "config.yaml") continue;  // preloop-hook settings, not a policy
    names.emplace_back(name);
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  std::string base = dir.string();
  if (!base.empty() && base.back() != '/') base += '/';
  out.reserve(names.size());
  for (const auto& n : names) out.emplace_back(base + n);
  return out;
}

bool is_trusted_project(const Config& config, const fs::path& dir) {
  if (config.trusted_projects.empty()) return false;  // spares resolving dir on every call
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
  // Claude Code's own permission rules, each settings file a layer (opt-in).
  const bool claude_layers = config.claude_permissions;
  auto claude = [&](const char* layer, const auto& file_of) {
    if (!claude_layers) return;  // nothing built or looked up: the common case
    const fs::path f = file_of();
    if (std::error_code ec; fs::exists(f, ec)) files.emplace_back(layer, f);
  };
  claude("claude-managed", [] { return paths::claude_managed_dir() / "managed-settings.json"; });
  for (const char* n : {"policy.json", "policy.yaml"})
    if (std::error_code ec; fs::exists(paths::synced_dir() / n, ec)) files.emplace_back("synced", paths::synced_dir() / n);
  if (opt.user_files) {
    for (const auto& f : *opt.user_files) files.emplace_back("user", f);
  } else {
    for (const auto& f : policy_files_in(paths::user_rules_dir())) files.emplace_back("user", f);
  }
  claude("claude-user", [] { return paths::claude_user_dir() / "settings.json"; });
  if (!opt.project_dir.empty()) {
    for (const auto& f : policy_files_in(paths::project_dir(opt.project_dir))) files.emplace_back("project", f);
    claude("claude-project", [&] { return fs::path(opt.project_dir) / ".claude" / "settings.json"; });
    claude("claude-local", [&] { return fs::path(opt.project_dir) / ".claude" / "settings.local.json"; });
    in.trusted = is_trusted_project(config, opt.project_dir);
  }
  for (const auto& f : opt.extra_files) files.emplace_back("cli", f);
  return in;
}

namespace {

using Files = std::vector<std::pair<std::string, fs::path>>;

std::string packs_key(const std::string& profile) {
  return "profile=" + profile + " packs=" + std::to_string(packs::fingerprint());
}

std::string trust_key(bool trusted) { return "trusted=" + std::to_string(trusted); }

bool is_managed(const std::string& layer) { return layer == "managed" || layer == "claude-managed"; }

// A layer the project controls: its allow rules need the project's trust.
bool is_project(const std::string& layer) {
  return layer == "project" || layer == "claude-project" || layer == "claude-local";
}

// The managed layers' files, or every other one.
Files split(const Files& files, bool managed) {
  Files out;
  for (const auto& f : files)
    if (is_managed(f.first) == managed) out.push_back(f);
  return out;
}

// Claude Code's settings file as a policy document.
Document claude_document(const fs::path& f, const fs::path& project_root, const fs::path& within,
                         std::vector<Diagnostic>& diags) {
  try {
    return claude_permissions_document(read_file_safely(f, file_rules::kPolicy, within).text, f.string(),
                                       project_root, diags);
  } catch (const FileError& e) {
    diags.push_back({Diagnostic::Severity::Error, {f.string(), 0, 0}, std::string("cannot read settings file: ") + e.what(), {}});
    Document d;
    d.file = f.string();
    return d;
  }
}

struct Part {
  Files files;
  bool trusted = true;
  std::string profile;   // packs of this profile are part of it; empty: none
  fs::path project_dir;  // a project's files must lie inside it
};

// A project's files must lie inside the project: a link from a cloned
// repository to a file elsewhere (a device, a private file) is refused.
fs::path real_project_root(const fs::path& project_dir) {
  if (project_dir.empty()) return {};
  std::error_code ec;
  fs::path root = fs::canonical(project_dir, ec);
  return ec ? project_dir.lexically_normal() : root;
}

// The layers of a part: from the snapshot in `dir` when one matches, else
// parsed (and saved there when `save`).
std::vector<LayerDocs> layers_of(const Part& part, const fs::path& dir, const std::string& extra,
                                 const std::string& signature, bool save, unsigned mode, PolicySet& set,
                                 const CallFilter* only = nullptr) {
  std::optional<snapshot::Key> key;
  if (!signature.empty()) {
    key = snapshot_key(part.files, extra, signature);
    if (auto layers = read_cached(dir, *key, only)) return std::move(*layers);
  }
  std::vector<LayerDocs> layers;
  const fs::path project_root = real_project_root(part.project_dir);
  for (const auto& [layer, f] : part.files) {
    if (layers.empty() || layers.back().name != layer)
      layers.push_back({layer, {}, !is_project(layer) || part.trusted});
    if (layer.rfind("claude-", 0) == 0)
      layers.back().docs.push_back(
          claude_document(f, part.project_dir, is_project(layer) ? project_root : fs::path(), set.diags));
    else if (layer == "project")
      layers.back().docs.push_back(load_document_file(f, set.diags, file_rules::kPolicy, project_root));
    else
      layers.back().docs.push_back(
          load_document_file(f, set.diags, layer == "synced" ? file_rules::kSyncedPolicy : file_rules::kPolicy));
  }
  if (!part.profile.empty()) {
    LayerDocs packs{"pack:" + part.profile, load_packs(part.profile, set.diags), true};
    for (const auto& d : packs.docs) set.files.push_back("pack: " + d.file);
    if (!packs.docs.empty()) layers.push_back(std::move(packs));
  }
  if (save && key && !has_errors(set.diags)) {
    annotate_prefilters(layers);  // so that hook processes skip conditions without compiling them
    write_cached(dir, *key, layers, mode);
    if (mode & 0044) {  // for every user's hook to read, whatever the umask
      ::chmod(dir.parent_path().c_str(), 0755);
      ::chmod(dir.c_str(), 0755);
    }
  }
  return layers;
}

}  // namespace

PolicySignatures policy_signatures(const PolicyInputs& in) {
  return {input_signature(split(in.files, true), packs_key(in.profile)),
          input_signature(split(in.files, false), trust_key(in.trusted))};
}

std::string policy_signature(const PolicyInputs& in) { return policy_signatures(in).combined(); }

bool managed_mode() {
  struct stat st {};
  return ::stat(paths::managed_dir().c_str(), &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == 0 &&
         !(st.st_mode & (S_IWGRP | S_IWOTH));
}

fs::path managed_snapshot_dir(const std::string& profile) { return paths::managed_dir() / "cache" / profile; }

EngineSettings engine_settings(const Config& config) {
  return {.observe = config.observe, .allow_tuning = config.allow_tuning, .pin_enforce = config.pin_enforce};
}

PolicySet load_policy_set(const Config& config, const LoadOptions& opt) {
  PolicySet set;
  set.engine.configure(engine_settings(config));
  set.inputs = policy_inputs(config, opt);
  const PolicyInputs& in = set.inputs;
  for (const auto& [layer, f] : in.files) set.files.push_back(layer + ": " + f.string());
  if (!opt.use_cache) {
    for (auto& l : layers_of({in.files, in.trusted, in.profile, opt.project_dir}, {}, "", "", false, 0600, set))
      set.engine.add_layer(std::move(l));
    return set;
  }
  PolicySignatures sig = policy_signatures(in);
  set.signature = sig.combined();
  std::optional<CallFilter> filter;
  if (opt.only_call) {
    filter = CallFilter{ToolName::parse(opt.only_call->tool_name), opt.call_facts};
    set.engine.restrict_to(opt.only_call);
  }
  const CallFilter* only = filter ? &*filter : nullptr;
  std::vector<LayerDocs> layers;
  if (!managed_mode()) {
    // One snapshot of every layer in the user's data directory.
    layers = layers_of({in.files, in.trusted, in.profile, opt.project_dir}, paths::cache_dir(),
                       packs_key(in.profile) + " " + trust_key(in.trusted), set.signature, true, 0600, set, only);
  } else {
    // The managed layer and the packs from root's snapshot (only root saves it),
    // the others from the user's: a forged user snapshot can only hold what the
    // user could write into the user's own policy files anyway.
    bool root = ::geteuid() == 0;
    auto managed = layers_of({split(in.files, true), true, in.profile, {}}, managed_snapshot_dir(in.profile),
                             packs_key(in.profile), sig.managed, root, 0644, set, only);
    auto rest = layers_of({split(in.files, false), in.trusted, "", opt.project_dir}, paths::cache_dir(),
                          trust_key(in.trusted), sig.rest, true, 0600, set, only);
    // Layer order as in one snapshot: managed, the others, then the packs.
    auto packs_first = std::find_if(managed.begin(), managed.end(),
                                    [](const LayerDocs& l) { return l.name.rfind("pack:", 0) == 0; });
    layers.insert(layers.end(), std::make_move_iterator(managed.begin()), std::make_move_iterator(packs_first));
    layers.insert(layers.end(), std::make_move_iterator(rest.begin()), std::make_move_iterator(rest.end()));
    layers.insert(layers.end(), std::make_move_iterator(packs_first), std::make_move_iterator(managed.end()));
  }
  for (auto& l : layers) set.engine.add_layer(std::move(l));
  return set;
}

std::vector<Diagnostic> compile_managed_snapshots(const Config& config) {
  std::vector<Diagnostic> problems;
  for (const char* profile : {"off", "recommended", "strict"}) {
    LoadOptions opt;
    opt.profile = profile;
    PolicyInputs in = policy_inputs(config, opt);
    PolicySet set;
    layers_of({split(in.files, true), true, in.profile, {}}, managed_snapshot_dir(profile), packs_key(in.profile),
              policy_signatures(in).managed, true, 0644, set);
    for (auto& d : set.diags)
      if (d.severity == Diagnostic::Severity::Error) problems.push_back(std::move(d));
  }
  return problems;
}

bool managed_snapshot_current(const PolicyInputs& in) {
  std::string sig = policy_signatures(in).managed;
  return !sig.empty() &&
         read_cached(managed_snapshot_dir(in.profile), snapshot_key(split(in.files, true), packs_key(in.profile), sig))
             .has_value();
}

}  // namespace preloop::policy
