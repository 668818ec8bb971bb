"""A loopback stand-in for Preloop's approval endpoint.

POST /api/v1/agents/permission-check answers with the scripted verdict:
"approve", "decline", "timed_out" (the service's own expiry answer), or "hang"
(never answers until close()). Requests are recorded with their headers, so
tests can check the bearer token and what the approver was shown.
"""

import http.server
import json
import threading

PATH = "/api/v1/agents/permission-check"

_ANSWERS = {
    "approve": {"decision": "allow", "reason": "approved in test", "request_id": "req-e2e-approved",
                "timed_out": False, "approver": "alice@example.com"},
    "decline": {"decision": "deny", "reason": "declined in test: not today", "request_id": "req-e2e-declined",
                "timed_out": False, "approver": "bob@example.com"},
    "timed_out": {"decision": "deny", "reason": "Approval request timed out", "request_id": "req-e2e-expired",
                  "timed_out": True},
}


class ApprovalStandin:
    def __init__(self, verdict="approve"):
        self.verdict = verdict
        self.requests = []          # (headers, body) of each permission check
        self._release = threading.Event()
        self._lock = threading.Lock()
        standin = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else b""
                if self.path.split("?", 1)[0] != PATH:
                    self._reply(404, {"detail": "not found"})
                    return
                with standin._lock:
                    standin.requests.append(({k.lower(): v for k, v in self.headers.items()},
                                             json.loads(body or b"{}")))
                if standin.verdict == "hang":
                    standin._release.wait()
                    return
                self._reply(200, _ANSWERS[standin.verdict])

            def _reply(self, status, payload):
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def close(self):
        self._release.set()
        self._server.shutdown()
        self._server.server_close()
