"""A fleet of sandboxed machines forwarding to one rsyslogd and one OTLP stand-in.

Each machine has its own HOME, XDG directories and audit store (so its own
host id) and makes hook calls through the real binary; the hooks start the
forwarders in the background, which deliver everything by themselves (then
`audit forward` on each machine finds nothing left). Afterwards,
de-duplicated by stable id, every record of every store has arrived exactly
once at both receivers, in chain order per host. Throughput and receiver load
are printed.

PRELOOP_FLEET=MACHINESxCALLS sets the size (hook calls per machine); the test
suite runs a reduced fleet, tests/bench/forward_fleet.sh the full 50x200.
"""

import concurrent.futures
import os
import shutil
import statistics
import tempfile
import time
import unittest

import delivery
import machine
import otlp_standin
import rsyslog_receiver

REQUIRES = ("rsyslogd", "binary")


def fleet_size():
    text = os.environ.get("PRELOOP_FLEET", "6x20")
    machines, _, calls = text.partition("x")
    return int(machines), int(calls)


class FleetTest(unittest.TestCase):
    def test_fleet(self):
        machines, calls = fleet_size()
        tmp = tempfile.mkdtemp(prefix="preloop-fleet-")
        self.addCleanup(shutil.rmtree, tmp, True)
        rs = rsyslog_receiver.Rsyslog(os.path.join(tmp, "rsyslog"))
        self.addCleanup(rs.close)
        otlp = otlp_standin.OtlpStandin()
        self.addCleanup(otlp.close)
        sinks = [{"name": "siem", "kind": "syslog", "endpoint": f"tcp://127.0.0.1:{rs.ports['tcp']}"},
                 {"name": "otel", "kind": "otlp", "endpoint": otlp.url, "gzip": True}]
        fleet = []
        for i in range(machines):
            m = machine.Machine(os.path.join(tmp, f"host{i:03d}"), os.environ["PRELOOP_HOOK_BIN"], f"host{i:03d}")
            m.configure(sinks)
            fleet.append(m)

        hook_times = []

        def percentiles(times):
            times = sorted(times)
            return (f"median {statistics.median(times) * 1000:.1f} ms, p99 "
                    f"{times[max(0, int(len(times) * 0.99) - 1)] * 1000:.1f} ms, max {times[-1] * 1000:.1f} ms")

        def work(m):
            times = []
            for i in range(calls // 2):
                times += [c.seconds for c in m.tool_call(i)]
            if calls % 2:
                times.append(m.hook(m.event(calls // 2)).seconds)
            return times

        if os.environ.get("PRELOOP_FLEET_BASELINE") == "1":
            # The same calls on machines that forward nothing: the hooks' cost without sinks.
            bare = [machine.Machine(os.path.join(tmp, f"bare{i:03d}"), os.environ["PRELOOP_HOOK_BIN"], f"bare{i:03d}")
                    for i in range(machines)]
            base_started = time.monotonic()
            with concurrent.futures.ThreadPoolExecutor(max_workers=min(8, machines)) as pool:
                base_times = [t for times in pool.map(work, bare) for t in times]
            print(f"\nbaseline without sinks: hooks done after {time.monotonic() - base_started:.1f}s; "
                  f"hook wall time {percentiles(base_times)}")

        started = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(max_workers=min(8, machines)) as pool:
            for times in pool.map(work, fleet):
                hook_times += times
        hooks_done = time.monotonic()
        # The forwarders the hooks started deliver everything by themselves.
        total = machines * calls
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if len(rs.messages()) >= total and len(otlp.kept_records()) >= total:
                break
            time.sleep(0.05)
        delivered_at = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(max_workers=min(8, machines)) as pool:
            for m, out in zip(fleet, pool.map(lambda m: m.forward(), fleet)):
                self.assertEqual(out.returncode, 0, f"{m.name}: {out.stdout} {out.stderr}")
        syslog_got = rs.settle()

        stores = {m.host_id(): m.expected() for m in fleet}
        self.assertEqual(len(stores), machines, "two machines share a host id")
        self.assertEqual(sum(len(v) for v in stores.values()), total)
        results = {}
        for name, (got, problems) in (("rsyslog", delivery.from_syslog(syslog_got)),
                                      ("otlp", delivery.from_otlp(otlp.kept_records()))):
            self.assertEqual(problems, [], name)
            self.assertEqual(otlp.invalid_requests(), [])
            report = delivery.check(stores, got)
            self.assertTrue(report.ok, f"{name}: {report.summary()}")
            self.assertEqual(report.unique, total)
            results[name] = report

        elapsed = delivered_at - started
        print(f"\nfleet: {machines} machines x {calls} hook calls = {total} records in {elapsed:.1f}s "
              f"(hooks done after {hooks_done - started:.1f}s): {total / elapsed:.0f} records/s end to end")
        print(f"hook wall time: {percentiles(hook_times)}")
        syslog_bytes = sum(len(m.raw) + len(str(len(m.raw))) + 1 for m in syslog_got)
        print(f"rsyslog: {results['rsyslog'].delivered} messages ({len(results['rsyslog'].duplicates)} duplicated), "
              f"{syslog_bytes} bytes framed ({syslog_bytes / max(1, total):.0f} per record), "
              f"{rs.connections()} connections")
        requests = [q for q in otlp.requests if q.kept]
        print(f"otlp: {results['otlp'].delivered} log records ({len(results['otlp'].duplicates)} duplicated) in "
              f"{len(requests)} requests, {otlp.bytes_received()} bytes gzipped "
              f"({sum(len(q.body) for q in requests)} inflated), {otlp.connections} connections")


if __name__ == "__main__":
    unittest.main()
