"""The fault matrix against a real rsyslogd, over TCP and TLS (with a client
certificate), through the real binary."""

import os
import tempfile
import unittest

import delivery
import fault_scenario
import rsyslog_receiver
import tcp_fault_proxy
import tls_material

REQUIRES = ("rsyslogd", "openssl", "binary")


class SyslogReceiver:
    """rsyslogd behind a fault proxy; the sink's endpoint is the proxy."""

    def __init__(self, directory, pki=None, client_auth=False):
        self.pki = pki
        self.client_auth = client_auth
        self.rs = rsyslog_receiver.Rsyslog(directory, pki=pki, client_auth=client_auth)
        self.input = "mtls" if client_auth else "tls" if pki else "tcp"
        self.proxy = tcp_fault_proxy.FaultProxy(self.rs.ports[self.input])

    def sink(self):
        s = {"name": "siem", "kind": "syslog",
             "endpoint": f"{'tls' if self.pki else 'tcp'}://127.0.0.1:{self.proxy.port}", "facility": "local4"}
        if self.pki:
            s["ca_bundle"] = self.pki.ca_cert
        if self.client_auth:
            s["client_cert"], s["client_key"] = self.pki.client_cert, self.pki.client_key
        return s

    def inject(self, fault):
        if fault == "down":
            self.proxy.mode = "refuse"
            self.rs.stop()
        elif fault == "slow":
            self.proxy.mode = "stall"
        elif fault == "reset":
            self.proxy.reset_after, self.proxy.resets, self.proxy.cut = 150, 2, 0
            self.proxy.mode = "reset"
        elif fault == "restart":
            # rsyslogd stops and starts again once 300 more bytes went through: in the middle
            # of whatever batch is on the wire then.
            self.proxy.at_bytes(self.proxy.bytes_in + 300, self.rs.restart)
        elif fault in ("wrong_ca", "expired", "wrong_host"):
            self.rs.restart(server_cert=fault)
        else:
            raise ValueError(fault)

    def heal(self):
        if not self.rs.running:
            self.rs.start()
        if self.pki and self.rs.server_cert != "good":
            self.rs.restart(server_cert="good")
        self.proxy.mode = "pass"

    def fault_seen(self, fault):
        return {"reset": self.proxy.cut > 0, "slow": self.proxy.stalled > 0,
                "restart": self.proxy.triggered > 0}.get(fault, True)

    def settle(self):
        """Lets held connections drain into rsyslogd (a healed receiver reads what waited)."""
        self.proxy.idle()
        self.rs.settle()

    def delivered(self):
        got = self.rs.messages()
        wrong_input = [m.input for m in got if m.input != self.input]
        found, problems = delivery.from_syslog(got)
        return found, problems + [f"message on input {i}" for i in wrong_input]

    def raw_bytes(self):
        return [m.raw for m in self.rs.messages()]

    def close(self):
        self.proxy.close()
        self.rs.close()


class SyslogFaultTest(fault_scenario.FaultMatrix, unittest.TestCase):
    sink_name = "siem"
    pki = None

    @classmethod
    def prepare_class(cls):
        cls.pki = tls_material.Pki(tempfile.mkdtemp(prefix="preloop-pki-"))

    def receiver(self, tls, client_auth=False):
        return SyslogReceiver(os.path.join(self.tmp, f"rsyslog-{len(os.listdir(self.tmp))}"),
                              self.pki if tls or client_auth else None, client_auth)

    @fault_scenario.scenario
    def test_healthy_tcp_every_record_once_in_order(self):
        report = self.run_fault("none")
        self.assertEqual(report.duplicates, {})

    @fault_scenario.scenario
    def test_receiver_down(self):
        self.run_fault("down")

    @fault_scenario.scenario
    def test_receiver_hangs(self):
        self.run_fault("slow")

    @fault_scenario.scenario
    def test_connection_reset_mid_batch(self):
        self.run_fault("reset")

    @fault_scenario.scenario
    def test_receiver_restarts_mid_stream(self):
        self.run_fault("restart")

    @fault_scenario.scenario
    def test_tls_failures_then_healed(self):
        self.run_fault("tls", tls=True, variants=("wrong_ca", "expired", "wrong_host"))

    @fault_scenario.scenario
    def test_tls_with_client_certificate(self):
        receiver = self.receiver(tls=True, client_auth=True)
        self.addCleanup(receiver.close)
        m = self.machine()
        m.configure([dict(receiver.sink(), **fault_scenario.SINK_TIMEOUTS)])
        times = []
        self.calls(m, 0, 3, times)
        self.flush(m)
        got, problems = receiver.delivered()
        self.assertEqual(problems, [])
        report = delivery.check({m.host_id(): m.expected()}, got)
        self.assertTrue(report.ok, report.summary())

    @fault_scenario.scenario
    def test_client_certificate_missing_is_an_error(self):
        # The receiver demands a client certificate and the sink has none: rsyslogd drops the
        # session after the handshake. Every attempt must fail, and records stay queued.
        receiver = self.receiver(tls=True, client_auth=True)
        self.addCleanup(receiver.close)
        sink = dict(receiver.sink(), **fault_scenario.SINK_TIMEOUTS)
        del sink["client_cert"], sink["client_key"]
        m = self.machine()
        m.configure([sink])
        self.calls(m, 0, 2, [])
        out = m.forward()
        self.assertEqual(receiver.rs.messages(), [])
        self.assertNotEqual(out.returncode, 0, f"records counted as delivered to a receiver that refused the "
                                               f"session: {out.stdout}")
        self.assertEqual((m.sink_state("siem") or {}).get("cursor_seq", 0), 0)


if __name__ == "__main__":
    unittest.main()
