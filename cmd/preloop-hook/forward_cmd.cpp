// preloop-hook audit forward: deliver the audit store to the sinks of
// audit.forward, once (exit 1 when records are left) or following it.
#include <chrono>
#include <csignal>
#include <iostream>
#include <set>
#include <thread>

#include "audit/writer.h"
#include "commands.h"
#include "config/config.h"
#include "config/suggest.h"
#include "forward/forwarder.h"

namespace preloop::cmd {
namespace {

struct ForwardCli {
  std::string sink;
  bool follow = false;
  bool background = false;
  bool json = false;
  int interval_ms = 1000;
};

// Started by hooks: the records they keep arriving within this while are sent by the same run.
constexpr auto kLinger = std::chrono::seconds(2);

std::string describe_sink(const forward::SinkResult& r, std::int64_t now_ms) {
  const forward::SinkState& s = r.state;
  std::string out = r.name + ": sent " + std::to_string(r.sent) + " record(s); " + std::to_string(s.backlog) +
                    " waiting; cursor seq " + std::to_string(s.cursor_seq);
  out += "; last success " + (s.last_success.empty() ? std::string("never") : s.last_success);
  if (s.behind) out += "; BEHIND: more than max_backlog records wait (they stay in the local store)";
  if (s.pruned_unsent) out += "; " + std::to_string(s.pruned_unsent) + " record(s) were pruned before they were sent";
  if (!s.last_error.empty()) out += "; last error: " + s.last_error;
  if (s.next_attempt_ms > now_ms)
    out += "; next attempt in " + std::to_string((s.next_attempt_ms - now_ms + 999) / 1000) + "s";
  return out;
}

nlohmann::json pass_json(const forward::PassResult& p) {
  nlohmann::json sinks = nlohmann::json::array();
  for (const auto& r : p.sinks)
    sinks.push_back({{"name", r.name}, {"sent", r.sent}, {"waiting", r.state.backlog}, {"behind", r.state.behind},
                     {"cursor_seq", r.state.cursor_seq}, {"last_success", r.state.last_success},
                     {"last_error", r.state.last_error}, {"failures", r.state.failures},
                     {"next_attempt_ms", r.state.next_attempt_ms}, {"delivered", r.state.delivered},
                     {"pruned_unsent", r.state.pruned_unsent}, {"in_backoff", r.waiting}});
  return {{"sinks", sinks}, {"fold_error", p.fold_error}, {"error", p.error}, {"left", p.left()}};
}

std::int64_t epoch_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void report_pass(const forward::PassResult& p, const ForwardCli& c) {
  if (c.json) {
    std::cout << pass_json(p).dump(2) << "\n";
    return;
  }
  if (!p.fold_error.empty()) std::cerr << "preloop-hook audit forward: warning: journal not folded: " << p.fold_error << "\n";
  if (!p.error.empty()) std::cerr << "preloop-hook audit forward: " << p.error << "\n";
  for (const auto& r : p.sinks) std::cout << describe_sink(r, epoch_ms()) << "\n";
}

volatile std::sig_atomic_t g_forward_stop = 0;
void on_forward_stop(int) { g_forward_stop = 1; }

void run_forward(const ForwardCli& c, const std::function<std::filesystem::path()>& resolve_db) {
  Config cfg;
  try {
    cfg = load_config();
  } catch (const std::exception& e) {
    if (c.background) throw CLI::RuntimeError(2);
    cmd::fail(2, std::string("audit forward: ") + e.what());
  }
  if (cfg.forward_sinks.empty()) {
    if (c.background) return;
    cmd::fail(2, "audit forward: no sink is configured (add a list of sinks under audit.forward; see the README)");
  }
  if (!c.sink.empty()) {
    std::set<std::string> names;
    for (const auto& s : cfg.forward_sinks) names.insert(s.name);
    if (!names.count(c.sink)) cmd::fail(2, "audit forward: no sink named '" + c.sink + "'" + did_you_mean(c.sink, names));
  }
  forward::ForwardOptions o;
  o.db = resolve_db();
  o.sink = c.sink;
  o.version = PRELOOP_VERSION;
  o.respect_backoff = c.background || c.follow;
  // One forwarder at a time: a hook's start finds one running and leaves; by hand, wait for it.
  forward::Lock lock = forward::lock_forwarder(o.db, !c.background);
  if (!lock) {
    if (c.background) return;
    cmd::fail(1, "audit forward: cannot take the forwarder lock in " + forward::state_dir(o.db).string());
  }
  if (!c.follow) {
    forward::PassResult p = forward::forward_pass(cfg.forward_sinks, o);
    if (c.background) {
      // Records of the calls that follow (whose own starts find this run's lock)
      // go with this run: it ends after a quiet while (a sink in backoff is not tried meanwhile).
      auto quiet_until = std::chrono::steady_clock::now() + kLinger;
      while (std::chrono::steady_clock::now() < quiet_until) {
        std::this_thread::sleep_for(std::chrono::milliseconds(250));
        p = forward::forward_pass(cfg.forward_sinks, o);
        for (const auto& r : p.sinks)
          if (r.sent) quiet_until = std::chrono::steady_clock::now() + kLinger;
      }
      return;
    }
    report_pass(p, c);
    if (p.left()) throw CLI::RuntimeError(1);
    return;
  }
  std::signal(SIGTERM, on_forward_stop);
  std::signal(SIGINT, on_forward_stop);
  while (!g_forward_stop) {
    audit::claim_background_forward(o.db);  // hooks see a forwarder at work and start none
    forward::PassResult p = forward::forward_pass(cfg.forward_sinks, o);
    for (const auto& r : p.sinks)
      if (r.sent || (!r.waiting && !r.state.last_error.empty())) std::cout << describe_sink(r, epoch_ms()) << std::endl;
    for (int slept = 0; slept < c.interval_ms && !g_forward_stop; slept += 50) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      if (slept % 500 == 0) audit::claim_background_forward(o.db);
    }
  }
}

}  // namespace

void add_forward_command(CLI::App* audit, std::function<std::filesystem::path()> resolve_db) {
  auto c = std::make_shared<ForwardCli>();
  CLI::App* fwd = audit->add_subcommand(
      "forward", "send the audit records to the sinks of audit.forward (OTLP, syslog, Splunk HEC)");
  fwd->fallthrough();
  fwd->add_option("--sink", c->sink, "only this sink (by name)");
  fwd->add_flag("--follow", c->follow, "keep running and send new records as they come (for a service)");
  fwd->add_option("--interval-ms", c->interval_ms, "with --follow: how often to look for new records")
      ->check(CLI::Range(100, 600000));
  fwd->add_flag("--json", c->json, "the result as JSON");
  fwd->add_flag("--background", c->background, "quiet mode used by the hook")->group("");
  fwd->footer("Exit codes: 0 every record was accepted by every sink, 1 records are left (the reason is printed),\n"
              "2 no sink or a bad configuration. Undelivered records stay in the local store.");
  fwd->callback([c, resolve_db] { run_forward(*c, resolve_db); });
}

}  // namespace preloop::cmd
