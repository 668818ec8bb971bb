#include "tamper/fingerprint.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>  // renameat2, snprintf
#include <cstdlib>
#include <map>

#include "config/paths.h"
#include "config/snapshot.h"
#include "install/locations.h"
#include "policy/cache.h"

namespace preloop::tamper {
namespace fs = std::filesystem;
namespace {

constexpr std::string_view kMagic = "PLHGUARD2";
constexpr std::size_t kMaxState = 1 << 20;
constexpr std::size_t kMaxInput = 8u << 20;  // config, policy and settings files read for a digest

// Fields are tab-separated, records newline-separated: escape both (paths may hold anything).
// Both copy the runs between special characters whole: the state is read
// and written on every call whose configuration differs from the previous
// call's in the same project.
std::string escape(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0;;) {
    const std::size_t special = s.find_first_of("\\\t\n", i);
    out.append(s, i, special == std::string::npos ? std::string::npos : special - i);
    if (special == std::string::npos) return out;
    const char c = s[special];
    out += c == '\t' ? "\\t" : c == '\n' ? "\\n" : "\\\\";
    i = special + 1;
  }
}

std::string unescape(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0;;) {
    const std::size_t bs = s.find('\\', i);
    if (bs == std::string::npos || bs + 1 == s.size()) {
      out.append(s, i, std::string::npos);  // a trailing backslash stays as it is
      return out;
    }
    out.append(s, i, bs - i);
    const char n = s[bs + 1];
    out += n == 't' ? '\t' : n == 'n' ? '\n' : n;
    i = bs + 2;
  }
}

std::vector<std::string> split_tabs(const std::string& line) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (;;) {
    auto tab = line.find('\t', start);
    out.push_back(unescape(line.substr(start, tab - start)));
    if (tab == std::string::npos) return out;
    start = tab + 1;
  }
}


struct Entry {
  std::string kind, path, stat, digest, facts;
};

struct State {
  std::string signature;  // the stat signature, as is
  std::string session, project;
  std::string pending_session, pending;  // a weakening not yet acted on
  std::vector<std::pair<std::string, std::string>> values;
  std::map<std::string, Entry> entries;  // by key_of
};

std::string key_of(const std::string& kind, const std::string& path) { return kind == "binary" ? kind : path; }

// With header_only, stops before the recorded values and files (what the
// common case, an unchanged signature, does not need).
std::optional<State> parse_state(const std::string& text, bool header_only = false) {
  std::size_t pos = 0;
  auto next_line = [&](std::string& line) {
    if (pos >= text.size()) return false;
    auto end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    line.assign(text, pos, end - pos);
    pos = end + 1;
    return true;
  };
  // "PLHGUARD2 <n>", then the n bytes of the signature and a newline.
  std::string line;
  if (!next_line(line) || line.rfind(kMagic, 0) != 0 || line.size() < kMagic.size() + 2) return std::nullopt;
  std::size_t n = 0;
  for (std::size_t i = kMagic.size() + 1; i < line.size(); ++i) {
    if (line[i] < '0' || line[i] > '9' || n > kMaxState) return std::nullopt;
    n = n * 10 + std::size_t(line[i] - '0');
  }
  if (n > text.size() - pos || (pos + n < text.size() && text[pos + n] != '\n')) return std::nullopt;
  State st;
  st.signature.assign(text, pos, n);
  pos += n + 1;
  while (next_line(line)) {
    if (header_only && (line.rfind("value\t", 0) == 0 || line.rfind("file\t", 0) == 0)) break;
    auto f = split_tabs(line);
    if (f[0] == "session" && f.size() == 2) st.session = f[1];
    else if (f[0] == "project" && f.size() == 2) st.project = f[1];
    else if (f[0] == "pending" && f.size() == 3) st.pending_session = f[1], st.pending = f[2];
    else if (f[0] == "value" && f.size() == 3) st.values.emplace_back(f[1], f[2]);
    else if (f[0] == "file" && f.size() == 6) st.entries[key_of(f[1], f[2])] = {f[1], f[2], f[3], f[4], f[5]};
    else return std::nullopt;
  }
  return st;
}

