#include "policy/cache.h"

#include <cstdint>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/safe_file.h"

namespace preloop::policy {
namespace fs = std::filesystem;
namespace {

// Bump when the format or the prefilter derivation changes: snapshots carry derived prefilters.
constexpr std::string_view kMagic = "PLHPOL05";

struct Writer {
  std::string out;
  void u32(std::uint32_t v) { out.append(reinterpret_cast<const char*>(&v), 4); }
  void i32(int v) { u32(static_cast<std::uint32_t>(v)); }
  void str(const std::string& s) {
    u32(static_cast<std::uint32_t>(s.size()));
    out += s;
  }
  void strs(const std::vector<std::string>& v) {
    u32(static_cast<std::uint32_t>(v.size()));
    for (const auto& s : v) str(s);
  }
  void loc(const SourceLoc& l) {
    str(l.file);
    i32(l.line);
    i32(l.column);
  }
  void prefilter(const Prefilter& p) {
    u32(static_cast<std::uint32_t>(p.state));
    u32(static_cast<std::uint32_t>(p.any_of.size()));
    for (const auto& a : p.any_of) {
      u32(static_cast<std::uint32_t>(a.field) | static_cast<std::uint32_t>(a.op) << 8);
      str(a.text);
    }
  }
};

struct Reader {
  std::string_view in;
  bool ok = true;
  std::uint32_t u32() {
    if (in.size() < 4) {
      ok = false;
      return 0;
    }
    std::uint32_t v;
    std::memcpy(&v, in.data(), 4);
    in.remove_prefix(4);
    return v;
  }
  int i32() { return static_cast<int>(u32()); }
  std::string str() {
    auto n = u32();
    if (!ok || in.size() < n) {
      ok = false;
      return {};
    }
    std::string s(in.substr(0, n));
    in.remove_prefix(n);
    return s;
  }
  std::vector<std::string> strs() {
    std::vector<std::string> v(count());
    for (auto& s : v) s = str();
    return v;
  }
  std::uint32_t count() {
    auto n = u32();
    if (n > in.size()) {  // every element takes at least one byte
      ok = false;
      return 0;
    }
    return n;
  }
  SourceLoc loc() {
    SourceLoc l;
    l.file = str();
    l.line = i32();
    l.column = i32();
    return l;
  }
  bool prefilter(Prefilter& p) {
    auto state = u32();
    if (state > static_cast<std::uint32_t>(Prefilter::State::AnyOf)) return false;
    p.state = static_cast<Prefilter::State>(state);
    p.any_of.resize(count());
    for (auto& a : p.any_of) {
      auto kind = u32();  // field | op << 8
      auto field = kind & 0xff, op = kind >> 8;
      if (field > static_cast<std::uint32_t>(FactField::Arg) || op > static_cast<std::uint32_t>(FactOp::Contains))
        return false;
      a.field = static_cast<FactField>(field);
      a.op = static_cast<FactOp>(op);
      a.text = str();
    }
    return ok;
  }
};

std::uint64_t fnv1a(std::string_view s) {
  std::uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

}  // namespace

std::string serialize_layers(const std::vector<LayerDocs>& layers) {
  Writer w;
  w.out.append(kMagic);
  w.u32(static_cast<std::uint32_t>(layers.size()));
  for (const auto& l : layers) {
    w.str(l.name);
    w.u32(l.honour_allow);
    w.u32(static_cast<std::uint32_t>(l.docs.size()));
    for (const auto& d : l.docs) {
      w.str(d.file);
      w.str(d.name);
      w.strs(d.profiles);
      w.u32(static_cast<std::uint32_t>(d.workflows.size()));
      for (const auto& wf : d.workflows) {
        w.str(wf.name);
        w.i32(wf.timeout_seconds);
        w.i32(wf.approvals_required);
        w.strs(wf.approver_users);
        w.strs(wf.approver_teams);
        w.loc(wf.loc);
      }
      w.u32(static_cast<std::uint32_t>(d.tools.size()));
      for (const auto& t : d.tools) {
        w.strs(t.names);
        w.str(t.source);
        w.u32(t.enabled);
        w.str(t.workflow);
        w.str(t.description);
        w.loc(t.loc);
        w.u32(static_cast<std::uint32_t>(t.conditions.size()));
        for (const auto& c : t.conditions) {
          w.str(c.id);
          w.str(c.expression);
          w.u32(static_cast<std::uint32_t>(c.action));
          w.u32(static_cast<std::uint32_t>(c.type));
          w.str(c.description);
          w.str(c.workflow);
          w.i32(c.timeout_seconds);
          w.u32(c.enabled);
          w.loc(c.loc);
          w.loc(c.expr_loc);
          w.prefilter(c.prefilter);
        }
      }
    }
  }
  w.out.append(kMagic);  // trailer: a truncated file never parses
  return w.out;
}

std::optional<std::vector<LayerDocs>> deserialize_layers(std::string_view data) {
  if (data.size() < 2 * kMagic.size() || data.substr(0, kMagic.size()) != kMagic ||
      data.substr(data.size() - kMagic.size()) != kMagic)
    return std::nullopt;
  Reader r{data.substr(kMagic.size(), data.size() - 2 * kMagic.size())};
  std::vector<LayerDocs> layers(r.count());
  for (auto& l : layers) {
    l.name = r.str();
    l.honour_allow = r.u32() != 0;
    l.docs.resize(r.count());
    for (auto& d : l.docs) {
      d.file = r.str();
      d.name = r.str();
      d.profiles = r.strs();
      d.workflows.resize(r.count());
      for (auto& wf : d.workflows) {
        wf.name = r.str();
        wf.timeout_seconds = r.i32();
        wf.approvals_required = r.i32();
        wf.approver_users = r.strs();
        wf.approver_teams = r.strs();
        wf.loc = r.loc();
      }
      d.tools.resize(r.count());
      for (auto& t : d.tools) {
        t.names = r.strs();
        t.source = r.str();
        t.enabled = r.u32() != 0;
        t.workflow = r.str();
        t.description = r.str();
        t.loc = r.loc();
        t.conditions.resize(r.count());
        for (auto& c : t.conditions) {
          c.id = r.str();
          c.expression = r.str();
          auto action = r.u32();
          auto type = r.u32();
          if (action > 2 || type > 1) return std::nullopt;
          c.action = static_cast<Action>(action);
          c.type = static_cast<ConditionType>(type);
          c.description = r.str();
          c.workflow = r.str();
          c.timeout_seconds = r.i32();
          c.enabled = r.u32() != 0;
          c.loc = r.loc();
          c.expr_loc = r.loc();
          if (!r.prefilter(c.prefilter)) return std::nullopt;
        }
      }
      if (!r.ok) return std::nullopt;
    }
  }
  if (!r.ok || !r.in.empty()) return std::nullopt;
  return layers;
}

std::string input_signature(const std::vector<std::pair<std::string, fs::path>>& files, const std::string& extra) {
  std::string sig = std::string(kMagic) + "\n" + extra + "\n";
  // The binary that reads the snapshot is one of its inputs: another build (an
  // upgrade) may derive prefilters or lay out documents differently.
  std::vector<std::pair<std::string, fs::path>> all{{"binary", "/proc/self/exe"}};
  all.insert(all.end(), files.begin(), files.end());
  for (const auto& [layer, f] : all) {
    struct stat st {};
    sig += layer + "\t" + f.string();
    bool known = ::stat(f.c_str(), &st) == 0;
    if (!known && layer == "binary") return "";  // no /proc: a snapshot could outlive the binary
    if (known)
      sig += "\t" + std::to_string(st.st_size) + "\t" + std::to_string(st.st_mtim.tv_sec) + "." +
             std::to_string(st.st_mtim.tv_nsec) + "\t" + std::to_string(st.st_ino) + "\t" +
             std::to_string(st.st_ctim.tv_sec) + "." + std::to_string(st.st_ctim.tv_nsec);
    sig += "\n";
  }
  return sig;
}

namespace {
fs::path cache_file(const fs::path& dir, const std::string& signature) {
  char name[40];
  std::snprintf(name, sizeof name, "policy-%016llx.bin", static_cast<unsigned long long>(fnv1a(signature)));
  return dir / name;
}
}  // namespace

std::optional<std::vector<LayerDocs>> read_cached(const fs::path& dir, const std::string& signature) {
  // Never through a link, never a FIFO or device, never without bound; any
  // such file is simply not a snapshot (the policies are parsed instead).
  std::string data;
  try {
    data = read_file_safely(cache_file(dir, signature), file_rules::kSnapshot).text;
  } catch (const FileError&) {
    return std::nullopt;
  }
  // The file starts with the full signature, so a hash collision is harmless.
  if (data.size() < signature.size() + 4 || data.compare(0, signature.size(), signature) != 0) return std::nullopt;
  return deserialize_layers(std::string_view(data).substr(signature.size()));
}

void write_cached(const fs::path& dir, const std::string& signature, const std::vector<LayerDocs>& layers,
                  unsigned mode) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  fs::path target = cache_file(dir, signature);
  std::string tmp = target.string() + ".tmp." + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return;
  ::fchmod(fd, mode);
  std::string data = signature + serialize_layers(layers);
  bool ok = ::write(fd, data.data(), data.size()) == static_cast<ssize_t>(data.size());
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), target.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return;
  }
  // Older snapshots are stale now.
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    auto name = e.path().filename().string();
    if (name.rfind("policy-", 0) == 0 && e.path() != target) fs::remove(e.path(), ec);
  }
}

}  // namespace preloop::policy
