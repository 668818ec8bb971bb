// CEL conformance runner: evaluates the cel-spec simple test files in
// ../shared/cel-conformance/ in place and compares results structurally.
//
//   cel_conformance [--all] [--verbose] [DATA_DIR]
//
// Tests needing features outside the engine's subset are skipped with a
// reason: protobuf messages, containers, timestamps/durations, optionals and
// the type checker. Exit status is non-zero when a tier-1 file passes fewer
// than 98% of its in-scope tests, or string_ext / macros2 fewer than 95%.
// --all adds the tier-2 extension files (reported, not gated).
#include <cctype>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "cel/cel.h"
#include "textproto.h"

namespace {

using celtest::TextNode;

struct FileSpec {
  const char* name;
  double target;  // minimum pass ratio of in-scope tests; 0 = not gated
};

constexpr FileSpec kTier1[] = {
    {"basic", 0.98},  {"plumbing", 0.98},     {"logic", 0.98}, {"comparisons", 0.98}, {"conversions", 0.98},
    {"fields", 0.98}, {"fp_math", 0.98},      {"integer_math", 0.98}, {"lists", 0.98}, {"macros", 0.98},
    {"parse", 0.98},  {"string", 0.98},       {"namespace", 0.98},    {"string_ext", 0.95}, {"macros2", 0.95},
};
constexpr FileSpec kTier2[] = {
    {"math_ext", 0}, {"bindings_ext", 0}, {"encoders_ext", 0}, {"network_ext", 0}, {"timestamps", 0},
};

bool contains(std::string_view s, std::string_view t) { return s.find(t) != std::string_view::npos; }

bool tree_mentions(const TextNode& n, std::string_view field) {
  for (const auto& [name, v] : n.fields) {
    if (name == field) return true;
    if (v.is_message && tree_mentions(v, field)) return true;
  }
  return false;
}

bool tree_has_text(const TextNode& n, std::string_view text) {
  for (const auto& [name, v] : n.fields) {
    if (!v.is_message && contains(v.text, text)) return true;
    if (v.is_message && tree_has_text(v, text)) return true;
  }
  return false;
}

// A message literal: an upper-case type name directly followed by '{'.
bool constructs_message(std::string_view expr) {
  for (std::size_t i = 0; i < expr.size(); ++i) {
    if (expr[i] < 'A' || expr[i] > 'Z') continue;
    if (i > 0 && (std::isalnum(static_cast<unsigned char>(expr[i - 1])) || expr[i - 1] == '_')) continue;
    std::size_t j = i;
    while (j < expr.size() && (std::isalnum(static_cast<unsigned char>(expr[j])) || expr[j] == '_')) ++j;
    while (j < expr.size() && (expr[j] == ' ' || expr[j] == '\t' || expr[j] == '\n')) ++j;
    if (j < expr.size() && expr[j] == '{') return true;
    i = j;
  }
  return false;
}

// Why a test is out of the engine's subset, or empty when it is in scope.
std::string skip_reason(const TextNode& t) {
  std::string expr = t.get("expr") ? t.get("expr")->text : "";
  if (tree_mentions(t, "object_value") || tree_mentions(t, "enum_value") || constructs_message(expr) ||
      contains(expr, "google.protobuf") || contains(expr, "TestAllTypes") || tree_has_text(t, "google.protobuf.Timestamp") ||
      tree_has_text(t, "google.protobuf.Duration")) {
    if (contains(expr, "timestamp(") || contains(expr, "duration(") || tree_has_text(t, "google.protobuf.Timestamp") ||
        tree_has_text(t, "google.protobuf.Duration")) {
      return "timestamps/durations";
    }
    return "protobuf messages";
  }
  if (contains(expr, "timestamp(") || contains(expr, "duration(")) return "timestamps/durations";
  if (contains(expr, "optional.") || contains(expr, "?.") || contains(expr, "[?") || contains(expr, ".orValue(")) {
    return "optionals";
  }
  if (const TextNode* c = t.get("container"); c && !c->text.empty()) return "container";
  if (t.has("check_only") || t.has("typed_result")) return "type checker";
  return "";
}

// cel.expr.Value (text form) -> engine value; sets `unsupported` for kinds
// the engine does not model.
cel::Value to_value(const TextNode& v, bool& unsupported) {
  for (const auto& [name, f] : v.fields) {
    if (name == "null_value") return cel::Value::Null();
    if (name == "bool_value") return cel::Value::Bool(f.text == "true" || f.text == "1");
    if (name == "int64_value") return cel::Value::Int(std::stoll(f.text));
    if (name == "uint64_value") return cel::Value::Uint(std::stoull(f.text));
    if (name == "double_value") {
      std::string s = f.text;
      if (s == "inf" || s == "Infinity" || s == "infinity") return cel::Value::Double(INFINITY);
      if (s == "-inf" || s == "-Infinity" || s == "-infinity") return cel::Value::Double(-INFINITY);
      if (s == "nan" || s == "NaN") return cel::Value::Double(NAN);
      return cel::Value::Double(std::stod(s));
    }
    if (name == "string_value") return cel::Value::String(f.text);
    if (name == "bytes_value") return cel::Value::Bytes(f.text);
    if (name == "type_value") return cel::Value::Type(f.text);
    if (name == "list_value") {
      std::vector<cel::Value> items;
      for (const TextNode* e : f.all("values")) items.push_back(to_value(*e, unsupported));
      return cel::Value::List(std::move(items));
    }
    if (name == "map_value") {
      std::vector<std::pair<cel::Value, cel::Value>> entries;
      for (const TextNode* e : f.all("entries")) {
        const TextNode* k = e->get("key");
        const TextNode* val = e->get("value");
        if (!k || !val) {
          unsupported = true;
          return cel::Value::Null();
        }
        entries.emplace_back(to_value(*k, unsupported), to_value(*val, unsupported));
      }
      return cel::Value::Map(std::move(entries));
    }
  }
  unsupported = true;
  return cel::Value::Null();
}

// Structural equality: kinds must match exactly (1 is not 1.0), maps ignore
// order, NaN matches NaN.
bool same(const cel::Value& a, const cel::Value& b) {
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case cel::Kind::Double:
      if (std::isnan(a.as_double()) && std::isnan(b.as_double())) return true;
      return a.as_double() == b.as_double();
    case cel::Kind::List: {
      if (a.list_size() != b.list_size()) return false;
      for (std::size_t i = 0; i < a.list_size(); ++i) {
        if (!same(a.list_at(i), b.list_at(i))) return false;
      }
      return true;
    }
    case cel::Kind::Map: {
      if (a.map_size() != b.map_size()) return false;
      auto ea = a.map_entries(), eb = b.map_entries();
      for (const auto& [k, v] : ea) {
        bool found = false;
        for (const auto& [k2, v2] : eb) {
          if (same(k, k2)) {
            found = same(v, v2);
            break;
          }
        }
        if (!found) return false;
      }
      return true;
    }
    case cel::Kind::Error: return true;
    default: return a == b;
  }
}