std::string render_state(const State& st) {
  std::string out = std::string(kMagic) + " " + std::to_string(st.signature.size()) + "\n" + st.signature + "\n";
  out += "session\t" + escape(st.session) + "\nproject\t" + escape(st.project) + "\n";
  if (!st.pending.empty()) out += "pending\t" + escape(st.pending_session) + "\t" + escape(st.pending) + "\n";
  for (const auto& [k, v] : st.values) out += "value\t" + escape(k) + "\t" + escape(v) + "\n";
  for (const auto& [key, e] : st.entries)
    out += "file\t" + escape(e.kind) + "\t" + escape(e.path) + "\t" + escape(e.stat) + "\t" + escape(e.digest) +
           "\t" + escape(e.facts) + "\n";
  return out;
}

void write_state(const fs::path& file, const State& st) {
  std::error_code ec;
  if (!fs::exists(file.parent_path(), ec)) {
    fs::create_directories(file.parent_path(), ec);
    ::chmod(file.parent_path().c_str(), 0700);
  }
  std::string tmp = file.string() + ".tmp." + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return;
  std::string data = render_state(st);
  bool ok = ::write(fd, data.data(), data.size()) == static_cast<ssize_t>(data.size());
  ::close(fd);
  // Swapped in rather than renamed over: ext4 writes a file renamed over
  // another out to disk first, a wait of milliseconds on a busy disk (on every
  // call when calls alternate between sessions). The swap is as atomic: the
  // path always holds one whole state. Where it is not supported, rename.
  if (ok && ::renameat2(AT_FDCWD, tmp.c_str(), AT_FDCWD, file.c_str(), RENAME_EXCHANGE) == 0) {
    ::unlink(tmp.c_str());  // now the previous state
    return;
  }
  if (!ok || ::rename(tmp.c_str(), file.c_str()) != 0) ::unlink(tmp.c_str());
}

// The state text of the project; when it has none yet, the most recently
// written state of another project (its project field tells them apart).
// *own: whether the text is the project's own state.
std::optional<std::string> read_state(const fs::path& dir, const fs::path& file, bool* own) {
  bool missing = false;
  std::optional<std::string> text = read_regular_file(file, kMaxState, nullptr, &missing, true);
  *own = bool(text);
  if (text || !missing) return text;
  DIR* d = ::opendir(dir.c_str());
  if (!d) return std::nullopt;
  std::string newest;
  struct timespec newest_time {};
  while (const dirent* e = ::readdir(d)) {
    std::string_view name = e->d_name;
    if (name.size() != 17 || name[0] != 'p') continue;  // state_file's names only: no temporary file
    struct stat st;
    if (::fstatat(::dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode)) continue;
    if (newest.empty() || st.st_mtim.tv_sec > newest_time.tv_sec ||
        (st.st_mtim.tv_sec == newest_time.tv_sec && st.st_mtim.tv_nsec > newest_time.tv_nsec))
      newest = e->d_name, newest_time = st.st_mtim;
  }
  ::closedir(d);
  if (newest.empty()) return std::nullopt;
  return read_regular_file(dir / newest, kMaxState, nullptr, nullptr, true);
}

bool is_policy(const std::string& kind) { return kind.rfind("policy:", 0) == 0; }
bool is_settings(const std::string& kind) { return kind.rfind("settings:", 0) == 0; }
bool project_scoped(const std::string& kind) {
  return kind == "policy:project" || kind == "settings:project" || kind == "settings:local";
}

