"""require_approval through a loopback Preloop-compatible approval service."""

import socket

import suite
from approval_standin import ApprovalStandin
from messages_standin import text, tool_use
from test_gate import APPROVAL_POLICY

TOKEN = "e2e-approval-token-7f3a9c"


def closed_port_url():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there any more
    return f"http://127.0.0.1:{port}"


class Approvals(suite.E2ECase):

    def use_service(self, url):
        self.box.extra_env.update({"PRELOOP_URL": url, "PRELOOP_API_KEY": TOKEN})
        self.box.write_policy("approval.yaml", APPROVAL_POLICY)

    def run_review(self, name):
        return self.box.run_claude([tool_use("Bash", command=f"touch needs-review-{name}.txt", description="review"),
                                    text("done")])

    def with_standin(self, verdict):
        service = ApprovalStandin(verdict)
        self.addCleanup(service.close)
        self.use_service(service.url)
        return service

    def test_approved_runs(self):
        service = self.with_standin("approve")
        result = self.run_review("approved")
        self.assertCreated("needs-review-approved.txt", result)
        self.assertEqual(len(service.requests), 1)
        headers, body = service.requests[0]
        self.assertEqual(headers["authorization"], f"Bearer {TOKEN}")
        self.assertEqual(body["tool_name"], "Bash")
        self.assertIn("needs-review-approved", str(body["tool_input"]))
        rows = self.box.audit_rows(tool_use_id=result.tool_results[0]["tool_use_id"], hook_event="PreToolUse")
        self.assertEqual([r["approval_status"] for r in rows], ["approved"], rows)
        self.assertEqual(rows[0]["approver"], "alice@example.com")

    def test_declined_does_not_run(self):
        service = self.with_standin("decline")
        result = self.run_review("declined")
        self.assertNotCreated("needs-review-declined.txt", result)
        self.assertEqual(len(service.requests), 1)
        self.assertIn("not today", result.tool_result_text())
        rows = self.box.audit_rows(tool_use_id=result.tool_results[0]["tool_use_id"], hook_event="PreToolUse")
        self.assertEqual([r["approval_status"] for r in rows], ["declined"], rows)

    def test_service_timeout_does_not_run(self):
        self.with_standin("timed_out")
        result = self.run_review("expired")
        self.assertNotCreated("needs-review-expired.txt", result)

    def test_unanswered_request_ends_before_claude_codes_timeout(self):
        # The service never answers: the hook must give up within its own wait
        # budget and answer itself, not be killed by Claude Code's timeout.
        service = self.with_standin("hang")
        result = self.run_review("hang")
        self.assertNotCreated("needs-review-hang.txt", result)
        self.assertEqual(len(service.requests), 1)
        self.assertNotIn("timed out; blocking", result.tool_result_text())
        rows = self.box.audit_rows(tool_use_id=result.tool_results[0]["tool_use_id"], hook_event="PreToolUse")
        self.assertEqual(len(rows), 1, rows)

    def test_service_down_does_not_run(self):
        self.use_service(closed_port_url())
        result = self.run_review("down")
        self.assertNotCreated("needs-review-down.txt", result)
        rows = self.box.audit_rows(tool_use_id=result.tool_results[0]["tool_use_id"], hook_event="PreToolUse")
        self.assertEqual([r["approval_status"] for r in rows], ["unreachable"], rows)
