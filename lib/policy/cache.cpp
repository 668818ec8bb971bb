#include "policy/cache.h"

#include <cstdint>
#include <cstring>
#include <sys/stat.h>

namespace preloop::policy {
namespace fs = std::filesystem;
namespace {

// Bump when the format or the prefilter derivation changes: snapshots carry derived prefilters.
constexpr std::string_view kMagic = "PLHPOL07";

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
  // Reads a prefilter in place when it rules the call out (true), else leaves
  // the reader where it was (false) for prefilter(). A damaged one is read by
  // prefilter(), which refuses it.
  bool rules_out(const CallFacts& facts) {
    Reader r{*this};
    if (r.u32() != static_cast<std::uint32_t>(Prefilter::State::AnyOf)) return false;
    for (auto n = r.count(); n > 0; --n) {
      auto kind = r.u32();  // field | op << 8
      auto field = kind & 0xff, op = kind >> 8;
      std::string_view text = r.view();
      if (!r.ok || field > static_cast<std::uint32_t>(FactField::Arg) ||
          op > static_cast<std::uint32_t>(FactOp::Contains) ||
          holds(static_cast<FactField>(field), static_cast<FactOp>(op), text, facts))
        return false;
    }
    if (!r.ok) return false;
    *this = r;
    return true;
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
        // The entry's length: a reader for one tool skips the entries of the others.
        const std::size_t length_at = w.out.size();
        w.u32(0);
        w.u32(t.enabled);
        w.str(t.workflow);
        w.str(t.description);
        w.loc(t.loc);
        w.u32(static_cast<std::uint32_t>(t.conditions.size()));
        for (const auto& c : t.conditions) {
          // The prefilter first, then the condition's length: a reader for one
          // call skips the conditions it cannot match.
          w.prefilter(c.prefilter);
          const std::size_t condition_at = w.out.size();
          w.u32(0);
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
          const auto condition_length = static_cast<std::uint32_t>(w.out.size() - condition_at - 4);
          std::memcpy(w.out.data() + condition_at, &condition_length, 4);
        }
        const auto length = static_cast<std::uint32_t>(w.out.size() - length_at - 4);
        std::memcpy(w.out.data() + length_at, &length, 4);
      }
    }
  }
  w.out.append(kMagic);  // trailer: a truncated file never parses
  return w.out;
}

std::optional<std::vector<LayerDocs>> deserialize_layers(std::string_view data, const CallFilter* only) {
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
      const std::uint32_t tools = r.count();
      d.tools.reserve(tools);
      for (std::uint32_t i = 0; i < tools && r.ok; ++i) {
        std::vector<std::string> names = r.strs();
        std::string source = r.str();
        const std::uint32_t length = r.u32();
        if (only && !tool_matches(names, source, only->tool)) {
          r.skip(length);
          continue;
        }
        ToolRule& t = d.tools.emplace_back();
        t.names = std::move(names);
        t.source = std::move(source);
        const std::size_t left = r.in.size();
        t.enabled = r.u32() != 0;
        t.workflow = r.str();
        t.description = r.str();
        t.loc = r.loc();
        const std::uint32_t conditions = r.count();
        t.conditions.reserve(conditions);
        for (std::uint32_t k = 0; k < conditions && r.ok; ++k) {
          if (only && only->facts && r.rules_out(*only->facts)) {
            r.skip(r.u32());  // the condition
            continue;
          }
          Prefilter prefilter;
          if (!r.prefilter(prefilter)) return std::nullopt;
          const std::uint32_t condition_length = r.u32();
          const std::size_t condition_left = r.in.size();
          Condition& c = t.conditions.emplace_back();
          c.prefilter = std::move(prefilter);
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
          if (condition_left - r.in.size() != condition_length) return std::nullopt;
        }
        if (left - r.in.size() != length) return std::nullopt;
        if (conditions > 0 && t.conditions.empty()) d.tools.pop_back();  // it cannot match this call
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

std::optional<std::vector<LayerDocs>> read_cached(const fs::path& dir, const snapshot::Key& key, const CallFilter* only) {
  auto data = snapshot::read(dir, key);
  if (!data) return std::nullopt;
  return deserialize_layers(data->view(), only);
}

void write_cached(const fs::path& dir, const snapshot::Key& key, const std::vector<LayerDocs>& layers, unsigned mode) {
  snapshot::write(dir, key, serialize_layers(layers), mode);
}

}  // namespace preloop::policy