std::string render_facts(const std::string& kind, const std::string& text, const std::string& path) {
  if (is_policy(kind)) {
    PolicyFacts f = policy_facts(text, path);
    return "valid=" + std::to_string(f.valid) + " rules=" + std::to_string(f.rules) +
           " allow_all=" + std::to_string(f.allow_all) + " relaxed=" + std::to_string(f.relaxed);
  }
  if (is_settings(kind)) {
    SettingsFacts f = settings_facts(text, path);
    return "valid=" + std::to_string(f.valid) + " runs_hook=" + std::to_string(f.runs_hook) +
           " disables_hooks=" + std::to_string(f.disables_hooks);
  }
  return "";
}

// "name=value" out of a facts string; -1 when absent.
int fact(const std::string& facts, const std::string& name) {
  auto pos = (" " + facts).find(" " + name + "=");
  if (pos == std::string::npos) return -1;
  return std::atoi(facts.c_str() + pos + name.size() + 1);
}

Entry current_entry(const std::string& kind, const fs::path& path, const std::string& stat, const State* old) {
  Entry e{kind, path.string(), stat, "", ""};
  if (old) {
    auto it = old->entries.find(key_of(kind, e.path));
    if (it != old->entries.end() && it->second.stat == stat && it->second.kind == kind) {
      e.digest = it->second.digest;
      e.facts = it->second.facts;
      return e;
    }
  }
  if (stat.empty()) return e;  // absent
  if (kind == "binary") {
    // Its identity (size, times, inode: ctime cannot be set back) rather than a
    // hash: reading a 100 MB debug build on the first call would cost more than the call.
    e.digest = "stat " + stat;
    return e;
  }
  std::string error;
  auto text = read_regular_file(path, kMaxInput, &error);
  if (!text) {
    e.digest = "unreadable";
    return e;
  }
  e.digest = digest_of(*text);
  e.facts = render_facts(kind, *text, e.path);
  return e;
}

// Why replacing `before` by `after` (either may be absent: digest "") weakens the guard.
std::vector<std::string> file_weakening(const Entry* before, const Entry& after) {
  std::vector<std::string> why;
  bool had = before && !before->digest.empty(), has = !after.digest.empty();
  if (is_policy(after.kind)) {
    if (had && !has) why.push_back("rule file removed: " + after.path);
    int old_rules = had ? fact(before->facts, "rules") : -1, new_rules = has ? fact(after.facts, "rules") : -1;
    if (had && has && fact(before->facts, "valid") == 1 && fact(after.facts, "valid") == 1 && new_rules < old_rules)
      why.push_back("fewer rules in " + after.path + " (" + std::to_string(old_rules) + " -> " +
                    std::to_string(new_rules) + ")");
    if (has && fact(after.facts, "relaxed") > std::max(0, had ? fact(before->facts, "relaxed") : 0))
      why.push_back("rules disabled, observed or overridden in " + after.path);
    if (has && fact(after.facts, "allow_all") == 1 && !(had && fact(before->facts, "allow_all") == 1))
      why.push_back("a rule allowing every call was added in " + after.path);
  } else if (is_settings(after.kind)) {
    bool ran = had && fact(before->facts, "runs_hook") == 1, runs = has && fact(after.facts, "runs_hook") == 1;
    if (ran && !runs) why.push_back("preloop-hook's hook was removed from " + after.path);
    bool disabled = had && fact(before->facts, "disables_hooks") == 1;
    if (has && fact(after.facts, "disables_hooks") == 1 && !disabled)
      why.push_back("disableAllHooks: true was set in " + after.path);
  } else if (after.kind == "config" && had && !has) {
    why.push_back("config file removed: " + after.path);
  }
  return why;
}

int rank(const std::string& name, const std::string& value) {
  if (name == "profile") return profile_rank(value);
  if (name == "fail_mode") return value == "closed" ? 1 : 0;
  if (name == "tamper.on_weakening") return value == "deny" ? 2 : value == "ask" ? 1 : 0;
  if (name == "audit.enabled" || name == "managed_config") return value == "true" ? 1 : 0;
  if (name == "project_trusted") return value == "true" ? 0 : 1;  // a trusted project's allow rules apply
  if (name == "policy.mode") return value == "enforce" ? 1 : 0;
  if (name == "policy.allow_tuning") return value == "true" ? 0 : 1;
  return -1;
}

