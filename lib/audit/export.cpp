#include "audit/export.h"

#include <cerrno>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>
#include <cstring>
#include <fcntl.h>
#include <stdexcept>
#include <unistd.h>

#include <sqlite3.h>

#include "audit/json_text.h"

namespace preloop::audit {
namespace fs = std::filesystem;
namespace {

// The export columns: name, index in the SELECT below, kind.
enum class Kind { Text, Int, Json };
struct Column {
  const char* name;
  int index;
  Kind kind;
};

// "user" is the configured identity, else the OS user.
constexpr const char* kSelect =
    "seq,timestamp,CASE WHEN identity != '' THEN identity ELSE os_user END,agent,tool,arguments,decision,reason,"
    "approval_status,approver,execution_result,hook_event,session_id,tool_use_id,agent_id,agent_type,cwd,"
    "permission_mode,os_user,host,identity,input_hmac,rule_layer,rule_location,rule_id,rule_description,"
    "approval_request_id,approval_wait_ms,failure_class,latency_us,duration_ms,output_size,error,origin,"
    "spool_id,prev_hash,hash,prompt_id,agent_version";
// The same for a store older than those columns.
constexpr const char* kSelectBefore3 =
    "seq,timestamp,CASE WHEN identity != '' THEN identity ELSE os_user END,agent,tool,arguments,decision,reason,"
    "approval_status,approver,execution_result,hook_event,session_id,tool_use_id,agent_id,agent_type,cwd,"
    "permission_mode,os_user,host,identity,input_hmac,rule_layer,rule_location,rule_id,rule_description,"
    "approval_request_id,approval_wait_ms,failure_class,latency_us,duration_ms,output_size,error,origin,"
    "spool_id,prev_hash,hash,'',''";

constexpr Column kColumns[] = {
    {"seq", 0, Kind::Int},
    {"timestamp", 1, Kind::Text},
    {"user", 2, Kind::Text},
    {"agent", 3, Kind::Text},
    {"tool", 4, Kind::Text},
    {"arguments", 5, Kind::Json},
    {"decision", 6, Kind::Text},
    {"reason", 7, Kind::Text},
    {"approval_status", 8, Kind::Text},
    {"approver", 9, Kind::Text},
    {"execution_result", 10, Kind::Text},
    {"hook_event", 11, Kind::Text},
    {"session_id", 12, Kind::Text},
    {"tool_use_id", 13, Kind::Text},
    {"agent_id", 14, Kind::Text},
    {"agent_type", 15, Kind::Text},
    {"cwd", 16, Kind::Text},
    {"permission_mode", 17, Kind::Text},
    {"os_user", 18, Kind::Text},
    {"host", 19, Kind::Text},
    {"identity", 20, Kind::Text},
    {"input_hmac", 21, Kind::Text},
    {"rule_layer", 22, Kind::Text},
    {"rule_location", 23, Kind::Text},
    {"rule_id", 24, Kind::Text},
    {"rule_description", 25, Kind::Text},
    {"approval_request_id", 26, Kind::Text},
    {"approval_wait_ms", 27, Kind::Int},
    {"failure_class", 28, Kind::Text},
    {"latency_us", 29, Kind::Int},
    {"duration_ms", 30, Kind::Int},
    {"output_size", 31, Kind::Int},
    {"error", 32, Kind::Text},
    {"origin", 33, Kind::Text},
    {"spool_id", 34, Kind::Text},
    {"prev_hash", 35, Kind::Text},
    {"hash", 36, Kind::Text},
    {"prompt_id", 37, Kind::Text},
    {"agent_version", 38, Kind::Text},
};

std::string_view cell(sqlite3_stmt* st, int i) {
  const unsigned char* p = sqlite3_column_text(st, i);
  return p ? std::string_view(reinterpret_cast<const char*>(p), std::size_t(sqlite3_column_bytes(st, i)))
           : std::string_view();
}

// Formatting and writing overlap: a writer thread takes each full buffer, since
// the kernel's copy into the page cache is about half of a large export's time.
class Out {
 public:
  explicit Out(int fd) : fd_(fd) {
    buf.reserve(kFlushAt + 65536);
    writer_ = std::thread([this] { run(); });
  }
  Out(const Out&) = delete;
  ~Out() {
    {
      std::lock_guard lk(m_);
      done_ = true;
    }
    cv_.notify_all();
    writer_.join();
  }
  std::string buf;
  void maybe_flush() {
    if (buf.size() >= kFlushAt) hand_over();
  }
  // Everything written; throws std::runtime_error when a write failed.
  void flush() {
    hand_over();
    std::unique_lock lk(m_);
    cv_.wait(lk, [&] { return !full_; });
    if (!error_.empty()) throw std::runtime_error(error_);
  }

 private:
  static constexpr std::size_t kFlushAt = 1 << 20;

  void hand_over() {
    std::unique_lock lk(m_);
    cv_.wait(lk, [&] { return !full_; });
    if (!error_.empty()) throw std::runtime_error(error_);
    std::swap(buf, pending_);
    buf.clear();
    full_ = true;
    cv_.notify_all();
  }

  void run() {
    std::unique_lock lk(m_);
    for (;;) {
      cv_.wait(lk, [&] { return full_ || done_; });
      if (!full_) return;
      lk.unlock();
      std::string err = write_all(pending_);
      lk.lock();
      if (!err.empty() && error_.empty()) error_ = err;
      full_ = false;
      cv_.notify_all();
    }
  }

  std::string write_all(const std::string& b) const {
    const char* p = b.data();
    std::size_t left = b.size();
    while (left) {
      ssize_t n = ::write(fd_, p, left);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return std::string("cannot write the export: ") + std::strerror(n == 0 ? ENOSPC : errno);
      p += n;
      left -= std::size_t(n);
    }
    return "";
  }

