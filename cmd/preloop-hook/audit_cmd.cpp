// preloop-hook audit list|show|tail|stats|export|verify|prune|session|blame|report: thin wiring of lib/audit.
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <thread>
#include <unistd.h>

#include "audit/export.h"
#include "audit/gaps.h"
#include "audit/html_report.h"
#include "audit/location.h"
#include "audit/query.h"
#include "audit/report.h"
#include "audit/store.h"
#include "audit/timeline.h"
#include "audit/verify.h"
#include "audit/writer.h"
#include "commands.h"
#include "config/config.h"
#include "config/paths.h"
#include "hook/replay.h"

namespace preloop::cmd {
namespace {

struct AuditOptions {
  std::string db;
  std::string since, until;
  audit::Filter filter;
  bool json = false;
  std::int64_t limit = 20;
  std::string key;
  std::string format = "jsonl";
  std::string output;
  std::string older_than;
  std::vector<std::string> policy;
  std::string profile;
  int interval_ms = 500;
  bool background = false;
  bool dry_run = false;
  bool html = false;
};

[[noreturn]] void fail(const std::string& msg, int code = 1) {
  std::cerr << "preloop-hook audit: " << msg << "\n";
  throw CLI::RuntimeError(code);
}

std::filesystem::path resolve_db(const AuditOptions& o) {
  if (!o.db.empty()) return paths::expand_user(o.db);
  if (const char* env = std::getenv("PRELOOP_HOOK_AUDIT_DB"); env && *env) return audit::db_path(nullptr);
  Config cfg = load_config();
  return audit::db_path(&cfg);
}

audit::Filter filter_of(const AuditOptions& o) {
  audit::Filter f = o.filter;
  try {
    if (!o.since.empty()) f.since = audit::parse_time(o.since);
    if (!o.until.empty()) f.until = audit::parse_time(o.until);
    if (!f.decision.empty()) f.decision = audit::parse_decision_filter(f.decision);
  } catch (const std::invalid_argument& e) {
    fail(e.what(), 2);
  }
  return f;
}

// Records the hooks journaled join the chain before anything is read; when they
// cannot, the reader still sees the chain and hears why.
void fold_first(const std::filesystem::path& db) {
  audit::FoldResult f = audit::fold_pending(db, 1000);
  if (!f.error.empty()) std::cerr << "preloop-hook audit: warning: records waiting in the spool were not folded in: " << f.error << "\n";
}

audit::Store open_store(const AuditOptions& o, bool read_only = true) {
  std::filesystem::path db = resolve_db(o);
  fold_first(db);
  if (read_only && !std::filesystem::exists(db))
    fail("no audit store at " + db.string() + " (it is created by the first hook call)");
  try {
    return audit::Store::open(db, {.read_only = read_only, .busy_timeout_ms = 5000});
  } catch (const audit::StoreError& e) {
    fail(e.what());
  }
}

void add_filters(CLI::App* sub, AuditOptions& o) {
  sub->add_option("--since", o.since, "from this time: RFC 3339 or a duration before now (24h, 7d)");
  sub->add_option("--until", o.until, "before this time: RFC 3339 or a duration before now");
  sub->add_option("--tool", o.filter.tool, "tool name (Bash, Write, mcp__...), any case");
  sub->add_option("--decision", o.filter.decision,
                  "allow | ask | deny | none (or pass), or an approval status (approved, declined, timed_out, "
                  "unreachable, auth_error, not_configured, reused); any case");
  sub->add_option("--session", o.filter.session, "Claude Code session id");
  sub->add_option("--rule", o.filter.rule, "rule id, rule file, file:line or layer");
}

bool colour_out() { return colour_stdout(); }

void run_list(const AuditOptions& o) {
  audit::Store s = open_store(o);
  audit::Filter f = filter_of(o);
  f.limit = o.limit;
  f.newest_first = true;
  std::vector<audit::Record> rows = audit::list(s, f);
  if (o.json) {
    nlohmann::json out = nlohmann::json::array();
    for (auto it = rows.rbegin(); it != rows.rend(); ++it) out.push_back(audit::to_json(*it));
    std::cout << out.dump(2) << "\n";
    return;
  }
  bool colour = colour_out();
  for (auto it = rows.rbegin(); it != rows.rend(); ++it) std::cout << audit::summary_line(*it, colour) << "\n";
}

void run_show(const AuditOptions& o) {
  audit::Store s = open_store(o);
  auto shown = audit::show(s, o.key);
  if (!shown) fail("no record with seq or tool_use_id '" + o.key + "'");
  if (o.json) {
    nlohmann::json out = audit::to_json(shown->record);
    out["linked"] = nlohmann::json::array();
    for (const auto& r : shown->linked) out["linked"].push_back(audit::to_json(r));
    std::cout << out.dump(2) << "\n";
  } else {
    std::cout << audit::describe(*shown);
  }
}

void run_tail(const AuditOptions& o) {
  audit::Store s = open_store(o);
  audit::Filter f = filter_of(o);
  f.limit = o.limit;
  f.newest_first = true;
  std::vector<audit::Record> rows = audit::list(s, f);
  bool colour = colour_out();
  std::int64_t last = audit::chain_head(s.path()).seq;
  for (auto it = rows.rbegin(); it != rows.rend(); ++it) std::cout << audit::summary_line(*it, colour) << "\n";
  std::cout.flush();
  f.limit = 0;
  f.newest_first = false;
  for (;;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(o.interval_ms));
    audit::fold_pending(s.path(), 200);  // a failure is reported by `audit verify`
    f.after_seq = last;
    for (const audit::Record& r : audit::list(s, f)) {
      std::cout << audit::summary_line(r, colour) << "\n";
      last = r.seq;
    }
    last = std::max(last, audit::chain_head(s.path()).seq);
    std::cout.flush();
    if (!std::cout) return;  // the reader went away
  }
}

nlohmann::json gaps_json(const audit::Gaps& g) {
  nlohmann::json examples = nlohmann::json::array();
  for (const auto& e : g.examples)
    examples.push_back({{"seq", e.seq}, {"timestamp", e.ts}, {"tool_use_id", e.tool_use_id}, {"tool", e.tool},
                        {"session_id", e.session_id}, {"agent_type", e.agent_type}});
  return {{"count", g.count}, {"examples", examples}};
}

void run_stats(const AuditOptions& o) {
  audit::Store s = open_store(o);
  audit::Filter f = filter_of(o);
  audit::Stats st = audit::stats(s, f);
  audit::Gaps gaps = audit::coverage_gaps(s, f);
  if (!o.json) {
    std::cout << audit::stats_text(st, f);
    std::cout << "coverage gaps: " << (gaps.count ? audit::describe_gaps(gaps) : "none") << "\n";
    return;
  }
  auto obj = [](const auto& v) {
    nlohmann::json j = nlohmann::json::object();
    for (const auto& [k, n] : v) j[k] = n;
    return j;
  };
  std::cout << nlohmann::json{{"since", f.since}, {"until", f.until}, {"total", st.total},
                              {"by_decision", obj(st.by_decision)}, {"by_tool", obj(st.by_tool)},
                              {"by_rule", obj(st.by_rule)}, {"by_execution_result", obj(st.by_result)},
                              {"coverage_gaps", gaps_json(gaps)}}
                   .dump(2)
            << "\n";
}

void run_export(const AuditOptions& o) {
  audit::Format fmt;
  try {
    fmt = audit::parse_format(o.format);
  } catch (const std::invalid_argument& e) {
    fail(e.what(), 2);
  }
  audit::Store s = open_store(o);
  audit::Filter f = filter_of(o);
  audit::Progress progress;
  std::int64_t total = 0;
  if (::isatty(2)) {
    total = audit::count_rows(s, f);
    progress = [total](std::int64_t n) { std::cerr << "\rexported " << n << " / " << total << " records" << std::flush; };
  }
  try {
    audit::ExportResult res = o.output.empty() || o.output == "-"
                                  ? audit::export_records(s, f, fmt, 1, progress)
                                  : audit::export_to_file(s, f, fmt, o.output, progress);
    if (progress) std::cerr << "\r";
    if (!o.output.empty() && o.output != "-")
      std::cerr << "exported " << res.rows << " record(s) (seq " << res.first_seq << ".." << res.last_seq << ") to "
                << o.output << "\n";
  } catch (const audit::StoreError& e) {
    fail(e.what());
  } catch (const std::runtime_error& e) {
    fail(e.what());
  }
}

void run_verify(const AuditOptions& o) {
  std::filesystem::path db = resolve_db(o);
  fold_first(db);
  audit::VerifyReport v = audit::verify(db);
  // Calls that ran without the gate: reported, not a break of the chain.
  audit::Gaps gaps;
  std::string gaps_error;
  if (std::filesystem::exists(db)) {
    try {
      gaps = audit::coverage_gaps(audit::Store::open(db, {.read_only = true, .busy_timeout_ms = 5000}));
    } catch (const std::exception& e) {
      gaps_error = e.what();
    }
  }
  if (o.json) {
    nlohmann::json out{{"ok", v.ok}, {"rows", v.rows}, {"first_seq", v.first_seq}, {"last_seq", v.last_seq},
                       {"head_hash", v.head_hash}, {"first_bad_seq", v.first_bad_seq},
                       {"checkpoints", v.checkpoints}, {"witness_seq", v.witness_seq}, {"spooled", v.spooled}, {"rejected", v.rejected},
                       {"problems", v.problems}, {"coverage_gaps", gaps_json(gaps)}};
    if (!gaps_error.empty()) out["coverage_gaps"]["error"] = gaps_error;
    std::cout << out.dump(2) << "\n";
  } else {
    std::cout << audit::verify_text(v);
    if (gaps.count) std::cout << "warning: coverage gap: " << audit::describe_gaps(gaps) << "\n";
    if (!gaps_error.empty()) std::cout << "warning: coverage gaps not checked: " << gaps_error << "\n";
  }
  if (!v.ok) throw CLI::RuntimeError(1);
}

// Started by hooks when the journal passes its fold size; also for people who want
// the journal folded now. Quiet in the background: `audit verify` and `doctor`
// report records that still wait.
void run_fold(const AuditOptions& o) {
  std::filesystem::path db = resolve_db(o);
  audit::FoldResult f = audit::fold_pending(db, o.background ? 2000 : 5000);
  if (o.background) {
    if (!f.error.empty()) throw CLI::RuntimeError(1);
    return;
  }
  if (!f.error.empty()) fail("records waiting in the journal were not folded in: " + f.error);
  std::cout << "folded " << f.added << " record(s) onto the chain\n";
}

void run_prune(const AuditOptions& o) {
  std::string cutoff;
  try {
    cutoff = audit::parse_time(o.older_than);
  } catch (const std::invalid_argument& e) {
    fail(e.what(), 2);
  }
  audit::Store s = open_store(o, o.dry_run);
  try {
    if (o.dry_run) {
      const auto range = s.prune_range(cutoff);
      if (!range) std::cout << "would prune no records: none is older than " << cutoff << "; nothing changed\n";
      else
        std::cout << "would prune " << range->count() << " record(s) (seq " << range->from << ".." << range->upto
                  << ") older than " << cutoff << "; nothing changed\n";
      return;
    }
    std::size_t n = s.prune_before(cutoff);
    std::cout << "pruned " << n << " record(s) older than " << cutoff << "; the chain stays verifiable\n";
  } catch (const std::exception& e) {
    fail(e.what());
  }
}

void run_replay(const AuditOptions& o) {
  audit::Store s = open_store(o);
  hook::ReplayOptions ro;
  ro.policy.assign(o.policy.begin(), o.policy.end());
  ro.profile = o.profile;
  ro.filter = filter_of(o);
  Config cfg;
  try {
    cfg = load_config();
  } catch (const std::exception& e) {
    fail(e.what());
  }
  hook::ReplayReport r = hook::replay(s, cfg, ro);
  std::cout << (o.json ? hook::replay_json(r).dump(2) + "\n" : hook::replay_text(r));
  if (!r.errors.empty()) throw CLI::RuntimeError(2);
  if (r.changed) throw CLI::RuntimeError(1);
}

void run_session(const AuditOptions& o) {
  audit::Store s = open_store(o);
  std::vector<audit::Record> rows = audit::session_records(s, o.key);
  if (rows.empty()) fail("no records of session '" + o.key + "'");
  if (o.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& r : rows) {
      nlohmann::json j = audit::to_json(r);
      const audit::Step st = audit::step_of(r);
      j["step"] = {{"kind", st.kind}, {"text", st.text}};
      out.push_back(std::move(j));
    }
    std::cout << out.dump(2) << "\n";
    return;
  }
  std::cout << audit::timeline_text(rows, colour_out());
}