std::string join(const std::vector<std::string>& v, const std::string& sep) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : sep) + s;
  return out;
}

}  // namespace

std::string Change::describe() const {
  auto shorten = [&](const std::string& d) {
    if (kind == "setting") return d.empty() ? std::string("(unset)") : d;
    return d.empty() ? std::string("(absent)") : d.substr(0, 12);
  };
  std::string s = (kind == "setting" ? "setting " : kind + " ") + path + ": " + shorten(old_digest) + " -> " +
                  shorten(new_digest);
  if (!weakening.empty()) s += " (weakens the guard: " + join(weakening, "; ") + ")";
  return s;
}

fs::path state_file(const fs::path& state_dir, const std::string& project) {
  std::uint64_t h = 14695981039346656037ull;  // FNV-1a: a name, not a secret (the state records its project)
  for (unsigned char c : project) h = (h ^ c) * 1099511628211ull;
  char name[18];
  std::snprintf(name, sizeof name, "p%016llx", static_cast<unsigned long long>(h));
  return state_dir / name;
}

Inputs gather_inputs(const Config& config, const policy::PolicyInputs& policy, std::string policy_signature,
                     const install::ClaudeLocations& claude, const std::string& project) {
  Inputs in;
  in.project = project;
  in.policy_files = &policy.files;
  in.policy_signature = policy_signature.empty() ? policy::policy_signature(policy) : std::move(policy_signature);
  const char* user_config = std::getenv("PRELOOP_HOOK_CONFIG");
  in.files.emplace_back("config", user_config && *user_config ? fs::path(user_config) : paths::user_config_file());
  in.files.emplace_back("config", paths::managed_config_file());
  for (auto& [scope, f] : claude.all_settings_files()) in.files.emplace_back("settings:" + scope, std::move(f));
  in.values = {{"profile", config.profile},
               {"fail_mode", config.fail_mode == FailMode::Open ? "open" : "closed"},
               {"tamper.on_weakening", to_string(config.tamper_on_weakening)},
               {"audit.enabled", config.audit_enabled ? "true" : "false"},
               {"managed_config", config.managed ? "true" : "false"},
               {"policy.mode", config.observe ? "observe" : "enforce"},
               {"policy.allow_tuning", config.allow_tuning ? "true" : "false"},
               {"project_trusted", policy.trusted && !project.empty() ? "true" : "false"}};
  return in;
}

