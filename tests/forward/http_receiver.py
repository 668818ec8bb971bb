"""An HTTP stand-in (OTLP or HEC) driven by the fault matrix (fault_scenario.py)."""


class HttpReceiver:
    def __init__(self, standin, sink, extract):
        self.standin = standin
        self._sink = sink
        self._extract = extract

    def sink(self):
        s = dict(self._sink, endpoint=self.standin.url)
        if self.standin.pki:
            s["ca_bundle"] = self.standin.pki.ca_cert
        return s

    def inject(self, fault):
        s = self.standin
        if fault in ("wrong_ca", "expired", "wrong_host"):
            s.restart(server_cert=fault)
        elif fault == "restart":
            s.fail("ok", times=1)
            s.fail("restart")
        elif fault in ("down", "slow", "reset") or fault.startswith(("status:", "throttle:")):
            s.mode = fault
        else:
            raise ValueError(fault)

    def heal(self):
        self.standin.heal()
        if self.standin.pki and self.standin.server_cert != "good":
            self.standin.restart(server_cert="good")

    def fault_seen(self, fault):
        """Whether a request met the fault (a refused connection never reaches the stand-in:
        for down, the failing forward attempt is the evidence)."""
        if fault == "down":
            return True
        if fault == "tls":
            return bool(self.standin.tls_failures)
        return any(q.fault == fault for q in self.standin.requests)

    def settle(self):
        pass

    def delivered(self):
        found, problems = self._extract(self.standin.kept_records())
        return found, problems + [f"invalid request: {q.errors}" for q in self.standin.invalid_requests()]

    def raw_bytes(self):
        return [q.body or b"" for q in self.standin.requests] + [q.raw_body for q in self.standin.requests]

    def close(self):
        self.standin.close()
