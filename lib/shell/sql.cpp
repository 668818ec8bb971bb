#include "shell/sql.h"

namespace preloop::shell {

std::string sql_text(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  auto space = [&out] {
    if (!out.empty() && out.back() != ' ') out += ' ';
  };
  char quote = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char ch = s[i];
    if (quote) {
      out += static_cast<char>(ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch);
      if (ch == quote) quote = 0;
      continue;
    }
    if (ch == '\'' || ch == '"' || ch == '`') {
      quote = ch;
      out += ch;
    } else if ((ch == '-' && i + 1 < s.size() && s[i + 1] == '-' &&
                !(i == 0 && i + 2 < s.size() && s[i + 2] >= 'a' && s[i + 2] <= 'z')) ||  // not --option=
               ch == '#') {
      while (i < s.size() && s[i] != '\n') ++i;
      space();
    } else if (ch == '/' && i + 1 < s.size() && s[i + 1] == '*') {
      if (i + 2 < s.size() && s[i + 2] == '!') {  // MySQL executable comment: its body runs
        i += 2;
        while (i + 1 < s.size() && (s[i + 1] >= '0' && s[i + 1] <= '9')) ++i;  // version number
        space();
        continue;
      }
      std::size_t end = s.find("*/", i + 2);
      i = end == std::string_view::npos ? s.size() : end + 1;
      space();
    } else if (ch == '*' && i + 1 < s.size() && s[i + 1] == '/') {  // end of an executable comment
      ++i;
      space();
    } else if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f' || ch == '\v') {
      space();
    } else {
      out += static_cast<char>(ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch);
    }
  }
  if (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

}  // namespace preloop::shell