struct Totals {
  int passed = 0, failed = 0, skipped = 0;
  int compile_time_errors = 0;  // passes where the expected error came at compile time
};

struct Runner {
  bool verbose = false;
  std::map<std::string, std::vector<std::string>> skips_by_reason;

  Totals run_file(const std::string& file, const TextNode& root) {
    Totals t;
    for (const TextNode* section : root.all("section")) {
      std::string sname = section->get("name") ? section->get("name")->text : "";
      for (const TextNode* test : section->all("test")) {
        std::string id = file + "/" + sname + "/" + (test->get("name") ? test->get("name")->text : "?");
        std::string reason = skip_reason(*test);
        if (reason.empty()) reason = run_test(id, *test, t);
        if (!reason.empty()) {
          ++t.skipped;
          skips_by_reason[reason].push_back(id);
        }
      }
    }
    return t;
  }

  // Returns a skip reason, or "" after counting a pass or failure.
  std::string run_test(const std::string& id, const TextNode& test, Totals& t) {
    const std::string expr = test.get("expr") ? test.get("expr")->text : "";
    cel::Env env;
    env.allow_unknown_names(true);
    cel::Activation act;
    bool unsupported = false;
    for (const TextNode* b : test.all("bindings")) {
      const TextNode* key = b->get("key");
      const TextNode* ev = b->get("value");
      const TextNode* v = ev ? ev->get("value") : nullptr;
      if (!key || !v) return "protobuf messages";
      env.declare_variable(key->text);
      act.bind(key->text, to_value(*v, unsupported));
    }
    if (unsupported) return "protobuf messages";

    bool want_error = test.has("eval_error") || test.has("any_eval_errors");
    cel::Value want = cel::Value::Bool(true);
    if (const TextNode* v = test.get("value")) want = to_value(*v, unsupported);
    if (unsupported) return "protobuf messages";

    auto compiled = env.compile(expr);
    cel::Value got;
    std::string compile_error;
    if (compiled.ok()) {
      got = compiled.program->evaluate(act);
    } else {
      compile_error = compiled.error->render(expr);
    }
    bool ok;
    if (want_error) {
      // The engine reports some errors (an invalid constant regex) when the
      // expression is compiled rather than evaluated.
      ok = !compile_error.empty() || got.is_error();
    } else {
      ok = compile_error.empty() && same(got, want);
    }
    if (ok) {
      ++t.passed;
      if (want_error && !compile_error.empty()) {
        ++t.compile_time_errors;
        std::printf("  pass %s (error reported at compile time: %s)\n", id.c_str(), compiled.error->message.c_str());
      }
      if (verbose) std::printf("  pass %s\n", id.c_str());
    } else {
      ++t.failed;
      std::printf("  FAIL %s\n    expr: %s\n    want: %s\n    got:  %s\n", id.c_str(), expr.c_str(),
                  want_error ? "an error" : want.debug_string().c_str(),
                  compile_error.empty() ? got.debug_string().c_str() : ("compile error: " + compile_error).c_str());
    }
    return "";
  }
};

}  // namespace

