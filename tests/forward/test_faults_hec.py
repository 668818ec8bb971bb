"""The fault matrix against the Splunk HEC stand-in, through the real binary."""

import tempfile
import unittest

import delivery
import fault_scenario
import hec_standin
import http_receiver
import tls_material

REQUIRES = ("openssl", "binary")
TOKEN = "5e1c2a4b-hec-token"


class HecFaultTest(fault_scenario.FaultMatrix, unittest.TestCase):
    sink_name = "splunk"
    pki = None

    @classmethod
    def prepare_class(cls):
        cls.pki = tls_material.Pki(tempfile.mkdtemp(prefix="preloop-pki-"))

    def receiver(self, tls):
        standin = hec_standin.HecStandin(TOKEN, pki=self.pki if tls else None)
        standin.slow_seconds = 20
        return http_receiver.HttpReceiver(
            standin, {"name": "splunk", "kind": "hec", "gzip": True, "index": "security",
                      "token": {"env": "HEC_TOKEN"}},
            lambda kept: delivery.from_hec(kept))

    def machine(self, name="m0"):
        m = super().machine(name)
        m.env["HEC_TOKEN"] = TOKEN
        return m

    @fault_scenario.scenario
    def test_healthy_every_record_once_in_order(self):
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
        self.run_fault("status:500")

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
