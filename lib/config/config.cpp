#include "config/config.h"

#include <algorithm>
#include <cstdlib>
#include <set>

#include "config/paths.h"
#include "config/safe_file.h"
#include "config/snapshot.h"
#include "config/suggest.h"

namespace preloop {
namespace fs = std::filesystem;
namespace {

const std::set<std::string> kKnownKeys = {
    "fail_mode", "max_input_bytes", "profile", "trusted_projects", "identity", "hook_timeout_seconds",
    "audit", "approval", "sync", "secrets", "shell", "tamper", "policy"};

std::string where(const fs::path& file, const YAML::Mark& m) {
  return file.string() + ":" + std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1);
}

[[noreturn]] void fail(const fs::path& file, const YAML::Node& n, const std::string& msg) {
  throw ConfigError(where(file, n.Mark()) + ": " + msg);
}

YAML::Node parse_file(const fs::path& file) {
  std::string text;
  try {
    text = read_file_safely(file, file_rules::kConfig).text;
  } catch (const FileError& e) {
    throw ConfigError(std::string("cannot read config file: ") + e.what());
  }
  try {
    YAML::Node n = YAML::Load(text);
    if (n.IsNull()) return YAML::Node(YAML::NodeType::Map);
    if (!n.IsMap()) fail(file, n, "config must be a mapping of settings");
    return n;
  } catch (const YAML::Exception& e) {
    throw ConfigError(where(file, e.mark) + ": " + e.msg);
  }
}

// Managed (later) keys override earlier ones; nested mappings merge key by key.
void merge_into(YAML::Node& base, const YAML::Node& over) {
  // Range-for binds each key/value pair by value: yaml-cpp's iterator `->`
  // points into a temporary (a use-after-scope under ASan).
  for (const auto& kv : over) {
    auto key = kv.first.as<std::string>();
    YAML::Node existing = base[key];
    if (existing.IsMap() && kv.second.IsMap()) {
      merge_into(existing, kv.second);
    } else {
      base[key] = kv.second;
    }
  }
}

template <typename T>
T scalar(const fs::path& file, const YAML::Node& n, const char* key, const char* what) {
  if (!n.IsScalar()) fail(file, n, std::string("'") + key + "' must be " + what);
  try {
    return n.as<T>();
  } catch (const YAML::Exception&) {
    fail(file, n, std::string("'") + key + "' must be " + what + ", got '" + n.Scalar() + "'");
  }
}

// policy: mode, allow_tuning, pin_enforce.
void apply_policy(Config& c, const fs::path& file, const YAML::Node& v) {
  static const std::set<std::string> known = {"mode", "allow_tuning", "pin_enforce", "claude_permissions"};
  if (!v.IsMap()) fail(file, v, "'policy' must be a mapping");
  for (const auto& kv : v) {
    auto name = kv.first.as<std::string>();
    if (!known.count(name)) fail(file, kv.first, "unknown setting 'policy." + name + "'" + did_you_mean(name, known));
    if (name == "mode") {
      auto s = scalar<std::string>(file, kv.second, "policy.mode", "'enforce' or 'observe'");
      if (s != "enforce" && s != "observe")
        fail(file, kv.second, "'policy.mode' must be 'enforce' or 'observe', got '" + s + "'");
      c.observe = s == "observe";
    } else if (name == "allow_tuning") {
      c.allow_tuning = scalar<bool>(file, kv.second, "policy.allow_tuning", "true or false");
    } else if (name == "claude_permissions") {
      c.claude_permissions = scalar<bool>(file, kv.second, "policy.claude_permissions", "true or false");
    } else {
      c.pin_enforce = scalar<bool>(file, kv.second, "policy.pin_enforce", "true or false");
    }
  }
}

void apply(Config& c, const fs::path& file, const YAML::Node& doc) {
  for (const auto& kv : doc) {
    auto key = kv.first.as<std::string>();
    if (!kKnownKeys.count(key)) fail(file, kv.first, "unknown setting '" + key + "'" + did_you_mean(key, kKnownKeys));
    const YAML::Node& v = kv.second;
    if (key == "fail_mode") {
      auto s = scalar<std::string>(file, v, "fail_mode", "'closed' or 'open'");
      if (s == "closed") c.fail_mode = FailMode::Closed;
      else if (s == "open") c.fail_mode = FailMode::Open;
      else fail(file, v, "'fail_mode' must be 'closed' or 'open', got '" + s + "'");
    } else if (key == "max_input_bytes") {
      auto n = scalar<long long>(file, v, key.c_str(), "a positive number of bytes");
      if (n < 1024) fail(file, v, "'max_input_bytes' must be at least 1024");
      c.max_input_bytes = static_cast<std::size_t>(n);
    } else if (key == "profile") {
      auto s = scalar<std::string>(file, v, "profile", "a profile name");
      if (s != "recommended" && s != "strict" && s != "off")
        fail(file, v, "'profile' must be recommended, strict or off, got '" + s + "'");
      c.profile = s;
    } else if (key == "trusted_projects") {
      if (!v.IsSequence()) fail(file, v, "'trusted_projects' must be a list of directories");
      c.trusted_projects.clear();
      for (const auto& p : v) {
        auto s = scalar<std::string>(file, p, "trusted_projects", "a directory path");
        fs::path dir = paths::expand_user(s);
        if (!dir.is_absolute()) fail(file, p, "trusted project '" + s + "' must be an absolute path");
        c.trusted_projects.push_back(dir.lexically_normal());
      }
    } else if (key == "identity") {
      c.identity = scalar<std::string>(file, v, "identity", "a string");
    } else if (key == "hook_timeout_seconds") {
      int n = scalar<int>(file, v, "hook_timeout_seconds", "a number of seconds");
      if (n < 5 || n > 86400) fail(file, v, "'hook_timeout_seconds' must be between 5 and 86400");
      c.hook_timeout_seconds = n;
    } else if (key == "audit") {
      if (!v.IsMap()) fail(file, v, "'audit' must be a mapping");
      if (v["enabled"]) c.audit_enabled = scalar<bool>(file, v["enabled"], "audit.enabled", "true or false");
      if (v["path"]) c.audit_path = paths::expand_user(scalar<std::string>(file, v["path"], "audit.path", "a file path"));
      if (v["busy_timeout_ms"]) {
        int ms = scalar<int>(file, v["busy_timeout_ms"], "audit.busy_timeout_ms", "a number of milliseconds");
        if (ms < 0) fail(file, v["busy_timeout_ms"], "'audit.busy_timeout_ms' must not be negative");
        c.audit_busy_timeout_ms = ms;
      }
      if (v["mode"]) {
        auto m = scalar<std::string>(file, v["mode"], "audit.mode", "'journal' or 'direct'");
        if (m != "journal" && m != "direct") fail(file, v["mode"], "'audit.mode' must be 'journal' or 'direct'");
        c.audit_direct = m == "direct";
      }
      if (v["forward"]) {
        c.forward_sinks = parse_forward(file, v["forward"]);
        c.audit_forward = !c.forward_sinks.empty();
      }
    } else if (key == "tamper") {
      if (!v.IsMap()) fail(file, v, "'tamper' must be a mapping");
      for (const auto& t : v) {
        auto name = t.first.as<std::string>();
        if (name != "on_weakening")
          fail(file, t.first, "unknown setting 'tamper." + name + "'" + did_you_mean(name, {"on_weakening"}));
        auto s = scalar<std::string>(file, t.second, "tamper.on_weakening", "'ask', 'deny' or 'record'");
        if (s == "ask") c.tamper_on_weakening = TamperAction::Ask;
        else if (s == "deny") c.tamper_on_weakening = TamperAction::Deny;
        else if (s == "record") c.tamper_on_weakening = TamperAction::Record;
        else fail(file, t.second, "'tamper.on_weakening' must be 'ask', 'deny' or 'record', got '" + s + "'");
      }
    } else if (key == "policy") {
      apply_policy(c, file, v);
    } else if (!v.IsMap() && !v.IsNull()) {
      fail(file, v, "'" + key + "' must be a mapping");
    }
  }
}

}  // namespace

