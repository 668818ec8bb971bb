"""The fault matrix against the Splunk HEC stand-in, through the real binary."""

import unittest

import delivery
import fault_scenario
import hec_standin
import http_receiver

REQUIRES = ("openssl", "binary")
TOKEN = "5e1c2a4b-hec-token"


class HecFaultTest(fault_scenario.HttpFaultMatrix, unittest.TestCase):
    sink_name = "splunk"
    credential_env = ("HEC_TOKEN", TOKEN)
    server_error = "status:500"

    def receiver(self, tls):
        standin = hec_standin.HecStandin(TOKEN, pki=self.pki if tls else None)
        standin.slow_seconds = 20
        return http_receiver.HttpReceiver(
            standin, {"name": "splunk", "kind": "hec", "gzip": True, "index": "security",
                      "token": {"env": "HEC_TOKEN"}},
            lambda kept: delivery.from_hec(kept))


if __name__ == "__main__":
    unittest.main()
