#include "protocol/event.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "protocol/json_depth.h"
#include "protocol/json_fast.h"

namespace preloop::protocol {
namespace {

std::string string_field(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return {};
  if (!it->is_string())
    throw ProtocolError(std::string("field '") + key + "' must be a string, got " + it->type_name());
  return it->get<std::string>();
}

// An informational field: its text when it is a string, else empty.
std::string text_field(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

EventKind kind_of(const std::string& name) {
  if (name == "PreToolUse") return EventKind::PreToolUse;
  if (name == "PostToolUse") return EventKind::PostToolUse;
  if (name == "PostToolUseFailure") return EventKind::PostToolUseFailure;
  if (name == "ConfigChange") return EventKind::ConfigChange;
  if (name == "InstructionsLoaded") return EventKind::InstructionsLoaded;
  if (name == "PreSkillShellCommand") return EventKind::PreSkillShellCommand;
  if (name == "UserPromptSubmit") return EventKind::UserPromptSubmit;
  if (name == "SessionStart" || name == "SessionEnd" || name == "Stop" || name == "SubagentStart" ||
      name == "SubagentStop")
    return EventKind::Session;
  return EventKind::Other;
}

}  // namespace

bool is_tool_event(EventKind kind) {
  return kind == EventKind::PreToolUse || kind == EventKind::PostToolUse || kind == EventKind::PostToolUseFailure ||
         kind == EventKind::PreSkillShellCommand;
}

HookEvent parse_event(std::string_view text) {
  nlohmann::json j;
  if (std::optional<nlohmann::json> fast = parse_json_fast(text)) {
    j = std::move(*fast);
  } else {
    // The fast parser stops at kMaxJsonDepth; nothing deeper reaches a parser
    // or, later, any recursive walk over the event.
    if (json_too_deep(text))
      throw ProtocolError("hook input nests JSON deeper than " + std::to_string(kMaxJsonDepth) +
                          " levels; refused before parsing");
    try {
      j = nlohmann::json::parse(text.begin(), text.end());
    } catch (const nlohmann::json::parse_error& e) {
      if (text.find_first_not_of(" \t\r\n") == std::string_view::npos)
        throw ProtocolError("empty hook input: expected one JSON event on stdin");
      // Without the parser's "last read" excerpt: it may quote a secret from a
      // tool's output, and this reason is shown to the model.
      std::string why = e.what();
      if (auto cut = why.find("; last read"); cut != std::string::npos) why.erase(cut);
      throw ProtocolError("hook input is not valid JSON (" + why + ")");
    }
  }
  if (!j.is_object()) throw ProtocolError(std::string("hook input must be a JSON object, got ") + j.type_name());

  HookEvent ev;
  ev.raw_size = text.size();
  ev.event_name = string_field(j, "hook_event_name");
  ev.kind = kind_of(ev.event_name);
  ev.session_id = string_field(j, "session_id");
  ev.transcript_path = string_field(j, "transcript_path");
  ev.cwd = string_field(j, "cwd");
  ev.permission_mode = string_field(j, "permission_mode");
  ev.agent_id = string_field(j, "agent_id");
  ev.agent_type = string_field(j, "agent_type");
  ev.tool_use_id = string_field(j, "tool_use_id");
  ev.prompt_id = string_field(j, "prompt_id");
  ev.tool_name = string_field(j, "tool_name");
  ev.error = string_field(j, "error");
  if (ev.kind == EventKind::ConfigChange || ev.kind == EventKind::InstructionsLoaded) {
    ev.source = string_field(j, "source");
    ev.file_path = string_field(j, "file_path");
    ev.memory_type = string_field(j, "memory_type");
    ev.load_reason = string_field(j, "load_reason");
  } else if (ev.kind == EventKind::UserPromptSubmit || ev.kind == EventKind::Session) {
    ev.prompt = string_field(j, "prompt");
    ev.source = text_field(j, "source");
    ev.session_title = text_field(j, "session_title");
    ev.model = text_field(j, "model");
    ev.reason = text_field(j, "reason");
  } else if (ev.kind == EventKind::PreSkillShellCommand) {
    ev.command_name = text_field(j, "command_name");
    ev.invoked_by = text_field(j, "invoked_by");
  }

  bool tool_event = is_tool_event(ev.kind);
  if (ev.event_name.empty()) throw ProtocolError("hook input has no 'hook_event_name'");
  if (tool_event && ev.tool_name.empty()) throw ProtocolError("hook input has no 'tool_name'");

  if (auto it = j.find("tool_input"); it != j.end() && !it->is_null()) {
    if (!it->is_object())
      throw ProtocolError(std::string("'tool_input' must be a JSON object, got ") + it->type_name());
    ev.tool_input = std::move(*it);
  } else if (ev.kind == EventKind::PreToolUse || ev.kind == EventKind::PreSkillShellCommand) {
    throw ProtocolError(ev.event_name + " input has no 'tool_input'");
  }
  if (auto it = j.find("tool_response"); it != j.end()) ev.tool_response = std::move(*it);
  if (auto it = j.find("duration_ms"); it != j.end() && it->is_number()) ev.duration_ms = it->get<std::int64_t>();
  return ev;
}

namespace {

// After the opening quote of a string token; returns the position after the closing quote.
const char* skip_string(const char* p, const char* end) {
  while (p < end && *p != '"') p += *p == '\\' ? 2 : 1;
  return p < end ? p + 1 : end;
}

const char* skip_ws(const char* p, const char* end) {
  while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')) ++p;
  return p;
}

// The decoded value of a complete string token (quotes included); empty when invalid.
std::string decode_string(std::string_view token) {
  if (token.find('\\') == std::string_view::npos) return std::string(token.substr(1, token.size() - 2));
  auto j = parse_json_fast(token);
  return j && j->is_string() ? j->get<std::string>() : std::string();
}

}  // namespace

HookEvent sniff_event(std::string_view text) {
  HookEvent ev;
  ev.raw_size = text.size();
  const char* p = text.data();
  const char* end = p + text.size();
  p = skip_ws(p, end);
  if (p == end || *p != '{') return ev;
  std::string* const fields[] = {&ev.event_name, &ev.tool_name, &ev.session_id, &ev.tool_use_id, &ev.cwd};
  constexpr std::string_view names[] = {"\"hook_event_name\"", "\"tool_name\"", "\"session_id\"", "\"tool_use_id\"",
                                        "\"cwd\""};
  int depth = 0, found = 0;
  while (p < end && found < 5) {
    const char c = *p++;
    if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      if (--depth <= 0) break;
    } else if (c == '"') {
      const char* start = p - 1;
      p = skip_string(p, end);
      if (depth != 1) continue;
      const char* colon = skip_ws(p, end);
      if (colon == end || *colon != ':') continue;  // a value, not a key
      const std::string_view key(start, std::size_t(p - start));
      for (int i = 0; i < 5; ++i) {
        if (key != names[i] || !fields[i]->empty()) continue;
        const char* v = skip_ws(colon + 1, end);
        if (v == end || *v != '"') break;
        const char* v_end = skip_string(v + 1, end);
        if (v_end[-1] != '"' || v_end - v < 2) break;  // cut off inside the value
        *fields[i] = decode_string(std::string_view(v, std::size_t(v_end - v)));
        ++found;
        p = v_end;
        break;
      }
    }
  }
  ev.kind = kind_of(ev.event_name);
  return ev;
}

std::string read_all_capped(int fd, std::size_t max_bytes, std::string* head) {
  // Read straight into the string (no bounce buffer), sized from what the
  // file or pipe holds, then growing geometrically; at most one byte past the cap.
  std::string out;
  std::size_t used = 0, chunk = 4096;
  struct stat st {};
  int pending = 0;
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0)
    chunk = static_cast<std::size_t>(st.st_size) + 1;
  else if (::ioctl(fd, FIONREAD, &pending) == 0 && pending > 0)
    chunk = static_cast<std::size_t>(pending) + 1;
  out.resize(std::min(chunk, max_bytes + 1));
  for (;;) {
    if (used == out.size()) {  // full: grow
      chunk = std::min<std::size_t>(chunk * 2, 4 << 20);
      out.resize(std::min(used + chunk, max_bytes + 1));
    }
    ssize_t n = ::read(fd, out.data() + used, out.size() - used);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw ProtocolError(std::string("cannot read hook input: ") + std::strerror(errno));
    }
    used += static_cast<std::size_t>(n);
    if (used > max_bytes) {
      if (head) {
        out.resize(max_bytes);
        *head = std::move(out);
      }
      throw ProtocolError("hook input exceeds the size cap of " + std::to_string(max_bytes) +
                          " bytes (max_input_bytes in config)");
    }
    if (n == 0) break;
  }
  out.resize(used);
  return out;
}

}  // namespace preloop::protocol
