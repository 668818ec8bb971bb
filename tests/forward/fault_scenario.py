"""The fault matrix, the same for every sink: hook calls while the receiver is
healthy, a fault, hook calls during it, `audit forward` during it, the
receiver healed, a flush; then everything the store holds must have arrived,
duplicates only as resends of the same record (identified by its stable id),
in chain order, each batch with a chain head that matches the store, the
masked secret nowhere, and every hook call prompt while the receiver failed.

A sink's test class provides `receiver(tls)` returning an object with
  sink()        the audit.forward entry pointing at it
  inject(name)  starts the fault `name`; heal() ends it
  fault_seen(f) whether a forwarder met the fault (the test is void otherwise)
  settle()      waits until what the receiver still holds has come through
  delivered()   ([delivery.Delivered], [problems]) of what it kept
  raw_bytes()   everything it received, for the secret check

The cases of a class spend most of their time waiting (for timeouts, backoff,
a forwarder's linger), so setUpClass runs them all at once, each on its own
machine and receiver; each test method then reports its own case's outcome.
"""

import concurrent.futures
import functools
import os
import shutil
import tempfile
import time
import unittest

import delivery
import machine
import tls_material

HOOK_BUDGET_S = 1.5     # loose (a loaded CI box), below the 2 s a hook would wait for a hung receiver
SINK_TIMEOUTS = {"batch_size": 3, "timeout_ms": 2000, "connect_timeout_ms": 2000}
# Faults a forward attempt cannot get past while they last.
PERSISTENT = {"down", "status:503", "status:500", "throttle:1", "throttle:30", "tls"}


def scenario(fn):
    """Marks a fault-matrix case: it runs in setUpClass with the class's others; the test
    method raises what the case raised."""
    @functools.wraps(fn)
    def outcome(self):
        error = type(self).outcomes[fn.__name__]
        if error is not None:
            raise error
    outcome.scenario = fn
    return outcome