void run_blame(const AuditOptions& o) {
  audit::Store s = open_store(o);
  std::vector<audit::Blame> found;
  try {
    found = audit::blame(s, o.key);
  } catch (const std::invalid_argument& e) {
    fail(e.what(), 2);
  }
  if (found.empty()) fail("no recorded commit starts with '" + o.key + "'");
  if (o.json) {
    nlohmann::json out = nlohmann::json::array();
    auto records = [](const std::vector<audit::Record>& rs) {
      nlohmann::json a = nlohmann::json::array();
      for (const auto& r : rs) a.push_back(audit::to_json(r));
      return a;
    };
    for (const auto& b : found)
      out.push_back({{"commit", b.commit.commit_id}, {"repository", b.commit.repository}, {"branch", b.commit.branch},
                     {"session_id", b.commit_record.session_id}, {"prompt_id", b.commit_record.prompt_id},
                     {"tool_use_id", b.commit_record.tool_use_id}, {"record", audit::to_json(b.commit_record)},
                     {"prompt", records(b.prompt)}, {"call", records(b.call)}, {"prompt_calls", records(b.prompt_calls)}});
    std::cout << out.dump(2) << "\n";
    return;
  }
  std::cout << audit::blame_text(found);
}

void run_report(const AuditOptions& o) {
  std::filesystem::path db = resolve_db(o);
  fold_first(db);
  audit::VerifyReport chain = audit::verify(db);
  audit::Store s = open_store(o);
  const std::string html = audit::html_report(s, filter_of(o), chain, audit::now_rfc3339());
  std::ofstream out(o.output, std::ios::binary | std::ios::trunc);
  out << html;
  out.close();
  if (!out) fail("cannot write " + o.output);
  std::cerr << "wrote the report to " << o.output << "\n";
}

}  // namespace

