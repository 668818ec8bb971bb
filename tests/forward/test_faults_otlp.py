"""The fault matrix against the OTLP/HTTP logs stand-in, through the real binary."""

import tempfile
import unittest

import delivery
import fault_scenario
import http_receiver
import otlp_standin
import tls_material

REQUIRES = ("openssl", "binary")
API_KEY = "otlp-key-7f3e2b"


class OtlpFaultTest(fault_scenario.FaultMatrix, unittest.TestCase):
    sink_name = "otel"
    pki = None

    @classmethod
    def prepare_class(cls):
        cls.pki = tls_material.Pki(tempfile.mkdtemp(prefix="preloop-pki-"))

    def receiver(self, tls):
        standin = otlp_standin.OtlpStandin(pki=self.pki if tls else None, headers={"x-api-key": API_KEY})
        standin.slow_seconds = 20
        return http_receiver.HttpReceiver(
            standin, {"name": "otel", "kind": "otlp", "gzip": True, "headers": {"x-api-key": {"env": "OTLP_KEY"}}},
            lambda kept: delivery.from_otlp(kept))

    def machine(self, name="m0"):
        m = super().machine(name)
        m.env["OTLP_KEY"] = API_KEY
        return m

    @fault_scenario.scenario
    def test_healthy_every_record_once_in_order_gzipped(self):
        report = self.run_fault("none")
        self.assertEqual(report.duplicates, {})

    @fault_scenario.scenario
    def test_receiver_down(self):
        self.run_fault("down")

    @fault_scenario.scenario
    def test_receiver_slower_than_the_timeout(self):
        self.run_fault("slow")

    @fault_scenario.scenario
    def test_server_errors(self):
        self.run_fault("status:503")

    @fault_scenario.scenario
    def test_throttled_with_retry_after(self):
        self.run_fault("throttle:1")

    @fault_scenario.scenario
    def test_retry_after_holds_background_forwarders_back(self):
        # Six hook calls during a 30 s Retry-After: the first background forwarder meets
        # the 429, the others must wait it out instead of sending again.
        self.run_fault("throttle:30")
        throttled = [q for q in self.receiver_in_use.standin.requests if q.status == 429]
        self.assertLessEqual(len(throttled), 3, [q.status for q in self.receiver_in_use.standin.requests])

    @fault_scenario.scenario
    def test_connection_reset_mid_batch(self):
        self.run_fault("reset")

    @fault_scenario.scenario
    def test_receiver_restarts_mid_stream(self):
        self.run_fault("restart")

    @fault_scenario.scenario
    def test_tls_failures_then_healed(self):
        self.run_fault("tls", tls=True, variants=("wrong_ca", "expired", "wrong_host"))


if __name__ == "__main__":
    unittest.main()
