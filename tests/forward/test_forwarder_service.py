"""The forwarder as a service and under pressure, through the real binary: a
backlog over max_backlog is kept and reported (audit forward, doctor), never
dropped; `audit forward --follow` delivers records as hooks write them, and a
follower killed in the middle of a request loses nothing when started again."""

import os
import shutil
import signal
import tempfile
import time
import unittest

import delivery
import machine
import otlp_standin

REQUIRES = ("binary",)


def wait_until(predicate, timeout=15):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


class ForwarderServiceTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="preloop-service-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.otlp = otlp_standin.OtlpStandin()
        self.addCleanup(self.otlp.close)
        self.m = machine.Machine(os.path.join(self.tmp, "m"), os.environ["PRELOOP_HOOK_BIN"], "svc")

    def check_all_arrived(self):
        got, problems = delivery.from_otlp(self.otlp.kept_records())
        self.assertEqual(problems + [q.errors for q in self.otlp.invalid_requests()], [])
        report = delivery.check({self.m.host_id(): self.m.expected()}, got)
        self.assertTrue(report.ok, report.summary())
        return report

    def test_backlog_over_the_bound_is_kept_and_reported(self):
        self.m.configure([{"name": "otel", "kind": "otlp", "endpoint": self.otlp.url, "max_backlog": 4,
                           "batch_size": 3}])
        self.otlp.mode = "down"
        for i in range(5):
            self.m.tool_call(i)
        out = self.m.forward()
        self.assertEqual(out.returncode, 1, out.stdout + out.stderr)
        self.assertIn("max_backlog", out.stdout + out.stderr)
        state = self.m.sink_state("otel")
        self.assertEqual((state["backlog"], state["behind"], state["cursor_seq"]), (10, True, 0))
        doctor = self.m.run("doctor")
        self.assertNotEqual(doctor.returncode, 0)
        lines = [line for line in (doctor.stdout + doctor.stderr).splitlines() if "otel" in line]
        self.assertTrue(any("max_backlog" in line and "10" in line for line in lines), lines)
        self.otlp.heal()
        out = self.m.forward()
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        self.assertEqual(self.check_all_arrived().unique, 10)
        self.assertEqual(self.m.sink_state("otel")["behind"], False)

    def test_follow_delivers_and_a_killed_follower_loses_nothing(self):
        # A first call before any sink is configured makes the store; then the follower
        # holds the lock before any hook could start a forwarder, and hooks start none.
        self.m.tool_call(0)
        self.m.configure([{"name": "otel", "kind": "otlp", "endpoint": self.otlp.url, "batch_size": 2,
                           "timeout_ms": 8000}])
        follower = self.m.popen("audit", "forward", "--follow", "--interval-ms", "100")
        self.addCleanup(lambda: follower.poll() is None and follower.kill())
        self.assertTrue(wait_until(self.m.forwarder_running), "audit forward --follow took no lock")
        self.m.tool_call(1)
        self.assertTrue(wait_until(lambda: len(self.otlp.kept_records()) >= 4), "--follow delivered nothing")

        # The receiver keeps the next batch but holds its answer; the follower is killed
        # while it waits for it, so its cursor never moves past that batch.
        self.otlp.mode = "slow"
        self.m.tool_call(2)
        self.m.tool_call(3)
        self.assertTrue(wait_until(lambda: any(q.fault == "slow" for q in self.otlp.requests)))
        held = next(q for q in self.otlp.requests if q.fault == "slow")
        follower.send_signal(signal.SIGKILL)
        follower.wait(10)
        self.assertEqual(self.m.sink_state("otel")["cursor_seq"],
                         min(r.attributes["preloop.chain.seq"] for r in held.records) - 1)
        self.otlp.heal()

        follower = self.m.popen("audit", "forward", "--follow", "--interval-ms", "100")
        self.addCleanup(lambda: follower.poll() is None and follower.kill())
        self.m.tool_call(4)

        def caught_up():   # the follower folded the journal and sent all of the store
            unique = {r.attributes["preloop.record.id"] for r in self.otlp.kept_records()}
            return self.m.journal_bytes() == 0 and len(unique) == len(self.m.expected(fold=False))
        self.assertTrue(wait_until(caught_up), f"{len(self.otlp.kept_records())} records after the follower came back")
        total = len(self.m.expected(fold=False))
        follower.send_signal(signal.SIGTERM)
        try:
            follower.wait(10)
        except Exception:
            self.fail("audit forward --follow did not stop on SIGTERM within 10 s")
        report = self.check_all_arrived()
        self.assertEqual(report.unique, total)
        for r in held.records:
            self.assertIn(r.attributes["preloop.record.id"], report.duplicates,
                          "the batch held when the follower was killed was not sent again")

    def test_follow_starts_before_the_first_hook_call(self):
        # A service started at login, before the first hook call made the data directory.
        self.m.configure([{"name": "otel", "kind": "otlp", "endpoint": self.otlp.url}])
        follower = self.m.popen("audit", "forward", "--follow", "--interval-ms", "100")
        self.addCleanup(lambda: follower.poll() is None and follower.kill())
        wait_until(lambda: follower.poll() is not None, timeout=1.5)
        self.assertIsNone(follower.poll(), f"--follow exited: {follower.poll() is not None and follower.communicate()}")
        self.m.tool_call(0)
        self.assertTrue(wait_until(lambda: len(self.otlp.kept_records()) >= 2))
        follower.send_signal(signal.SIGTERM)
        follower.wait(10)

    # The chain head travels with each batch, read once per pass: records that join the
    # store while a pass runs (direct mode, or a fold by another command) must wait for a
    # later pass rather than go out with a head before them.
    def test_head_covers_every_record_of_its_batch(self):
        self.m.configure([{"name": "otel", "kind": "otlp", "endpoint": self.otlp.url, "batch_size": 1,
                           "timeout_ms": 8000}], audit={"mode": "direct"})
        self.m.tool_call(0)
        self.assertTrue(wait_until(lambda: not self.m.forwarder_running()))
        self.otlp.fail("slow")
        self.m.tool_call(1)          # its forwarder's first batch is held ...
        self.assertTrue(wait_until(lambda: any(q.fault == "slow" for q in self.otlp.requests)))
        self.m.tool_call(2)          # ... while these join the store
        self.otlp.heal()
        out = self.m.forward()
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        self.check_all_arrived()


if __name__ == "__main__":
    unittest.main()
