#include "secrets/json_scan.h"

#include <nlohmann/json.hpp>

#include "secrets/marker.h"

namespace preloop::secrets {
namespace {

// RFC 6901 escaping of one reference token.
std::string escape_token(const std::string& k) {
  std::string out;
  for (char c : k) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out.push_back(c);
  }
  return out;
}

void walk(const nlohmann::json& v, std::string& path, const Detector& d, std::vector<Finding>& out) {
  if (v.is_string()) {
    for (Finding& f : d.scan(v.get_ref<const std::string&>())) {
      f.path = path;
      out.push_back(std::move(f));
    }
  } else if (v.is_array()) {
    for (std::size_t i = 0; i < v.size(); ++i) {
      std::size_t len = path.size();
      path += "/" + std::to_string(i);
      walk(v[i], path, d, out);
      path.resize(len);
    }
  } else if (v.is_object()) {
    for (const auto& [k, item] : v.items()) {
      std::size_t len = path.size();
      path += "/" + escape_token(k);
      walk(item, path, d, out);
      path.resize(len);
    }
  }
}

std::string line_of(const Finding& f, std::string_view text, std::string_view where, std::string_view session) {
  const Position at = position_of(text, f.start);
  std::string secret(text.substr(f.start, f.end - f.start));
  return f.kind + " at " + std::string(where) + ":" + std::to_string(at.line) + ":" + std::to_string(at.column) + " " +
         marker(f.kind, secret, session);
}

}  // namespace

Position position_of(std::string_view text, std::size_t offset) {
  Position p;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++p.line;
      p.column = 1;
    } else {
      ++p.column;
    }
  }
  return p;
}

std::vector<Finding> scan_json(const nlohmann::json& value, const Detector& detector) {
  std::vector<Finding> out;
  std::string path;
  walk(value, path, detector, out);
  return out;
}

std::vector<std::string> describe(const std::vector<Finding>& findings, std::string_view text, std::string_view label,
                                  std::string_view session_id) {
  std::vector<std::string> lines;
  for (const Finding& f : findings) lines.push_back(line_of(f, text, label, session_id));
  return lines;
}

std::vector<std::string> describe(const std::vector<Finding>& findings, const nlohmann::json& value,
                                  std::string_view label, std::string_view session_id) {
  std::vector<std::string> lines;
  for (const Finding& f : findings) {
    const nlohmann::json* s = &value;
    if (!f.path.empty()) s = &value.at(nlohmann::json::json_pointer(f.path));
    std::string_view text = s->is_string() ? std::string_view(s->get_ref<const std::string&>()) : std::string_view();
    lines.push_back(line_of(f, text, std::string(label) + f.path, session_id));
  }
  return lines;
}

}  // namespace preloop::secrets