const char* to_string(TamperAction a) {
  switch (a) {
    case TamperAction::Record: return "record";
    case TamperAction::Ask: return "ask";
    case TamperAction::Deny: return "deny";
  }
  return "ask";
}

int profile_rank(const std::string& profile) {
  if (profile == "off") return 0;
  if (profile == "recommended") return 1;
  if (profile == "strict") return 2;
  return -1;
}

const YAML::Node Config::section(const std::string& name) const {
  // A missing section is a valid empty node (not yaml-cpp's "zombie", which
  // throws on the next lookup), so callers can chain section("x")["key"].
  if (root.IsMap()) {
    for (const auto& kv : root)
      if (kv.first.Scalar() == name) return kv.second;
    return YAML::Node();
  }
  for (const auto& [n, text] : sections)
    if (n == name) return YAML::Load(text);
  return YAML::Node();
}

std::string Config::section_text(const std::string& name) const {
  if (root.IsMap()) {
    const YAML::Node n = section(name);
    return !n.IsDefined() || n.IsNull() ? std::string() : YAML::Dump(n);
  }
  for (const auto& [n, text] : sections)
    if (n == name) return text;
  return "";
}

int Config::wait_budget_seconds() const {
  // Answer well before Claude Code kills the hook (a killed hook fails open):
  // keep 10 s and 5% of the timeout for start-up, audit and reply.
  int margin = 10 + hook_timeout_seconds / 20;
  return std::max(1, hook_timeout_seconds - margin);
}

