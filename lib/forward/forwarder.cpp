#include "forward/forwarder.h"

#include <algorithm>

#include <sys/utsname.h>

#include "audit/identity.h"
#include "audit/query.h"
#include "audit/sha256.h"
#include "audit/store.h"
#include "audit/verify.h"
#include "audit/writer.h"
#include "forward/backoff.h"
#include "forward/deliver.h"
#include "forward/render.h"

namespace preloop::forward {
namespace {

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string host_name() {
  utsname u{};
  return ::uname(&u) == 0 ? u.nodename : "";
}

// The record at seq, nullopt when there is none (pruned, or never written).
std::optional<audit::Record> record_at(const audit::Store& store, std::int64_t seq) {
  audit::Filter f;
  f.after_seq = seq - 1;
  f.limit = 1;
  auto rows = audit::list(store, f);
  if (rows.empty() || rows.front().seq != seq) return std::nullopt;
  return rows.front();
}

// The cursor still points into this chain: a store replaced (seqs restart) or
// rewritten (the record at the cursor changed) starts the sink over, noted.
void check_cursor(const audit::Store& store, const audit::ChainHead& head, SinkState& st) {
  if (st.cursor_seq == 0) return;
  std::string why;
  if (st.cursor_seq > head.seq) {
    why = "the store's chain ends at seq " + std::to_string(head.seq) + " before the cursor " +
          std::to_string(st.cursor_seq) + " (a new store)";
  } else if (auto r = record_at(store, st.cursor_seq); r && !st.cursor_hash.empty() && r->hash != st.cursor_hash) {
    why = "the record at the cursor (seq " + std::to_string(st.cursor_seq) + ") changed since it was sent";
  }
  if (why.empty()) return;
  st.last_error = why + "; sending again from the start";
  st.cursor_seq = 0;
  st.cursor_hash.clear();
}

void sink_pass(const audit::Store& store, const ForwardSink& sink, const ForwardOptions& o, const Origin& origin,
               SinkResult& res) {
  SinkState& st = res.state;
  check_cursor(store, {origin.head_seq, origin.head_hash}, st);
  if (o.respect_backoff && st.next_attempt_ms > now_ms()) {
    res.waiting = true;
  } else {
    for (;;) {
      audit::Filter f;
      f.after_seq = st.cursor_seq;
      f.limit = std::int64_t(sink.batch_size);
      std::vector<audit::Record> batch = audit::list(store, f);
      // Only what the head read at the start of the pass covers: a record that joined the
      // store since goes out in a later pass, with a head at or after it.
      std::erase_if(batch, [&](const audit::Record& r) { return r.seq > origin.head_seq; });
      if (batch.empty()) break;
      std::string note;  // kept as the last error after a success: a gap is reported, not skipped silently
      const std::int64_t missing = batch.front().seq - st.cursor_seq - 1;
      if (missing > 0) {
        note = std::to_string(missing) + " record(s) (seq " + std::to_string(st.cursor_seq + 1) + ".." +
                        std::to_string(batch.front().seq - 1) + ") were pruned from the store before they were sent";
      }
      st.last_attempt = audit::now_rfc3339();
      const Delivery d = send(sink, batch, origin);
      if (!d.ok) {
        st.failures += 1;
        st.last_error = note.empty() ? d.error : d.error + "; " + note;
        st.next_attempt_ms = now_ms() + backoff_delay(st.failures, random_unit(), d.retry_after_seconds).count();
        break;
      }
      st.last_error = note;
      st.pruned_unsent += std::max<std::int64_t>(missing, 0);
      st.failures = 0;
      st.next_attempt_ms = 0;
      st.cursor_seq = batch.back().seq;
      st.cursor_hash = batch.back().hash;
      st.last_success = st.last_attempt;
      st.delivered += std::int64_t(batch.size());
      res.sent += std::int64_t(batch.size());
      save_state(o.db, sink.name, st);  // the cursor survives a crash after every accepted batch
    }
  }
  audit::Filter after;
  after.after_seq = st.cursor_seq;
  st.backlog = audit::count_rows(store, after);
  st.behind = st.backlog > std::int64_t(sink.max_backlog);
}

}  // namespace

bool PassResult::left() const {
  if (!error.empty()) return true;
  for (const SinkResult& s : sinks)
    if (s.state.backlog > 0) return true;
  return false;
}

std::string host_id(const std::filesystem::path& db) {
  try {
    audit::Store store = audit::Store::open(db, {.read_only = true});
    if (auto id = audit::read_identity(store.handle()); id && !id->store_id.empty()) return id->store_id;
  } catch (const std::exception&) {
  }
  return audit::to_hex(audit::Sha256().update(host_name()).finish()).substr(0, 32);
}

PassResult forward_pass(const std::vector<ForwardSink>& sinks, const ForwardOptions& o) {
  PassResult out;
  const audit::FoldResult fold = audit::fold_pending(o.db, o.busy_timeout_ms);
  out.fold_error = fold.error;
  std::error_code ec;
  if (!std::filesystem::exists(o.db, ec)) return out;  // no record yet
  try {
    audit::Store store = audit::Store::open(o.db, {.read_only = true, .busy_timeout_ms = o.busy_timeout_ms});
    const audit::ChainHead head = audit::chain_head(o.db);
    Origin origin{host_id(o.db), host_name(), o.version, head.seq, head.hash};
    for (const ForwardSink& sink : sinks) {
      if (!o.sink.empty() && sink.name != o.sink) continue;
      SinkResult res;
      res.name = sink.name;
      try {
        res.state = load_state(o.db, sink.name);
        sink_pass(store, sink, o, origin, res);
      } catch (const std::exception& e) {
        res.state.last_error = e.what();
      }
      try {
        save_state(o.db, sink.name, res.state);
      } catch (const std::exception& e) {
        if (res.state.last_error.empty()) res.state.last_error = e.what();
      }
      out.sinks.push_back(std::move(res));
    }
  } catch (const std::exception& e) {
    out.error = e.what();
  }
  return out;
}

}  // namespace preloop::forward
