#include "protocol/json_size.h"

#include <string>

namespace preloop::protocol {
namespace {

std::size_t string_size(const std::string& s) {
  std::size_t n = 2 + s.size();
  for (unsigned char c : s) {
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    bool short_escape = c == '"' || c == '\\' || c == '\b' || c == '\f' || c == '\n' || c == '\r' || c == '\t';
    n += short_escape ? 1 : 5;  // \n, or \u001f
  }
  return n;
}

}  // namespace

std::size_t dumped_size(const nlohmann::json& j) {
  using V = nlohmann::json::value_t;
  switch (j.type()) {
    case V::null: return 4;
    case V::boolean: return j.get<bool>() ? 4 : 5;
    case V::string: return string_size(j.get_ref<const std::string&>());
    case V::array: {
      std::size_t n = 2 + (j.empty() ? 0 : j.size() - 1);
      for (const auto& v : j) n += dumped_size(v);
      return n;
    }
    case V::object: {
      std::size_t n = 2 + (j.empty() ? 0 : j.size() - 1);
      for (auto it = j.begin(); it != j.end(); ++it) n += string_size(it.key()) + 1 + dumped_size(it.value());
      return n;
    }
    default: return j.dump().size();  // numbers and binary: short
  }
}

}  // namespace preloop::protocol
