// Doctor check on audit forwarding: per sink, the last success, the records
// waiting, the last error (from the forwarder's state), and whether its
// credentials can be read now (never showing them).
#include "audit/location.h"
#include "audit/query.h"
#include "audit/store.h"
#include "forward/deliver.h"
#include "forward/state.h"
#include "install/doctor.h"

namespace preloop::install {
namespace {

// Why the sink's credentials cannot be read, empty when they can.
std::string credential_problem(const ForwardSink& sink) {
  try {
    for (const auto& [name, ref] : sink.headers) forward::read_secret(ref);
    if (sink.kind == SinkKind::Hec) forward::read_secret(sink.token);
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

std::int64_t waiting(const std::filesystem::path& db, std::int64_t cursor) {
  std::error_code ec;
  if (!std::filesystem::exists(db, ec)) return 0;
  audit::Store store = audit::Store::open(db, {.read_only = true});
  audit::Filter f;
  f.after_seq = cursor;
  return audit::count_rows(store, f);
}

CheckResult check_sink(const std::filesystem::path& db, const ForwardSink& sink) {
  const std::string id = "audit.forward." + sink.name;
  std::optional<forward::SinkState> st;
  std::int64_t backlog = 0;
  try {
    st = forward::read_state(db, sink.name);
    backlog = waiting(db, st ? st->cursor_seq : 0);
  } catch (const std::exception& e) {
    return {id, CheckStatus::Warn, sink.name + ": " + e.what(), "run: preloop-hook audit forward --sink " + sink.name};
  }
  const forward::SinkState s = st.value_or(forward::SinkState{});
  const bool behind = backlog > std::int64_t(sink.max_backlog);
  nlohmann::json data{{"forward", {{sink.name, {{"kind", to_string(sink.kind)}, {"endpoint", sink.endpoint},
                                                {"last_success", s.last_success}, {"waiting", backlog},
                                                {"behind", behind}, {"last_error", s.last_error},
                                                {"cursor_seq", s.cursor_seq}, {"pruned_unsent", s.pruned_unsent}}}}}};
  std::string msg = sink.name + " (" + to_string(sink.kind) + " " + sink.endpoint + "): last success " +
                    (s.last_success.empty() ? std::string("never") : s.last_success) + ", " + std::to_string(backlog) +
                    " record(s) waiting";
  if (!s.last_error.empty()) msg += ", last error: " + s.last_error;
  if (s.pruned_unsent) msg += ", " + std::to_string(s.pruned_unsent) + " record(s) pruned before they were sent";
  const std::string cred = credential_problem(sink);
  if (!cred.empty()) msg += ", credentials: " + cred;
  const std::string fix = "see the last error; records stay in the local store and are sent, oldest first, by: "
                          "preloop-hook audit forward --sink " + sink.name;
  if (behind)
    return {id, CheckStatus::Fail,
            msg + " (more than max_backlog " + std::to_string(sink.max_backlog) + ": the sink is behind)", fix, data};
  if (!cred.empty() || (!s.last_error.empty() && s.failures > 0) || (backlog > 0 && s.last_success.empty()))
    return {id, CheckStatus::Warn, msg, fix, data};
  return {id, CheckStatus::Ok, msg, "", data};
}

}  // namespace

std::vector<CheckResult> check_forward(const DoctorContext& ctx) {
  if (!ctx.config || ctx.config->forward_sinks.empty()) return {};
  const std::filesystem::path db = audit::db_path(&*ctx.config);
  std::vector<CheckResult> out;
  for (const ForwardSink& sink : ctx.config->forward_sinks) out.push_back(check_sink(db, sink));
  return out;
}

}  // namespace preloop::install
