// Doctor check on the audit store: it can be written and its chain is intact.
#include <sys/stat.h>
#include <unistd.h>

#include "audit/file_modes.h"
#include "audit/gaps.h"
#include "audit/location.h"
#include "audit/store.h"
#include "audit/verify.h"
#include "audit/writer.h"
#include "install/doctor.h"

namespace preloop::install {

namespace fs = std::filesystem;

namespace {

// The nearest existing directory on the way to `path`.
fs::path existing_parent(fs::path path) {
  std::error_code ec;
  while (!path.empty() && !fs::exists(path, ec) && path != path.parent_path()) path = path.parent_path();
  return path;
}

}  // namespace

std::vector<CheckResult> check_audit(const DoctorContext& ctx) {
  if (!ctx.config) return {{"audit.store", CheckStatus::Skip, "config did not load; audit store not checked", ""}};
  if (!ctx.config->audit_enabled)
    return {{"audit.store", CheckStatus::Warn, "audit is disabled (audit.enabled: false): decisions are not recorded",
             "set audit.enabled: true"}};
  fs::path db = audit::db_path(&*ctx.config);
  std::vector<CheckResult> out;
  audit::fold_pending(db, 2000);  // what is still waiting afterwards is reported below
  std::error_code ec;
  if (!fs::exists(db, ec)) {
    fs::path dir = existing_parent(db.parent_path());
    if (::access(dir.c_str(), W_OK) != 0)
      out.push_back({"audit.store", CheckStatus::Fail, "cannot create the audit store " + db.string() + ": " +
                                                           dir.string() + " is not writable",
                     "make " + dir.string() + " writable, or set audit.path in the config"});
    else
      out.push_back({"audit.store", CheckStatus::Ok, db.string() + " will be created on the first tool call", ""});
    return out;
  }
  // health() tightens the store's files; a directory is only reported (it may be shared on purpose).
  if (struct stat st {}; ::stat(db.parent_path().c_str(), &st) == 0 && (st.st_mode & 077))
    out.push_back({"audit.modes", CheckStatus::Warn,
                   "the audit directory " + db.parent_path().string() + " is mode " + audit::mode_text(st.st_mode) +
                       ": other users can see which files it holds",
                   "chmod 700 " + db.parent_path().string()});
  audit::Health health = audit::health(db);
  for (const auto& f : health.findings)
    out.push_back({"audit.store", health.ok ? CheckStatus::Ok : CheckStatus::Fail, f,
                   "see `preloop-hook audit verify`; the hook denies tool calls it cannot record"});
  try {
    audit::Gaps gaps = audit::coverage_gaps(audit::Store::open(db, {.read_only = true, .busy_timeout_ms = 2000}));
    if (gaps.count)
      out.push_back({"audit.coverage", CheckStatus::Warn, audit::describe_gaps(gaps),
                     "find out why those calls skipped the gate (`preloop-hook audit show <tool_use_id>`): a hook "
                     "switched off or removed, a settings change, or a subagent Claude Code did not gate"});
    else
      out.push_back({"audit.coverage", CheckStatus::Ok, "every recorded tool result passed the PreToolUse hook", ""});
  } catch (const std::exception& e) {
    out.push_back({"audit.coverage", CheckStatus::Skip, std::string("coverage not checked: ") + e.what(), ""});
  }
  audit::VerifyReport report = audit::verify(db);
  if (report.ok) {
    out.push_back({"audit.chain", CheckStatus::Ok,
                   db.string() + ": " + std::to_string(report.rows) + " record(s), hash chain intact", ""});
  } else {
    std::string problems;
    for (const auto& p : report.problems) problems += (problems.empty() ? "" : "; ") + p;
    out.push_back({"audit.chain", CheckStatus::Fail,
                   db.string() + ": hash chain broken" +
                       (report.first_bad_seq ? " at record " + std::to_string(report.first_bad_seq) : "") + ": " +
                       problems,
                   "the audit trail was altered or damaged: keep a copy for investigation, then run "
                   "`preloop-hook audit verify` for details"});
  }
  return out;
}

}  // namespace preloop::install