  int fd_;
  std::string pending_;
  bool full_ = false, done_ = false;
  std::string error_;
  std::mutex m_;
  std::condition_variable cv_;
  std::thread writer_;
};

void json_object(std::string& o, sqlite3_stmt* st) {
  o += "{\"schema_version\":";
  o += std::to_string(kSchemaVersion);
  static const auto keys = [] {  // ,"name": for each column
    std::vector<std::string> k;
    for (const Column& c : kColumns) k.push_back(std::string(",\"") + c.name + "\":");
    return k;
  }();
  for (const Column& c : kColumns) {
    o += keys[std::size_t(c.index)];
    // Text columns are NOT NULL in the schema; a NULL (an altered table) reads as "".
    if (c.kind == Kind::Int) {
      int type = sqlite3_column_type(st, c.index);
      if (type == SQLITE_NULL) o += "null";
      else if (type == SQLITE_INTEGER) o += cell(st, c.index);
      else append_json_string(o, cell(st, c.index));  // an altered row: still valid JSON
    } else if (c.kind == Kind::Json) {
      std::string_view v = cell(st, c.index);
      // Stored by us as compact JSON; anything else (an edited row) is exported as a string.
      if (is_json(v))
        o += v;
      else
        append_json_string(o, v);
    } else {
      append_json_string(o, cell(st, c.index));
    }
  }
  o += '}';
}

void csv_row(std::string& o, sqlite3_stmt* st) {
  bool first = true;
  for (const Column& c : kColumns) {
    if (!first) o += ',';
    first = false;
    append_csv_cell(o, cell(st, c.index));
  }
  o += "\r\n";
}

}  // namespace

Format parse_format(const std::string& name) {
  if (name == "csv") return Format::Csv;
  if (name == "json") return Format::Json;
  if (name == "jsonl") return Format::Jsonl;
  throw std::invalid_argument("unknown export format '" + name + "' (use csv, json or jsonl)");
}

void append_csv_cell(std::string& out, std::string_view v) {
  // A byte loop, not find_first_of: libstdc++ runs memchr over the set per byte.
  auto needs_quotes = [](std::string_view t) {
    for (char c : t)
      if (c == ',' || c == '"' || c == '\r' || c == '\n') return true;
    return false;
  };
  bool formula = !v.empty() && (v[0] == '=' || v[0] == '+' || v[0] == '-' || v[0] == '@' || v[0] == '\t' ||
                                v[0] == '\r');
  if (!formula && !needs_quotes(v)) {
    out += v;
    return;
  }
  out += '"';
  if (formula) out += '\'';
  for (std::size_t q; (q = v.find('"')) != std::string_view::npos; v.remove_prefix(q + 1)) {
    out.append(v.data(), q + 1);
    out += '"';
  }
  out += v;
  out += '"';
}

ExportResult export_records(const Store& store, const Filter& f, Format fmt, int fd, const Progress& progress) {
  Out out(fd);
  ExportResult res;
  if (fmt == Format::Csv) {
    for (const Column& c : kColumns) {
      if (c.index) out.buf += ',';
      out.buf += c.name;
    }
    out.buf += "\r\n";
  } else if (fmt == Format::Json) {
    out.buf += "{\"schema_version\":" + std::to_string(kSchemaVersion) + ",\"records\":[";
  }
  select_rows(
      store, f,
      [&](sqlite3_stmt* st) {
        if (fmt == Format::Csv) {
          csv_row(out.buf, st);
        } else {
          if (fmt == Format::Json) out.buf += res.rows ? ",\n" : "\n";
          json_object(out.buf, st);
          if (fmt == Format::Jsonl) out.buf += '\n';
        }
        std::int64_t seq = sqlite3_column_int64(st, 0);
        if (res.rows++ == 0) res.first_seq = seq;
        res.last_seq = seq;
        if (progress && res.rows % 50000 == 0) progress(res.rows);
        out.maybe_flush();
        res.last_hash.assign(cell(st, 36));
      },
      store.schema_version() >= 3 ? kSelect : kSelectBefore3);
  if (fmt == Format::Json) {
    out.buf += "\n],\"integrity\":{\"rows\":" + std::to_string(res.rows) +
               ",\"first_seq\":" + std::to_string(res.first_seq) + ",\"last_seq\":" + std::to_string(res.last_seq) +
               ",\"last_hash\":";
    append_json_string(out.buf, res.last_hash);
    out.buf += "}}\n";
  }
  out.flush();
  return res;
}

ExportResult export_to_file(const Store& store, const Filter& f, Format fmt, const fs::path& file,
                            const Progress& progress) {
  fs::path dir = file.has_parent_path() ? file.parent_path() : fs::path(".");
  std::string tmpl = (dir / ("." + file.filename().string() + ".XXXXXX")).string();
  int fd = ::mkstemp(tmpl.data());
  if (fd < 0) throw std::runtime_error("cannot create a file in " + dir.string() + ": " + std::strerror(errno));
  try {
    ExportResult res = export_records(store, f, fmt, fd, progress);
    if (::fsync(fd) != 0)  // mkstemp made it 0600
      throw std::runtime_error("cannot write " + tmpl + ": " + std::strerror(errno));
    ::close(fd);
    fd = -1;
    if (::rename(tmpl.c_str(), file.c_str()) != 0)
      throw std::runtime_error("cannot rename the export to " + file.string() + ": " + std::strerror(errno));
    return res;
  } catch (...) {
    if (fd >= 0) ::close(fd);
    ::unlink(tmpl.c_str());
    throw;
  }
}

}  // namespace preloop::audit