void add_audit_command(CLI::App& app) {
  auto o = std::make_shared<AuditOptions>();
  CLI::App* audit = app.add_subcommand("audit", "the local audit trail: list, show, tail, stats, export, verify, fold, prune, session, blame, report");
  audit->require_subcommand(1);
  audit->add_option("--db", o->db, "audit database (default: config audit_path, else $XDG_DATA_HOME/preloop-hook/audit.db)");

  auto sub = [&](const char* name, const char* help, void (*run)(const AuditOptions&)) {
    CLI::App* s = audit->add_subcommand(name, help);
    s->fallthrough();
    s->callback([o, run] { run(*o); });
    return s;
  };
  CLI::App* list = sub("list", "recent events, one line each", run_list);
  list->add_option("-n,--limit", o->limit, "how many (default 20)");
  list->add_flag("--json", o->json, "JSON array of records");
  add_filters(list, *o);

  CLI::App* show = sub("show", "one record with its linked execution result", run_show);
  show->add_option("record", o->key, "seq or tool_use_id")->required();
  show->add_flag("--json", o->json, "as JSON");

  CLI::App* tail = sub("tail", "follow new events", run_tail);
  tail->add_option("-n,--limit", o->limit, "how many recent events first (default 20)");
  tail->add_option("--interval-ms", o->interval_ms, "poll interval")->check(CLI::Range(50, 60000));
  add_filters(tail, *o);

  CLI::App* stats = sub("stats", "counts by decision, tool, rule and result", run_stats);
  stats->add_flag("--json", o->json, "as JSON");
  add_filters(stats, *o);

  CLI::App* exp = sub("export", "export records for a SIEM or spreadsheet", run_export);
  exp->add_option("--format", o->format, "csv | json | jsonl (default jsonl)");
  exp->add_option("-o,--output", o->output, "file to write atomically (default: stdout)");
  add_filters(exp, *o);

  CLI::App* verify = sub("verify", "recompute the hash chain, check checkpoints and the spool", run_verify);
  verify->add_flag("--json", o->json, "as JSON");

  CLI::App* fold = sub("fold", "fold the records waiting in the journal onto the hash chain now", run_fold);
  fold->add_flag("--background", o->background, "quiet mode used by the hook")->group("");

  CLI::App* replay = sub("replay", "re-evaluate recorded calls against a candidate policy; exit 1 when a decision changes",
                         run_replay);
  replay->add_option("--policy", o->policy, "candidate policy file or directory, in place of the user's rules (repeatable)")
      ->required();
  replay->add_option("--profile", o->profile, "rule pack profile of the candidate (default: the config's)");
  replay->add_flag("--json", o->json, "as JSON");
  replay->footer("Exit codes: 0 no decision would change, 1 some would, 2 the candidate policy is invalid.\n"
                 "Inputs are replayed as recorded (secrets masked); shell facts and self-protection are recomputed.");
  add_filters(replay, *o);

  CLI::App* session = sub("session", "one session as a timeline: prompts, calls, decisions, approvals, masked "
                                     "secrets, commits", run_session);
  session->add_option("session", o->key, "Claude Code session id")->required();
  session->add_flag("--json", o->json, "as JSON (each record with its timeline step)");

  CLI::App* blame = sub("blame", "which session, prompt and tool calls produced a commit", run_blame);
  blame->add_option("commit", o->key, "commit id, full or abbreviated (at least 4 hex digits)")->required();
  blame->add_flag("--json", o->json, "as JSON");

  CLI::App* report = sub("report", "a self-contained HTML report for review offline", run_report);
  report->add_flag("--html", o->html, "write HTML (the only format)")->required();
  report->add_option("-o,--output", o->output, "the HTML file to write")->required();
  add_filters(report, *o);

  CLI::App* prune = sub("prune", "remove old records, keeping the chain verifiable", run_prune);
  prune->add_option("--older-than", o->older_than, "age (90d) or RFC 3339 time")->required();
  prune->add_flag("--dry-run", o->dry_run, "say which records would go, and change nothing");

  add_forward_command(audit, [o] { return resolve_db(*o); });
}

}  // namespace preloop::cmd