int main(int argc, char** argv) {
  bool all = false;
  Runner runner;
  std::string dir = std::string(PRELOOP_SOURCE_DIR) + "/../shared/cel-conformance";
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--all") all = true;
    else if (a == "--verbose") runner.verbose = true;
    else dir = a;
  }
  if (!std::filesystem::is_directory(dir)) {
    std::printf("conformance data not found at %s: skipping\n", dir.c_str());
    return 0;
  }
  std::vector<FileSpec> files(std::begin(kTier1), std::end(kTier1));
  if (all) files.insert(files.end(), std::begin(kTier2), std::end(kTier2));

  Totals total;
  bool below_target = false;
  std::vector<std::string> summary;
  for (const FileSpec& f : files) {
    std::string path = dir + "/" + f.name + ".textproto";
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      std::printf("%s: missing (%s)\n", f.name, path.c_str());
      below_target = below_target || f.target > 0;
      continue;
    }
    std::stringstream ss;
    ss << in.rdbuf();
    auto parsed = celtest::parse_text_proto(ss.str());
    if (!parsed.error.empty()) {
      std::printf("%s: unreadable: %s\n", f.name, parsed.error.c_str());
      below_target = below_target || f.target > 0;
      continue;
    }
    std::printf("%s\n", f.name);
    Totals t = runner.run_file(f.name, parsed.root);
    int in_scope = t.passed + t.failed;
    double ratio = in_scope ? static_cast<double>(t.passed) / in_scope : 1.0;
    bool low = f.target > 0 && ratio < f.target;
    below_target = below_target || low;
    char line[256];
    std::snprintf(line, sizeof line, "%-13s %4d passed, %3d failed, %3d skipped  (%.1f%% of in-scope%s)", f.name,
                  t.passed, t.failed, t.skipped, ratio * 100, low ? ", BELOW TARGET" : "");
    summary.emplace_back(line);
    total.passed += t.passed;
    total.failed += t.failed;
    total.skipped += t.skipped;
  }
  std::printf("\nskipped (outside the engine's subset):\n");
  for (const auto& [reason, ids] : runner.skips_by_reason) {
    std::printf("  %s: %zu\n", reason.c_str(), ids.size());
    for (const auto& id : ids) std::printf("    %s\n", id.c_str());
  }
  std::printf("\nper file:\n");
  for (const auto& s : summary) std::printf("  %s\n", s.c_str());
  std::printf("%d passed, %d failed, %d skipped\n", total.passed, total.failed, total.skipped);
  return below_target ? 1 : 0;
}
