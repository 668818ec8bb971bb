#include "policy/template.h"

namespace preloop::policy {
namespace {

std::string trim(std::string s) {
  auto b = s.find_first_not_of(" \t");
  auto e = s.find_last_not_of(" \t");
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

}  // namespace

std::string render_template(const std::string& text, const nlohmann::json& args) {
  std::string out;
  std::size_t pos = 0;
  while (true) {
    auto open = text.find("{{", pos);
    if (open == std::string::npos) break;
    auto close = text.find("}}", open + 2);
    if (close == std::string::npos) break;
    out.append(text, pos, open - pos);
    std::string key = trim(text.substr(open + 2, close - open - 2));
    const nlohmann::json* v = nullptr;
    if (key.rfind("args.", 0) == 0) {
      v = &args;
      std::size_t s = 5;
      while (v && s <= key.size()) {
        auto dot = key.find('.', s);
        auto part = key.substr(s, dot == std::string::npos ? std::string::npos : dot - s);
        auto it = v->is_object() ? v->find(part) : v->end();
        v = (v->is_object() && it != v->end()) ? &*it : nullptr;
        if (dot == std::string::npos) break;
        s = dot + 1;
      }
    }
    if (v) out += v->is_string() ? v->get<std::string>() : v->dump();
    else out.append(text, open, close + 2 - open);  // unknown: keep as written
    pos = close + 2;
  }
  out.append(text, pos);
  return out;
}

}  // namespace preloop::policy