namespace {

// Loads one file into c: its settings applied, its document merged.
YAML::Node load_into(Config& c, const fs::path& f) {
  YAML::Node doc = parse_file(f);
  apply(c, f, doc);
  merge_into(c.root, doc);
  c.sources.push_back(f);
  return doc;
}

Config empty_config() {
  Config c;
  c.root = YAML::Node(YAML::NodeType::Map);
  return c;
}

void finish(Config& c) {
  if (c.audit_path.empty()) c.audit_path = paths::default_audit_db();
}

// The managed file over what the user file set: managed keys win, and where
// the user was stricter (profile, tamper.on_weakening) the stricter value stays;
// fail_mode: open from the user file never applies under a managed config.
void load_managed(Config& c, const fs::path& f) {
  const Config user = c;
  const YAML::Node doc = load_into(c, f);
  c.managed = true;
  if (profile_rank(user.profile) > profile_rank(c.profile)) {
    c.profile = user.profile;
  } else if (profile_rank(user.profile) < profile_rank(c.profile)) {
    c.ignored.push_back("profile: " + user.profile + " is ignored: the managed config " + f.string() +
                        " requires " + c.profile + " or stricter");
  }
  // Open only when the managed file itself says so.
  if (user.fail_mode == FailMode::Open && !doc["fail_mode"]) {
    c.fail_mode = FailMode::Closed;
    c.ignored.push_back("fail_mode: open is ignored: a managed config (" + f.string() + ") is in place");
  }
  // Observe mode, rule tuning and observe settings below the managed layer:
  // the user file can only make them stricter.
  const YAML::Node policy = doc["policy"];
  const bool managed_sets = policy && policy.IsMap() && policy["mode"];
  if (user.observe && !managed_sets) {
    c.observe = false;
    c.ignored.push_back("policy.mode: observe is ignored: a managed config (" + f.string() + ") is in place");
  }
  if (c.pin_enforce && c.observe) {
    c.observe = false;
    c.ignored.push_back("policy.mode: observe is ignored: the managed config " + f.string() + " pins enforce");
  }
  c.allow_tuning = c.allow_tuning && user.allow_tuning;
  c.pin_enforce = c.pin_enforce || user.pin_enforce;
  // The managed value, else the default, is the least the user may choose.
  YAML::Node tamper = doc["tamper"];
  TamperAction floor = tamper && tamper.IsMap() && tamper["on_weakening"] ? c.tamper_on_weakening : TamperAction::Ask;
  if (user.tamper_on_weakening >= floor) {
    c.tamper_on_weakening = user.tamper_on_weakening;
  } else {
    c.tamper_on_weakening = floor;
    c.ignored.push_back(std::string("tamper.on_weakening: ") + to_string(user.tamper_on_weakening) +
                        " is ignored: the managed config " + f.string() + " requires " + to_string(floor) +
                        " or stricter");
  }
}

}  // namespace

Config load_config_file(const fs::path& file) {
  Config c = empty_config();
  load_into(c, file);
  finish(c);
  return c;
}

namespace {

// The files load_config() reads, in order: the user's (or PRELOOP_HOOK_CONFIG), then the managed one.
std::vector<fs::path> config_files() {
  std::vector<fs::path> files;
  if (const char* f = std::getenv("PRELOOP_HOOK_CONFIG"); f && *f) {
    files.push_back(f);  // explicit: must exist
  } else if (std::error_code ec; fs::exists(paths::user_config_file(), ec)) {
    files.push_back(paths::user_config_file());
  }
  if (std::error_code ec; fs::exists(paths::managed_config_file(), ec)) files.push_back(paths::managed_config_file());
  return files;
}

// Bump when the payload changes.
constexpr std::string_view kMagic = "PLHCFG03";

}  // namespace

