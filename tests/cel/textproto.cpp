#include "textproto.h"

#include <cstdint>

namespace celtest {

const TextNode* TextNode::get(std::string_view name) const {
  for (const auto& [n, v] : fields) {
    if (n == name) return &v;
  }
  return nullptr;
}

std::vector<const TextNode*> TextNode::all(std::string_view name) const {
  std::vector<const TextNode*> out;
  for (const auto& [n, v] : fields) {
    if (n == name) out.push_back(&v);
  }
  return out;
}

namespace {

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

int hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

class Reader {
 public:
  explicit Reader(std::string_view s) : s_(s) {}

  TextParse run() {
    TextParse out;
    out.root.is_message = true;
    if (!fields(out.root, '\0')) out.error = error_ + " at byte " + std::to_string(pos_);
    return out;
  }

 private:
  std::string_view s_;
  std::size_t pos_ = 0;
  std::string error_;

  bool fail(std::string m) {
    if (error_.empty()) error_ = std::move(m);
    return false;
  }

  void skip() {
    while (pos_ < s_.size()) {
      char c = s_[pos_];
      if (c == '#') {
        while (pos_ < s_.size() && s_[pos_] != '\n') ++pos_;
      } else if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',' || c == ';') {
        ++pos_;
      } else {
        return;
      }
    }
  }

  static bool word_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
           c == '-' || c == '+';
  }

  bool fields(TextNode& msg, char close) {
    while (true) {
      skip();
      if (pos_ >= s_.size()) return close == '\0' ? true : fail("unexpected end of input");
      if (s_[pos_] == close) {
        ++pos_;
        return true;
      }
      std::string name;
      if (s_[pos_] == '[') {  // extension or Any type URL
        std::size_t end = s_.find(']', pos_);
        if (end == std::string_view::npos) return fail("unterminated [name]");
        name = std::string(s_.substr(pos_, end - pos_ + 1));
        pos_ = end + 1;
      } else {
        std::size_t start = pos_;
        while (pos_ < s_.size() && word_char(s_[pos_])) ++pos_;
        if (pos_ == start) return fail(std::string("unexpected character '") + s_[pos_] + "'");
        name = std::string(s_.substr(start, pos_ - start));
      }
      skip();
      bool colon = false;
      if (pos_ < s_.size() && s_[pos_] == ':') {
        colon = true;
        ++pos_;
        skip();
      }
      if (pos_ >= s_.size()) return fail("missing value");
      TextNode value;
      char c = s_[pos_];
      if (c == '{' || c == '<') {
        ++pos_;
        value.is_message = true;
        if (!fields(value, c == '{' ? '}' : '>')) return false;
      } else if (!colon) {
        return fail("expected ':' after field " + name);
      } else if (c == '"' || c == '\'') {
        value.is_string = true;
        while (pos_ < s_.size() && (s_[pos_] == '"' || s_[pos_] == '\'')) {
          if (!string_lit(value.text)) return false;
          skip();
        }
      } else {
        std::size_t start = pos_;
        while (pos_ < s_.size() && word_char(s_[pos_])) ++pos_;
        if (pos_ == start) return fail("bad scalar for field " + name);
        value.text = std::string(s_.substr(start, pos_ - start));
      }
      msg.fields.emplace_back(std::move(name), std::move(value));
    }
  }

  bool string_lit(std::string& out) {
    char q = s_[pos_++];
    while (true) {
      if (pos_ >= s_.size()) return fail("unterminated string");
      char c = s_[pos_++];
      if (c == q) return true;
      if (c != '\\') {
        out.push_back(c);
        continue;
      }
      if (pos_ >= s_.size()) return fail("unterminated escape");
      char e = s_[pos_++];
      switch (e) {
        case 'a': out.push_back('\a'); break;
        case 'b': out.push_back('\b'); break;
        case 'f': out.push_back('\f'); break;
        case 'n': out.push_back('\n'); break;
        case 'r': out.push_back('\r'); break;
        case 't': out.push_back('\t'); break;
        case 'v': out.push_back('\v'); break;
        case '\\': case '\'': case '"': case '?': out.push_back(e); break;
        case 'x': case 'X': {
          int v = 0, n = 0;
          while (n < 2 && pos_ < s_.size() && hex(s_[pos_]) >= 0) {
            v = v * 16 + hex(s_[pos_++]);
            ++n;
          }
          if (n == 0) return fail("bad \\x escape");
          out.push_back(static_cast<char>(v));
          break;
        }
        case 'u': case 'U': {
          int n = e == 'u' ? 4 : 8;
          std::uint32_t v = 0;
          for (int i = 0; i < n; ++i) {
            if (pos_ >= s_.size() || hex(s_[pos_]) < 0) return fail("bad unicode escape");
            v = v * 16 + static_cast<std::uint32_t>(hex(s_[pos_++]));
          }
          append_utf8(out, v);
          break;
        }
        default:
          if (e >= '0' && e <= '7') {
            int v = e - '0', n = 1;
            while (n < 3 && pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '7') {
              v = v * 8 + (s_[pos_++] - '0');
              ++n;
            }
            out.push_back(static_cast<char>(v));
            break;
          }
          return fail(std::string("unknown escape \\") + e);
      }
    }
  }
};

}  // namespace

TextParse parse_text_proto(std::string_view text) { return Reader(text).run(); }

}  // namespace celtest
