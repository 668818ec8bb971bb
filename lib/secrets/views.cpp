#include "secrets/views.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>

namespace preloop::secrets {
namespace {

// A rewritten text and, for each of its bytes, the offset of the original byte it came from.
struct Rewritten {
  std::string text;
  std::vector<std::size_t> origin;
  void put(char c, std::size_t from) {
    text.push_back(c);
    origin.push_back(from);
  }
};

bool overlaps(const std::vector<Finding>& found, std::size_t start, std::size_t end) {
  return std::any_of(found.begin(), found.end(), [&](const Finding& f) { return f.start < end && start < f.end; });
}

void add(std::vector<Finding>& found, std::vector<Finding>& added, Finding f) {
  if (f.end <= f.start || overlaps(found, f.start, f.end) || overlaps(added, f.start, f.end)) return;
  added.push_back(std::move(f));
}

// Findings of a rewritten view, mapped back through its origin table.
void scan_rewritten(const Detector& d, const Rewritten& r, std::vector<Finding>& found, std::vector<Finding>& added) {
  for (Finding f : d.scan(r.text)) {
    if (f.end == 0 || f.end > r.origin.size()) continue;
    std::size_t s = r.origin[f.start], e = r.origin[f.end - 1] + 1;
    f.start = s;
    f.end = e;
    add(found, added, std::move(f));
  }
}

bool is_operator(char c) { return c == '|' || c == ';' || c == '&' || c == '<' || c == '>' || c == '\n'; }

// Quotes dropped (adjacent quoted pieces join), then `printf FORMAT ARGS`
// with a format of only %s conversions: the arguments joined.
Rewritten joined(std::string_view text) {
  Rewritten q;
  q.text.reserve(text.size());
  q.origin.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\'' || c == '"') continue;
    if (c == '\\' && i + 1 < text.size() && text[i + 1] == '\n') {
      ++i;
      continue;
    }
    q.put(c, i);
  }
  const std::string& t = q.text;
  if (t.find("printf") == std::string::npos) return q;
  Rewritten r;
  std::size_t i = 0;
  while (i < t.size()) {
    std::size_t p = t.find("printf ", i);
    if (p == std::string::npos) break;
    for (std::size_t k = i; k < p + 7; ++k) r.put(t[k], q.origin[k]);
    i = p + 7;
    while (i < t.size() && t[i] == ' ') ++i;
    std::size_t fmt_end = t.find_first_of(" \t", i);
    if (fmt_end == std::string::npos) fmt_end = t.size();
    std::string_view fmt = std::string_view(t).substr(i, fmt_end - i);
    bool only_s = fmt.size() >= 4 && fmt.size() % 2 == 0;
    for (std::size_t k = 0; only_s && k < fmt.size(); k += 2) only_s = fmt[k] == '%' && fmt[k + 1] == 's';
    if (!only_s) continue;
    i = fmt_end;
    while (i < t.size() && !is_operator(t[i])) {  // the arguments, without the blanks between them
      if (t[i] != ' ' && t[i] != '\t') r.put(t[i], q.origin[i]);
      ++i;
    }
  }
  for (; i < t.size(); ++i) r.put(t[i], q.origin[i]);
  return r;
}

// `key: |` (or `>`, with chomping and indentation indicators) followed by a
// more indented line: "key: <that line>".
Rewritten block_scalars(std::string_view text) {
  Rewritten r;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    std::string_view line = text.substr(pos, eol - pos);
    std::size_t indent = line.find_first_not_of(" \t");
    std::size_t colon = line.find(':');
    if (indent != std::string_view::npos && colon != std::string_view::npos && colon > indent) {
      std::string_view rest = line.substr(colon + 1);
      std::size_t a = rest.find_first_not_of(" \t");
      std::size_t b = rest.find_last_not_of(" \t\r");
      std::string_view ind = a == std::string_view::npos ? std::string_view() : rest.substr(a, b - a + 1);
      bool block = !ind.empty() && (ind[0] == '|' || ind[0] == '>') && ind.size() <= 3 &&
                   ind.find_first_not_of("|>-+123456789", 1) == std::string_view::npos;
      if (block && eol < text.size()) {
        std::size_t next = eol + 1;
        std::size_t next_eol = text.find('\n', next);
        if (next_eol == std::string_view::npos) next_eol = text.size();
        std::string_view body = text.substr(next, next_eol - next);
        std::size_t bi = body.find_first_not_of(" \t");
        std::size_t be = body.find_last_not_of(" \t\r");
        if (bi != std::string_view::npos && bi > indent) {
          for (std::size_t k = pos + indent; k <= pos + colon; ++k) r.put(text[k], k);
          r.put(' ', pos + colon);
          for (std::size_t k = next + bi; k <= next + be; ++k) r.put(text[k], k);
          r.put('\n', next_eol == text.size() ? next_eol - 1 : next_eol);
        }
      }
    }
    pos = eol + 1;
  }
  return r;
}