Config load_config() {
  Config c = empty_config();
  for (const auto& f : config_files()) {
    if (f == paths::managed_config_file()) load_managed(c, f);
    else load_into(c, f);
  }
  finish(c);
  return c;
}

Config load_config_cached(const std::function<bool(const Config&)>& sections_valid) {
  const std::vector<fs::path> files = config_files();
  std::vector<std::pair<std::string, fs::path>> inputs;
  for (const auto& f : files) inputs.emplace_back("config", f);
  // Paths in the config expand against the home directory; the default audit store lies in the data directory.
  const auto key = snapshot::make_key("config", inputs, "home=" + paths::home_dir().string() +
                                                            " data=" + paths::data_home().string());
  if (key)
    if (auto data = snapshot::read(paths::cache_dir(), *key))
      if (auto c = deserialize_config(data->view())) return std::move(*c);
  Config c = load_config();
  if (key && sections_valid(c)) snapshot::write(paths::cache_dir(), *key, serialize_config(c));
  return c;
}

std::string serialize_config(const Config& c) {
  snapshot::Writer w;
  w.out.append(kMagic);
  w.u32(c.fail_mode == FailMode::Open);
  w.str(std::to_string(c.max_input_bytes));
  w.str(c.profile);
  std::vector<std::string> list;
  for (const auto& p : c.trusted_projects) list.push_back(p.string());
  w.strs(list);
  w.str(c.identity);
  w.i32(c.hook_timeout_seconds);
  w.u32(c.audit_enabled);
  w.str(c.audit_path.string());
  w.u32(c.audit_direct);
  w.i32(c.audit_busy_timeout_ms);
  w.i32(static_cast<int>(c.tamper_on_weakening));
  w.u32(c.managed);
  w.u32(c.observe | c.allow_tuning << 1 | c.pin_enforce << 2 | c.claude_permissions << 3 | c.audit_forward << 4);
  w.strs(c.ignored);
  list.clear();
  for (const auto& p : c.sources) list.push_back(p.string());
  w.strs(list);
  std::vector<std::pair<std::string, std::string>> sections = c.sections;
  if (c.root.IsMap()) {
    sections.clear();
    for (const auto& kv : c.root)
      if (kv.second.IsMap()) sections.emplace_back(kv.first.Scalar(), YAML::Dump(kv.second));
  }
  w.u32(static_cast<std::uint32_t>(sections.size()));
  for (const auto& [name, text] : sections) {
    w.str(name);
    w.str(text);
  }
  w.out.append(kMagic);  // trailer: a truncated file never parses
  return w.out;
}

std::optional<Config> deserialize_config(std::string_view data) {
  if (data.size() < 2 * kMagic.size() || !data.starts_with(kMagic) || !data.ends_with(kMagic)) return std::nullopt;
  snapshot::Reader r{data.substr(kMagic.size(), data.size() - 2 * kMagic.size())};
  Config c;
  c.fail_mode = r.u32() ? FailMode::Open : FailMode::Closed;
  const std::string max = r.str();
  c.profile = r.str();
  for (auto& p : r.strs()) c.trusted_projects.emplace_back(std::move(p));
  c.identity = r.str();
  c.hook_timeout_seconds = r.i32();
  c.audit_enabled = r.u32() != 0;
  c.audit_path = r.str();
  c.audit_direct = r.u32() != 0;
  c.audit_busy_timeout_ms = r.i32();
  const int tamper = r.i32();
  if (tamper < 0 || tamper > static_cast<int>(TamperAction::Deny)) r.ok = false;
  c.tamper_on_weakening = static_cast<TamperAction>(tamper);
  c.managed = r.u32() != 0;
  const auto policy = r.u32();
  c.observe = policy & 1;
  c.allow_tuning = policy & 2;
  c.pin_enforce = policy & 4;
  c.claude_permissions = policy & 8;
  c.audit_forward = policy & 16;
  c.ignored = r.strs();
  for (auto& p : r.strs()) c.sources.emplace_back(std::move(p));
  c.sections.resize(r.count());
  for (auto& [name, text] : c.sections) {
    name = r.str();
    text = r.str();
  }
  if (!r.ok || !r.in.empty() || max.empty() || max.find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  c.max_input_bytes = static_cast<std::size_t>(std::stoull(max));
  return c;
}


}  // namespace preloop