Outcome check(const fs::path& state_dir, const Inputs& in, const std::string& session, bool can_escalate) {
  Outcome out;
  try {
    const fs::path file = state_file(state_dir, in.project);
    std::string values;
    for (const auto& [k, v] : in.values) values += k + "=" + v + " ";
    std::string file_signature = policy::input_signature(in.files, values);
    // No signature (the binary cannot be identified): compare contents on every call.
    std::string signature = in.policy_signature.empty() || file_signature.empty()
                           ? ""
                           : in.policy_signature + "\n" + file_signature;

    bool own = false;
    std::optional<std::string> text = read_state(state_dir, file, &own);
    std::optional<State> old = text ? parse_state(*text, true) : std::nullopt;
    if (old && (!own || signature.empty() || old->signature != signature)) old = parse_state(*text);
    out.fresh = !old;
    bool same_session = old && old->session == session;

    if (old && own && !signature.empty() && old->signature == signature) {
      // Nothing changes: the common case; and a pending weakening that only
      // the session's next PreToolUse can act on (a PostToolUse keeps it as it is).
      if (same_session && (old->pending.empty() || !can_escalate)) return out;
      std::optional<State> full = parse_state(*text);      // rewritten below: keep its values and files
      if (!full) return out;
      State st = std::move(*full);
      if (same_session && can_escalate) out.escalate = st.pending;
      if (!same_session || can_escalate) st.pending.clear(), st.pending_session.clear();
      st.session = session;
      write_state(file, st);
      return out;
    }

    State st;
    st.signature = signature;
    st.session = session;
    st.project = in.project;
    st.values = in.values;
    bool same_project = old && old->project == in.project;
    std::vector<std::string> weakening;
    Files tracked = in.files;
    if (in.policy_files)
      for (const auto& [layer, f] : *in.policy_files) tracked.emplace_back("policy:" + layer, f);
    tracked.emplace_back("binary", "/proc/self/exe");
    for (const auto& [kind, path] : tracked) {
      Entry e = current_entry(kind, path, snapshot::stat_identity(path), old ? &*old : nullptr);
      if (kind == "binary") e.path = install::current_executable().string();
      std::string key = key_of(e.kind, e.path);
      if (st.entries.count(key)) continue;  // listed twice (the same file under two names)
      if (old && (same_project || !project_scoped(e.kind))) {
        auto it = old->entries.find(key);
        const Entry* before = it == old->entries.end() ? nullptr : &it->second;
        std::string old_digest = before ? before->digest : "";
        if (old_digest != e.digest) {
          Change c{e.kind, e.path, old_digest, e.digest, file_weakening(before, e)};
          weakening.insert(weakening.end(), c.weakening.begin(), c.weakening.end());
          out.changes.push_back(std::move(c));
        }
      }
      st.entries[key] = std::move(e);
    }
    if (old) {
      for (const auto& [key, e] : old->entries) {
        if (st.entries.count(key) || e.digest.empty() || (!same_project && project_scoped(e.kind))) continue;
        Entry gone{e.kind, e.path, "", "", ""};
        Change c{e.kind, e.path, e.digest, "", file_weakening(&e, gone)};
        weakening.insert(weakening.end(), c.weakening.begin(), c.weakening.end());
        out.changes.push_back(std::move(c));
      }
      for (const auto& [name, value] : in.values) {
        std::string before;
        for (const auto& [k, v] : old->values)
          if (k == name) before = v;
        if (before == value || (name == "project_trusted" && !same_project)) continue;
        Change c{"setting", name, before, value, {}};
        if (!before.empty() && rank(name, value) < rank(name, before))
          c.weakening.push_back(name + " lowered from " + before + " to " + value);
        weakening.insert(weakening.end(), c.weakening.begin(), c.weakening.end());
        out.changes.push_back(std::move(c));
      }
    }
    std::string reasons = join(weakening, "; ");
    if (same_session && !old->pending.empty())
      reasons = old->pending + (reasons.empty() ? "" : "; " + reasons);
    if (!reasons.empty() && same_session) {
      if (can_escalate) out.escalate = reasons;
      else st.pending_session = session, st.pending = reasons;
    }
    write_state(file, st);
  } catch (const std::exception&) {
    // A fingerprint that cannot be taken changes no decision; the next call tries again.
  }
  return out;
}

std::optional<SettingsFacts> recorded_settings(const fs::path& state_dir, const std::string& project,
                                               const fs::path& file) {
  bool own = false;
  auto text = read_state(state_dir, state_file(state_dir, project), &own);
  if (!text) return std::nullopt;
  auto st = parse_state(*text);
  if (!st) return std::nullopt;
  auto it = st->entries.find(file.string());
  if (it == st->entries.end() || !is_settings(it->second.kind) || it->second.digest.empty()) return std::nullopt;
  SettingsFacts f;
  f.valid = fact(it->second.facts, "valid") == 1;
  f.runs_hook = fact(it->second.facts, "runs_hook") == 1;
  f.disables_hooks = fact(it->second.facts, "disables_hooks") == 1;
  return f;
}

}  // namespace preloop::tamper
