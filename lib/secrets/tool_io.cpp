#include "secrets/tool_io.h"

#include "secrets/dummies.h"
#include "secrets/marker.h"
#include "secrets/views.h"

namespace preloop::secrets {
namespace {

using json = nlohmann::json;

// Reports the findings in the string at pointer p of input (minus those
// whose secret also occurs in `already`) and masks them in masked, a copy of
// input made on the first finding.
// In a test or fixture file, well-known dummy values (`password123`,
// `postgres`) are fixtures, not secrets.
void check_field(const json& input, json& masked, const std::string& p, std::string_view already, const Detector& d,
                 std::string_view session, InputCheck& out, bool fixture = false) {
  json::json_pointer ptr(p);
  if (!input.contains(ptr) || !input.at(ptr).is_string()) return;
  const std::string& s = input.at(ptr).get_ref<const std::string&>();
  std::vector<Finding> found;
  std::vector<Finding> all = d.scan(s);
  add_view_findings(d, s, out.kind == InputKind::Command ? (kJoined | kBlockScalars | kEncoded) : kAllViews, all);
  for (Finding& f : all) {
    std::string_view secret = std::string_view(s).substr(f.start, f.end - f.start);
    if (!already.empty() && already.find(secret) != std::string_view::npos) continue;
    if (fixture && (f.generic || f.kind == "url-password" || f.kind == "database-url") && well_known_dummy(secret))
      continue;
    f.path = p;
    found.push_back(std::move(f));
  }
  if (found.empty()) return;
  out.findings.insert(out.findings.end(), found.begin(), found.end());
  if (masked.is_null()) masked = input;
  apply_masks(masked[ptr].get_ref<std::string&>(), found, session);
}

std::string_view string_at(const json& doc, const char* key) {
  auto it = doc.find(key);
  return it != doc.end() && it->is_string() ? std::string_view(it->get_ref<const std::string&>()) : std::string_view();
}

bool binary_payload(const json& obj, const std::string& key) {
  if (key == "base64") return true;
  if (key != "data") return false;
  if (obj.contains("mimeType") || obj.contains("mime_type") || obj.contains("media_type")) return true;
  auto t = obj.find("type");
  return t != obj.end() && t->is_string() && (*t == "image" || *t == "audio" || *t == "blob");
}

// Tool output: block scalars too; a string that is one encoded run (a `data`
// field) is decoded. Encoded runs inside text are not looked for: not in every
// line of a build log.
std::vector<Finding> text_findings(const Detector& d, std::string_view s) {
  std::vector<Finding> found = d.scan(s);
  add_view_findings(d, s, kBlockScalars, found);
  if (found.empty() && encoded_string(s)) found = payload_findings(d, s);
  return found;
}

// The findings of every key and string in v, in walk order: an object's keys
// (a secret can be a key), then its values; binary payloads (`base64`, `data`
// of an image) by their token formats and decoded text.
void scan_strings(const json& v, const Detector& d, std::vector<std::vector<Finding>>& found, std::size_t& count) {
  if (v.is_string()) {
    found.push_back(text_findings(d, v.get_ref<const std::string&>()));
    count += found.back().size();
  } else if (v.is_array()) {
    for (const auto& item : v) scan_strings(item, d, found, count);
  } else if (v.is_object()) {
    for (auto it = v.begin(); it != v.end(); ++it) {
      found.push_back(text_findings(d, it.key()));
      count += found.back().size();
    }
    for (auto it = v.begin(); it != v.end(); ++it) {
      if (binary_payload(v, it.key()) && it.value().is_string()) {
        found.push_back(payload_findings(d, it.value().get_ref<const std::string&>()));
        count += found.back().size();
      } else {
        scan_strings(it.value(), d, found, count);
      }
    }
  }
}

// Masks the keys and strings of v (a copy of what scan_strings walked) with their findings, in the same order.
void mask_strings(json& v, std::vector<std::vector<Finding>>::const_iterator& found, std::string_view session) {
  if (v.is_string()) {
    apply_masks(v.get_ref<std::string&>(), *found++, session);
  } else if (v.is_array()) {
    for (auto& item : v) mask_strings(item, found, session);
  } else if (v.is_object()) {
    std::vector<std::pair<std::string, std::string>> renames;
    for (auto it = v.begin(); it != v.end(); ++it) {
      const std::vector<Finding>& f = *found++;
      if (f.empty()) continue;
      std::string key = it.key();
      apply_masks(key, f, session);
      renames.emplace_back(it.key(), std::move(key));
    }
    for (auto it = v.begin(); it != v.end(); ++it) {
      if (binary_payload(v, it.key()) && it.value().is_string()) apply_masks(it.value().get_ref<std::string&>(), *found++, session);
      else mask_strings(it.value(), found, session);
    }
    for (auto& [from, to] : renames) {
      json value = std::move(v[from]);
      v.erase(from);
      v[to] = std::move(value);
    }
  }
}

// Fields whose values are enums or names in the tools' schemas: kept, or the
// replacement output would fail validation and be ignored.
bool schema_field(const std::string& key) {
  return key == "type" || key == "mode" || key == "mimeType" || key == "mime_type" || key == "media_type" ||
         key == "filePath" || key == "file_path" || key == "codeText";
}

void replace_strings(json& v, const std::string& notice) {
  if (v.is_string()) {
    if (!v.get_ref<const std::string&>().empty()) v = notice;
  } else if (v.is_array()) {
    for (auto& item : v) replace_strings(item, notice);
  } else if (v.is_object()) {
    for (auto it = v.begin(); it != v.end(); ++it)
      if (!schema_field(it.key())) replace_strings(it.value(), notice);
  }
}

}  // namespace

InputKind classify_tool(std::string_view t) {
  if (t == "Write" || t == "Edit" || t == "MultiEdit" || t == "NotebookEdit") return InputKind::FileWrite;
  if (t == "Bash" || t == "PowerShell") return InputKind::Command;
  return InputKind::Other;
}

InputCheck check_tool_input(std::string_view tool_name, const json& tool_input, const Detector& detector,
                            std::string_view session_id) {
  InputCheck out;
  out.kind = classify_tool(tool_name);
  if (out.kind == InputKind::Other || !tool_input.is_object()) return out;
  json doc;  // the masked input, copied on the first finding
  std::string_view file = string_at(tool_input, "file_path");
  if (file.empty()) file = string_at(tool_input, "notebook_path");
  const bool fixture = out.kind == InputKind::FileWrite && fixture_path(file);
  if (tool_name == "Write") {
    check_field(tool_input, doc, "/content", {}, detector, session_id, out, fixture);
  } else if (tool_name == "Edit") {
    check_field(tool_input, doc, "/new_string", string_at(tool_input, "old_string"), detector, session_id, out,
                fixture);
  } else if (tool_name == "MultiEdit") {
    if (auto it = tool_input.find("edits"); it != tool_input.end() && it->is_array())
      for (std::size_t i = 0; i < it->size(); ++i)
        if ((*it)[i].is_object())
          check_field(tool_input, doc, "/edits/" + std::to_string(i) + "/new_string",
                      string_at((*it)[i], "old_string"), detector, session_id, out, fixture);
  } else if (tool_name == "NotebookEdit") {
    check_field(tool_input, doc, "/new_source", {}, detector, session_id, out, fixture);
  } else {
    check_field(tool_input, doc, "/command", {}, detector, session_id, out);
  }
  out.masked = std::move(doc);
  return out;
}

json mask_tool_output(const json& tool_response, const Detector& detector, std::string_view session_id,
                      std::size_t* masked) {
  std::vector<std::vector<Finding>> found;
  std::size_t count = 0;
  scan_strings(tool_response, detector, found, count);
  if (masked) *masked = count;
  if (count == 0) return nullptr;  // the usual case: no copy of the output
  json copy = tool_response;
  auto it = found.cbegin();
  mask_strings(copy, it, session_id);
  return copy;
}

json withhold_tool_output(const json& tool_response, const std::string& notice, std::string_view tool_name) {
  if (tool_response.is_null()) {
    if (tool_name == "Bash")
      return {{"stdout", notice}, {"stderr", ""}, {"interrupted", false}, {"isImage", false}};
    return notice;
  }
  json copy = tool_response;
  replace_strings(copy, notice);
  return copy;
}

}  // namespace preloop::secrets