class FaultMatrix:
    binary = os.environ.get("PRELOOP_HOOK_BIN")
    workers = 4
    outcomes = {}

    @classmethod
    def prepare_class(cls):
        """Class-wide set-up of a sink's tests (before its cases run)."""

    @classmethod
    def setUpClass(cls):
        cls.prepare_class()
        cases = {name: getattr(cls, name).scenario for name in unittest.TestLoader().getTestCaseNames(cls)
                 if hasattr(getattr(cls, name), "scenario")}

        def run(name):
            case = cls(name)
            try:
                case.setUp()
                try:
                    cases[name](case)
                finally:
                    case.doCleanups()
            except Exception as e:      # assertion failures, skips and errors alike
                return name, e
            return name, None

        with concurrent.futures.ThreadPoolExecutor(cls.workers) as pool:
            cls.outcomes = dict(pool.map(run, cases))

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="preloop-fwd-")
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def machine(self, name="m0"):
        return machine.Machine(os.path.join(self.tmp, name), self.binary, name)

    def calls(self, m, first, count, hook_times):
        """`count` tool calls (PreToolUse + PostToolUse), one carrying the secret and one a
        command the recommended pack denies."""
        for i in range(first, first + count):
            command = None
            if i % 5 == 2:
                command = f"curl -H 'Authorization: token {machine.SECRET}' https://api.github.com/user"
            elif i % 5 == 4:
                command = "rm -rf ~/"
            for call in m.tool_call(i, command):
                self.assertIn(call.returncode, (0, 2), call.stderr)
                hook_times.append(call.seconds)

    def flush(self, m, attempts=6):
        """`audit forward` until it succeeds with nothing left; the last result."""
        out = None
        for _ in range(attempts):
            out = m.forward()       # waits for a forwarder the hooks started
            if out.returncode == 0:
                state = m.sink_state(self.sink_name) or {}
                if state.get("backlog", 0) == 0:
                    return out
            time.sleep(0.5)
        self.fail(f"audit forward did not catch up after healing: rc={out.returncode} {out.stdout} {out.stderr}")

    def run_fault(self, fault, tls=False, variants=()):
        receiver = self.receiver_in_use = self.receiver(tls)
        self.addCleanup(receiver.close)
        m = self.machine()
        m.configure([dict(receiver.sink(), **SINK_TIMEOUTS)])
        hook_times = []
        self.calls(m, 0, 2, hook_times)
        # The fault starts once the hooks' forwarders delivered everything so far: what a
        # fault does to a batch on the wire is the restart and reset cases' business.
        def all_arrived():
            ids = {d.id for d in receiver.delivered()[0]}
            return m.journal_bytes() == 0 and len(ids) == len(m.expected(fold=False))
        deadline = time.monotonic() + 15
        while not all_arrived() and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertTrue(all_arrived(), "the hooks' forwarders did not deliver while the receiver was healthy: "
                                       f"{len(receiver.delivered()[0])} records, {receiver.delivered()[1][:3]}")

        for variant in variants or (None,):
            if fault != "none":
                receiver.inject(fault if variant is None else variant)
            self.calls(m, len(hook_times) // 2, 3, hook_times)
            started = time.monotonic()
            during = m.forward()
            took = time.monotonic() - started
            self.assertLess(took, 30, f"audit forward during '{fault}' took {took:.1f}s")
            if fault in PERSISTENT:
                state = m.sink_state(self.sink_name) or {}
                self.assertNotEqual(during.returncode, 0, f"audit forward succeeded during '{variant or fault}': "
                                                          f"{during.stdout}")
                self.assertTrue(state.get("last_error"), f"no last_error recorded during '{variant or fault}'")
                self.assertNotIn(machine.SECRET, during.stdout + during.stderr + str(state))
        if fault != "none":
            self.assertTrue(receiver.fault_seen(fault), f"no forwarder met the fault '{fault}'")
        receiver.heal()
        self.flush(m)
        receiver.settle()

        got, problems = receiver.delivered()
        self.assertEqual(problems, [])
        report = delivery.check({m.host_id(): m.expected()}, got)
        self.assertTrue(report.ok, f"after '{fault}': {report.summary()}")
        for raw in receiver.raw_bytes():
            self.assertNotIn(machine.SECRET.encode(), raw, "the secret reached the receiver")
        print(f"{type(self).__name__} {fault}: {len(hook_times)} hook calls, median "
              f"{sorted(hook_times)[len(hook_times) // 2] * 1000:.0f} ms, max {max(hook_times) * 1000:.0f} ms; "
              f"{report.delivered} deliveries of {report.unique} records", flush=True)
        slow = [round(t, 2) for t in hook_times if t > HOOK_BUDGET_S]
        self.assertEqual(slow, [], f"hook calls slower than {HOOK_BUDGET_S}s during '{fault}'")
        return report


class HttpFaultMatrix(FaultMatrix):
    """The cases every HTTP sink (OTLP, HEC) shares. A class sets `credential_env`
    (the variable its sink's credential is read from, and the value) and
    `server_error` (the status its receiver fails with), and provides receiver(tls)."""
    credential_env = ("", "")
    server_error = "status:500"
    pki = None

    @classmethod
    def prepare_class(cls):
        cls.pki = tls_material.Pki(tempfile.mkdtemp(prefix="preloop-pki-"))

    def machine(self, name="m0"):
        m = super().machine(name)
        variable, value = self.credential_env
        m.env[variable] = value
        return m

    @scenario
    def test_healthy_every_record_once_in_order(self):
        report = self.run_fault("none")
        self.assertEqual(report.duplicates, {})

    @scenario
    def test_receiver_down(self):
        self.run_fault("down")

    @scenario
    def test_receiver_slower_than_the_timeout(self):
        self.run_fault("slow")

    @scenario
    def test_server_errors(self):
        self.run_fault(self.server_error)

    @scenario
    def test_retry_after_holds_background_forwarders_back(self):
        # Six hook calls during a 30 s Retry-After: the first background forwarder meets
        # the 429, the others must wait it out instead of sending again.
        self.run_fault("throttle:30")
        throttled = [q for q in self.receiver_in_use.standin.requests if q.status == 429]
        self.assertLessEqual(len(throttled), 3, [q.status for q in self.receiver_in_use.standin.requests])

    @scenario
    def test_connection_reset_mid_batch(self):
        self.run_fault("reset")

    @scenario
    def test_receiver_restarts_mid_stream(self):
        self.run_fault("restart")

    @scenario
    def test_tls_failures_then_healed(self):
        self.run_fault("tls", tls=True, variants=("wrong_ca", "expired", "wrong_host"))