constexpr auto kB64Chars = [] {
  std::array<bool, 256> t{};
  for (int c = 0; c < 256; ++c)
    t[c] = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/' ||
           c == '=' || c == '-' || c == '_';
  return t;
}();

bool b64_char(unsigned char c) { return kB64Chars[c]; }

// Some `:` followed by blanks and a `|` or `>` indicator: one pass over the text.
bool has_block_scalar(std::string_view text) {
  for (std::size_t i = text.find(':'); i != std::string_view::npos; i = text.find(':', i + 1)) {
    std::size_t k = i + 1;
    while (k < text.size() && (text[k] == ' ' || text[k] == '\t')) ++k;
    if (k < text.size() && (text[k] == '|' || text[k] == '>')) return true;
  }
  return false;
}

int b64_value(unsigned char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+' || c == '-') return 62;
  if (c == '/' || c == '_') return 63;
  return -1;
}

std::string decode(std::string_view run) {
  std::string out;
  bool hex = run.size() % 2 == 0 && run.size() >= 32 &&
             std::all_of(run.begin(), run.end(), [](unsigned char c) { return std::isxdigit(c); });
  if (hex) {
    auto nibble = [](unsigned char c) { return std::isdigit(c) ? c - '0' : (std::tolower(c) - 'a' + 10); };
    for (std::size_t i = 0; i + 1 < run.size(); i += 2)
      out.push_back(static_cast<char>(nibble(static_cast<unsigned char>(run[i])) * 16 +
                                      nibble(static_cast<unsigned char>(run[i + 1]))));
    return out;
  }
  unsigned acc = 0;
  int bits = 0;
  for (unsigned char c : run) {
    if (c == '=') break;
    int v = b64_value(c);
    if (v < 0) return {};
    acc = (acc << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  return out;
}

bool mostly_text(std::string_view s) {
  if (s.size() < 16) return false;
  std::size_t printable = 0;
  for (unsigned char c : s) printable += (c >= 0x20 && c < 0x7f) || c == '\n' || c == '\r' || c == '\t';
  return printable * 100 >= s.size() * 95;
}

void encoded(const Detector& d, std::string_view text, std::vector<Finding>& found, std::vector<Finding>& added) {
  std::size_t runs = 0, decoded_bytes = 0;
  std::size_t i = 0;
  while (i < text.size() && runs < 256 && decoded_bytes < (1u << 20)) {
    if (!b64_char(static_cast<unsigned char>(text[i]))) {
      ++i;
      continue;
    }
    std::size_t start = i;
    while (i < text.size() && b64_char(static_cast<unsigned char>(text[i]))) ++i;
    std::size_t len = i - start;
    if (len < 24 || len > 16384 || overlaps(found, start, i)) continue;
    ++runs;
    std::string plain = decode(text.substr(start, len));
    decoded_bytes += plain.size();
    if (!mostly_text(plain)) continue;
    for (const Finding& f : d.scan(plain))
      if (!f.generic) add(found, added, Finding{f.kind, start, i, false, {}});
  }
}

void reversed(const Detector& d, std::string_view text, std::vector<Finding>& found, std::vector<Finding>& added) {
  if (text.size() > (256u << 10)) return;
  std::string r(text.rbegin(), text.rend());
  const std::size_t n = text.size();
  for (Finding f : d.scan(r)) {
    if (f.generic) continue;
    std::size_t s = n - f.end, e = n - f.start;
    f.start = s;
    f.end = e;
    add(found, added, std::move(f));
  }
}

}  // namespace

bool encoded_string(std::string_view s) {
  return s.size() >= 24 && std::all_of(s.begin(), s.end(), [](unsigned char c) { return b64_char(c); });
}

std::vector<Finding> payload_findings(const Detector& d, std::string_view payload) {
  std::vector<Finding> out;
  for (Finding& f : d.scan(payload))
    if (!f.generic) out.push_back(std::move(f));
  if (payload.size() > (4u << 20) || !out.empty()) return out;
  std::string plain = decode(payload);
  if (!mostly_text(plain)) return out;
  for (const Finding& f : d.scan(plain))
    if (!f.generic) return {Finding{f.kind, 0, payload.size(), false, {}}};
  return out;
}

void add_view_findings(const Detector& d, std::string_view text, unsigned views, std::vector<Finding>& found) {
  std::vector<Finding> added;
  if ((views & kJoined) && (text.find_first_of("'\"") != std::string_view::npos || text.find("printf") != std::string_view::npos)) {
    Rewritten j = joined(text);
    if (j.text.size() != text.size()) scan_rewritten(d, j, found, added);
  }
  if ((views & kBlockScalars) && has_block_scalar(text)) {
    Rewritten b = block_scalars(text);
    if (!b.text.empty()) scan_rewritten(d, b, found, added);
  }
  if (views & kEncoded) encoded(d, text, found, added);
  if (views & kReversed) reversed(d, text, found, added);
  if (added.empty()) return;
  found.insert(found.end(), added.begin(), added.end());
  std::sort(found.begin(), found.end(), [](const Finding& a, const Finding& b) { return a.start < b.start; });
}

}  // namespace preloop::secrets
