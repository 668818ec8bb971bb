#include "scan/report.h"

#include <set>

#include "secrets/json_scan.h"
#include "secrets/marker.h"

namespace preloop::scan {

void scan_text(Report& report, const std::string& label, const std::string& text, const secrets::Detector& detector) {
  if (text.find('\0') < 8192) {
    report.binary.push_back(label);
    return;
  }
  ++report.files_scanned;
  for (const auto& f : detector.scan(text)) {
    const auto at = secrets::position_of(text, f.start);
    report.findings.push_back(
        {label, at.line, at.column, f.kind, secrets::marker(f.kind, std::string_view(text).substr(f.start, f.end - f.start), "")});
  }
}

std::string render_text(const Report& r) {
  std::string out;
  for (const auto& f : r.findings)
    out += f.kind + " at " + f.file + ":" + std::to_string(f.line) + ":" + std::to_string(f.column) + " " + f.marker + "\n";
  return out;
}

nlohmann::json render_json(const Report& r) {
  nlohmann::json findings = nlohmann::json::array(), errors = nlohmann::json::array();
  for (const auto& f : r.findings)
    findings.push_back({{"file", f.file}, {"line", f.line}, {"column", f.column}, {"kind", f.kind}, {"marker", f.marker}});
  for (const auto& [file, why] : r.errors) errors.push_back({{"file", file}, {"error", why}});
  return {{"findings", findings}, {"errors", errors}, {"files_scanned", r.files_scanned}, {"skipped_binary", r.binary}};
}

nlohmann::json render_sarif(const Report& r, const std::string& tool_version) {
  std::set<std::string> kinds;
  nlohmann::json results = nlohmann::json::array();
  for (const auto& f : r.findings) {
    kinds.insert(f.kind);
    results.push_back(
        {{"ruleId", f.kind},
         {"level", "error"},
         {"message", {{"text", "A " + f.kind + " secret (" + f.marker + ")"}}},
         {"locations",
          {{{"physicalLocation",
             {{"artifactLocation", {{"uri", f.file}}}, {"region", {{"startLine", f.line}, {"startColumn", f.column}}}}}}}}});
  }
  nlohmann::json rules = nlohmann::json::array();
  for (const auto& k : kinds) rules.push_back({{"id", k}, {"shortDescription", {{"text", k + " secret"}}}});
  nlohmann::json notes = nlohmann::json::array();
  for (const auto& [file, why] : r.errors)
    notes.push_back({{"level", "error"},
                     {"message", {{"text", why}}},
                     {"locations", {{{"physicalLocation", {{"artifactLocation", {{"uri", file}}}}}}}}});
  return {{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
          {"version", "2.1.0"},
          {"runs",
           {{{"tool", {{"driver", {{"name", "preloop-hook"}, {"version", tool_version}, {"rules", rules}}}}},
             {"invocations", {{{"executionSuccessful", r.errors.empty()}, {"toolExecutionNotifications", notes}}}},
             {"results", results}}}}};
}

}  // namespace preloop::scan
