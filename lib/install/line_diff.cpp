#include "install/line_diff.h"

#include <algorithm>
#include <vector>

namespace preloop::install {

namespace {

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

struct Op {
  char kind;  // ' ', '-', '+'
  std::size_t a, b;  // line indexes in old/new (for ' ' and '-': a; for '+': b)
};

// Edit script from a longest-common-subsequence table. Settings files are
// small (hundreds of lines), so the quadratic table is fine here.
std::vector<Op> edit_script(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  std::size_t n = a.size(), m = b.size();
  std::vector<std::vector<unsigned>> lcs(n + 1, std::vector<unsigned>(m + 1, 0));
  for (std::size_t i = n; i-- > 0;)
    for (std::size_t j = m; j-- > 0;)
      lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
  std::vector<Op> ops;
  std::size_t i = 0, j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] == b[j]) {
      ops.push_back({' ', i++, j++});
    } else if (i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1])) {
      ops.push_back({'-', i++, j});
    } else {
      ops.push_back({'+', i, j++});
    }
  }
  return ops;
}

}  // namespace

std::string unified_diff(const std::string& old_text, const std::string& new_text, const std::string& old_name,
                         const std::string& new_name, int context) {
  if (old_text == new_text) return "";
  auto a = split_lines(old_text), b = split_lines(new_text);
  auto ops = edit_script(a, b);
  std::string out = "--- " + old_name + "\n+++ " + new_name + "\n";
  std::size_t k = 0;
  while (k < ops.size()) {
    if (ops[k].kind == ' ') {
      ++k;
      continue;
    }
    // A hunk: from `context` lines before this change to `context` lines after
    // the last change that is within 2*context lines of the previous one.
    std::size_t begin = k >= static_cast<std::size_t>(context) ? k - context : 0;
    std::size_t end = k;
    std::size_t last_change = k;
    while (end < ops.size()) {
      if (ops[end].kind != ' ') last_change = end;
      else if (end - last_change > static_cast<std::size_t>(2 * context)) break;
      ++end;
    }
    end = std::min(ops.size(), last_change + 1 + context);
    std::size_t old_start = ops[begin].a, new_start = ops[begin].b, old_count = 0, new_count = 0;
    std::string body;
    for (std::size_t x = begin; x < end; ++x) {
      const Op& op = ops[x];
      if (op.kind == ' ') {
        body += " " + a[op.a] + "\n";
        ++old_count;
        ++new_count;
      } else if (op.kind == '-') {
        body += "-" + a[op.a] + "\n";
        ++old_count;
      } else {
        body += "+" + b[op.b] + "\n";
        ++new_count;
      }
    }
    out += "@@ -" + std::to_string(old_count ? old_start + 1 : old_start) + "," + std::to_string(old_count) + " +" +
           std::to_string(new_count ? new_start + 1 : new_start) + "," + std::to_string(new_count) + " @@\n" + body;
    k = end;
  }
  return out;
}

}  // namespace preloop::install
