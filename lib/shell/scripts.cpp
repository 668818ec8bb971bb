#include "shell/scripts.h"

#include <algorithm>
#include <array>
#include <bitset>
#include <cctype>

namespace preloop::shell {

std::string interpreter_family(std::string_view n) {
  if (n.substr(0, 6) == "python" || n == "pypy" || n == "pypy3") {
    std::string_view rest = n.substr(n.substr(0, 4) == "pypy" ? 4 : 6);
    if (std::all_of(rest.begin(), rest.end(), [](char c) { return (c >= '0' && c <= '9') || c == '.'; }))
      return "python";
    return "";
  }
  if (n == "node" || n == "nodejs" || n == "bun" || n == "deno") return "node";
  if (n == "perl" || n.substr(0, 5) == "perl5") return "perl";
  if (n == "ruby" || n == "jruby") return "ruby";
  if (n == "awk" || n == "gawk" || n == "nawk" || n == "mawk" || n == "busybox-awk") return "awk";
  if (n == "php" || (n.substr(0, 3) == "php" && n.size() <= 6 && n.find_first_not_of("php0123456789.") == std::string_view::npos))
    return "php";
  return "";
}

namespace {

// The pairs of adjacent characters in a text, hashed into 4096 bits: one pass
// over the code, then a keyword with a pair the code lacks costs no scan.
class Pairs {
 public:
  explicit Pairs(std::string_view s) {
    for (std::size_t i = 0; i + 1 < s.size(); ++i) bits_.set(hash(s[i], s[i + 1]));
  }
  bool may_contain(std::string_view w) const {
    for (std::size_t i = 0; i + 1 < w.size(); ++i)
      if (!bits_.test(hash(w[i], w[i + 1]))) return false;
    return true;
  }

