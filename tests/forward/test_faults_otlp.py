"""The fault matrix against the OTLP/HTTP logs stand-in, through the real binary."""

import unittest

import delivery
import fault_scenario
import http_receiver
import otlp_standin

REQUIRES = ("openssl", "binary")
API_KEY = "otlp-key-7f3e2b"


class OtlpFaultTest(fault_scenario.HttpFaultMatrix, unittest.TestCase):
    sink_name = "otel"
    credential_env = ("OTLP_KEY", API_KEY)
    server_error = "status:503"

    def receiver(self, tls):
        standin = otlp_standin.OtlpStandin(pki=self.pki if tls else None, headers={"x-api-key": API_KEY})
        standin.slow_seconds = 20
        return http_receiver.HttpReceiver(
            standin, {"name": "otel", "kind": "otlp", "gzip": True, "headers": {"x-api-key": {"env": "OTLP_KEY"}}},
            lambda kept: delivery.from_otlp(kept))

    @fault_scenario.scenario
    def test_throttled_with_retry_after(self):
        self.run_fault("throttle:1")


if __name__ == "__main__":
    unittest.main()
