#include "policy/cache.h"

#include <cstdint>
#include <cstring>
#include <sys/stat.h>

namespace preloop::policy {
namespace fs = std::filesystem;
namespace {

// Bump when the format or the prefilter derivation changes: snapshots carry derived prefilters.
constexpr std::string_view kMagic = "PLHPOL06";

struct Writer : snapshot::Writer {
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

struct Reader : snapshot::Reader {
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
      w.u32(d.observe | d.rule_tuning << 1);
      w.u32(static_cast<std::uint32_t>(d.tuning.size()));
      for (const auto& t : d.tuning) {
        w.u32(static_cast<std::uint32_t>(t.kind));
        w.str(t.pack);
        w.str(t.rule);
        w.str(t.reason);
        w.str(t.expires);
        w.loc(t.loc);
      }
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
          w.u32(c.enabled | c.enforce << 1 | !c.overrides.empty() << 2);
          if (!c.overrides.empty()) w.strs(c.overrides);  // rare: not read for every condition
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
  Reader r;
  r.in = data.substr(kMagic.size(), data.size() - 2 * kMagic.size());
  std::vector<LayerDocs> layers(r.count());
  for (auto& l : layers) {
    l.name = r.str();
    l.honour_allow = r.u32() != 0;
    l.docs.resize(r.count());
    for (auto& d : l.docs) {
      d.file = r.str();
      d.name = r.str();
      d.profiles = r.strs();
      const auto doc_flags = r.u32();
      d.observe = doc_flags & 1;
      d.rule_tuning = doc_flags & 2;
      d.tuning.resize(r.count());
      for (auto& t : d.tuning) {
        auto kind = r.u32();
        if (kind > 1) return std::nullopt;
        t.kind = static_cast<Tuning::Kind>(kind);
        t.pack = r.str();
        t.rule = r.str();
        t.reason = r.str();
        t.expires = r.str();
        t.loc = r.loc();
      }
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
          const auto flags = r.u32();
          c.enabled = flags & 1;
          c.enforce = flags & 2;
          if (flags & 4) c.overrides = r.strs();
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
  // upgrade) may derive prefilters or lay out documents differently. Its build
  // id, the same under valgrind as natively.
  static const std::string binary = snapshot::binary_identity();
  if (binary.empty()) return "";  // a snapshot could outlive the binary
  sig += "binary\t" + binary + "\n";
  for (const auto& [layer, f] : files) {
    struct stat st {};
    sig += layer + "\t" + f.string();
    if (::stat(f.c_str(), &st) == 0)
      sig += "\t" + std::to_string(st.st_size) + "\t" + std::to_string(st.st_mtim.tv_sec) + "." +
             std::to_string(st.st_mtim.tv_nsec) + "\t" + std::to_string(st.st_ino) + "\t" +
             std::to_string(st.st_ctim.tv_sec) + "." + std::to_string(st.st_ctim.tv_nsec);
    sig += "\n";
  }
  return sig;
}

snapshot::Key snapshot_key(const std::vector<std::pair<std::string, fs::path>>& files, const std::string& extra,
                           const std::string& signature) {
  static const std::string binary = snapshot::binary_identity();
  snapshot::Key k{"policy", "policy\nbinary\t" + binary + "\n" + extra + "\n", signature};
  for (const auto& [layer, f] : files) k.slot += layer + "\t" + f.string() + "\n";
  return k;
}

std::optional<std::vector<LayerDocs>> read_cached(const fs::path& dir, const snapshot::Key& key) {
  auto data = snapshot::read(dir, key);
  if (!data) return std::nullopt;
  return deserialize_layers(data->view());
}

void write_cached(const fs::path& dir, const snapshot::Key& key, const std::vector<LayerDocs>& layers, unsigned mode) {
  snapshot::write(dir, key, serialize_layers(layers), mode);
}

}  // namespace preloop::policy