 private:
  static std::size_t hash(char a, char b) {
    return ((static_cast<unsigned char>(a) << 5) ^ static_cast<unsigned char>(b)) & 4095u;
  }
  std::bitset<4096> bits_;
};

bool has_any(std::string_view code, const Pairs& pairs, std::initializer_list<std::string_view> words) {
  for (auto w : words)
    if (pairs.may_contain(w) && code.find(w) != std::string_view::npos) return true;
  return false;
}

bool has_any(std::string_view code, std::initializer_list<std::string_view> words) {
  for (auto w : words)
    if (code.find(w) != std::string_view::npos) return true;
  return false;
}

}  // namespace

std::vector<std::string> script_effects(std::string_view family, std::string_view code) {
  std::vector<std::string> out;
  const Pairs pairs(code);
  bool del = has_any(code, pairs, {"rmtree", "unlink", "rmdir", "rm_rf", "rm_r", "rmSync", "fs.rm", "os.remove",
                            "send2trash", "remove_tree", "File.delete", "FileUtils.rm", "FileUtils.remove",
                            "Deno.remove", ".rm(", "rimraf", "os.removedirs", "shutil.move"});
  bool exec = has_any(code, pairs, {"os.system", "subprocess", "popen", "os.exec", "os.spawn", "pty.spawn",
                             "getoutput", "child_process", "execSync", "spawnSync", "execFile", "exec(",
                             "spawn(", "system(", "system ", "qx", "%x", "Open3", "shell_exec", "passthru",
                             "proc_open", "Deno.run", "Deno.Command", "Bun.spawn", "Bun.$", "IO.popen",
                             "exec "});
  if (family == "ruby" || family == "perl" || family == "php")
    exec = exec || code.find('`') != std::string_view::npos;
  if (family == "awk")  // print ... | "cmd", "cmd" | getline
    exec = exec || code.find("| \"") != std::string_view::npos || code.find("|\"") != std::string_view::npos ||
           code.find("getline") != std::string_view::npos;
  bool net = has_any(code, pairs, {"urllib", "requests", "http.client", "httpx", "socket", "aiohttp", "urlopen",
                            "fetch(", "http.request", "https.request", "http.get", "https.get", "net.connect",
                            "net.Socket", "axios", "XMLHttpRequest", "WebSocket", "LWP", "HTTP::", "IO::Socket",
                            "Net::", "open-uri", "URI.open", "TCPSocket", "curl_", "fsockopen", "smtplib",
                            "ftplib", "paramiko", "http://", "https://", "Socket"});
  bool write = has_any(code, pairs, {"writeFile", "appendFile", "write_text", "write_bytes", ".write(",
                              "file_put_contents", "File.write", "IO.write", "shutil.copy", "os.rename",
                              "os.replace", "chmod", "createWriteStream", "'w'", "\"w\"", "'a'", "\"a\"",
                              "'wb'", "\"wb\"", "'r+'", "\"r+\"", "'>'", "\">\"", "'+<'", "\"+<\"", "open(F", "> $", ">$", "Deno.writeTextFile"});
  bool dynamic = false;
  if (family == "python")
    dynamic = has_any(code, pairs, {"getattr(", "__import__", "import_module(", "eval(", "globals()[", "locals()[",
                                    "__dict__[", "__builtins__"});
  else if (family == "node")
    dynamic = has_any(code, pairs, {"](", "eval(", "Function(", "process.binding", "globalThis[", "global["}) ||
              (code.find("require(") != std::string_view::npos && code.find("require('") == std::string_view::npos &&
               code.find("require(\"") == std::string_view::npos && code.find("require(`") == std::string_view::npos);
  else if (family == "ruby")
    dynamic = has_any(code, pairs, {".send(", ".send ", "__send__", "public_send", "const_get", "instance_eval",
                             "class_eval", "eval(", "eval ", "method("});
  else if (family == "perl")
    dynamic = has_any(code, pairs, {"&{", "&$", "->$", "eval ", "eval(", "eval{", "can("});
  else if (family == "php")
    dynamic = has_any(code, pairs, {"call_user_func", "eval(", "$$", "${"});
  if (del) out.push_back("delete");
  if (exec) out.push_back("exec");
  if (net) out.push_back("network");
  if (write) out.push_back("write");
  if (dynamic) out.push_back("dynamic");
  return out;
}

bool forks_in_loop(std::string_view code) {
  if (code.find("fork") == std::string_view::npos) return false;
  return has_any(code, {"while", "loop", "for(;;)", "for (;;)", "until", "redo", "goto", "iter(", "count(",
                        "setInterval", "repeat"});
}

std::vector<std::string> block_devices(std::string_view code) {
  std::vector<std::string> out;
  for (std::size_t pos = code.find("/dev/"); pos != std::string_view::npos && out.size() < 8;
       pos = code.find("/dev/", pos + 5)) {
    std::size_t end = pos + 5;
    while (end < code.size() && (std::isalnum(static_cast<unsigned char>(code[end])) || code[end] == '/' ||
                                 code[end] == '-' || code[end] == '_'))
      ++end;
    std::string_view dev = code.substr(pos, end - pos);
    for (std::string_view prefix : {"/dev/sd", "/dev/hd", "/dev/vd", "/dev/xvd", "/dev/nvme", "/dev/mmcblk",
                                    "/dev/disk", "/dev/dm-", "/dev/md", "/dev/mapper/", "/dev/loop", "/dev/root"})
      if (dev.rfind(prefix, 0) == 0) {
        out.emplace_back(dev);
        break;
      }
  }
  return out;
}

std::vector<std::string> embedded_commands(std::string_view code, std::size_t max) {
  std::vector<std::string> out;
  // string literals, in order, with their positions
  struct Lit {
    std::size_t start, end;
    std::string text;
  };
  std::vector<Lit> lits;
  for (std::size_t i = 0; i < code.size() && lits.size() < max * 4;) {
    char q = code[i];
    if (q != '\'' && q != '"' && q != '`') {
      ++i;
      continue;
    }
    std::string text;
    std::size_t j = i + 1;
    while (j < code.size() && code[j] != q) {
      if (code[j] == '\\' && j + 1 < code.size()) {
        char e = code[j + 1];
        text += e == 'n' ? '\n' : e == 't' ? '\t' : e;
        j += 2;
        continue;
      }
      text += code[j++];
    }
    if (j >= code.size()) break;
    lits.push_back({i, j + 1, std::move(text)});
    i = j + 1;
  }
  auto blank_between = [&](std::size_t a, std::size_t b, char sep) {
    bool seen = false;
    for (std::size_t k = a; k < b; ++k) {
      char c = code[k];
      if (c == sep && !seen) seen = true;
      else if (c != ' ' && c != '\t' && c != '\n') return false;
    }
    return seen;
  };
  for (std::size_t k = 0; k < lits.size() && out.size() < max; ++k) {
    // a list of literals: 'a', 'b', 'c' (joined) when inside [ ... ] or ( ... )
    std::size_t e = k;
    while (e + 1 < lits.size() && blank_between(lits[e].end, lits[e + 1].start, ',')) ++e;
    if (e > k) {
      std::string joined;
      for (std::size_t m = k; m <= e; ++m) {
        if (m > k) joined += ' ';
        joined += lits[m].text;
      }
      out.push_back(std::move(joined));
      k = e;
      continue;
    }
    if (!lits[k].text.empty()) out.push_back(lits[k].text);
  }
  return out;
}

}  // namespace preloop::shell
