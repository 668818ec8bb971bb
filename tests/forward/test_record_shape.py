"""What a record looks like at the receiver, field by field, against the store it
came from: OTLP log records with Claude Code's correlation keys and the GenAI
names, OCSF events through HEC (with a Detection Finding for a masked secret),
and no credential on any command line while a forwarder runs."""

import calendar
import os
import re
import shutil
import tempfile
import time
import unittest

import delivery
import hec_standin
import machine
import otlp_standin
import rsyslog_receiver

REQUIRES = ("binary",)


def millis(ts):
    """RFC 3339 with 'Z' (as the store keeps times) to epoch milliseconds."""
    m = re.match(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d+))?Z$", ts)
    y, mo, d, h, mi, s = (int(x) for x in m.groups()[:6])
    frac = (m.group(7) or "0")[:3].ljust(3, "0")
    return calendar.timegm((y, mo, d, h, mi, s)) * 1000 + int(frac)


class RecordShapeTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="preloop-shape-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.m = machine.Machine(os.path.join(self.tmp, "m"), os.environ["PRELOOP_HOOK_BIN"], "shape")

    def make_calls(self):
        calls = [self.m.tool_call(0),
                 self.m.tool_call(1, f"curl -H 'Authorization: token {machine.SECRET}' https://api.github.com/user"),
                 [self.m.hook(self.m.event(2, command="rm -rf ~/"))]]
        self.assertEqual(calls[2][0].returncode, 2, "the recommended pack no longer denies rm -rf ~/")

    def flush(self):
        out = self.m.forward()
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)

    def test_otlp_records_carry_correlation_keys_and_chain(self):
        otlp = otlp_standin.OtlpStandin()
        self.addCleanup(otlp.close)
        self.m.configure([{"name": "otel", "kind": "otlp", "endpoint": otlp.url}])
        self.make_calls()
        self.flush()
        rows = {r["seq"]: r for r in self.m.rows()}
        host_id = self.m.host_id()
        records = otlp.kept_records()
        self.assertEqual(otlp.invalid_requests(), [])
        got, problems = delivery.from_otlp(records)
        self.assertEqual(problems, [])
        self.assertTrue(delivery.check({host_id: self.m.expected()}, got).ok)
        by_seq = {}
        for r in records:
            by_seq.setdefault(r.attributes["preloop.chain.seq"], r)
        self.assertEqual(sorted(by_seq), sorted(rows))
        for seq, r in by_seq.items():
            row, a = rows[seq], r.attributes
            self.assertEqual(r.resource["service.name"], "preloop-hook")
            self.assertEqual(r.resource["host.id"], host_id)
            self.assertEqual(r.resource["host.name"], row["host"])
            self.assertEqual(a["session.id"], "sess-shape")
            self.assertEqual(a["tool_use_id"], row["tool_use_id"])
            self.assertEqual(a["gen_ai.tool.call.id"], row["tool_use_id"])
            self.assertEqual(a["gen_ai.tool.name"], "Bash")
            self.assertEqual(a["gen_ai.operation.name"], "execute_tool")
            self.assertEqual(a["preloop.record.id"], f"{host_id}-{seq}-{row['hash'][:16]}")
            self.assertEqual(a["preloop.chain.hash"], row["hash"])
            self.assertEqual(a["preloop.chain.prev_hash"], row["prev_hash"])
            self.assertEqual(a.get("preloop.decision", ""), row["decision"])
            self.assertEqual(int(r.fields["timeUnixNano"]) // 1_000_000, millis(row["timestamp"]))
            head = r.scope["attributes"]
            self.assertEqual(rows[head["preloop.chain.head_seq"]]["hash"], head["preloop.chain.head_hash"])
        denied = [s for s, row in rows.items() if row["decision"] == "deny"]
        self.assertTrue(denied)
        self.assertTrue(all(by_seq[s].fields["severityNumber"] >= 13 for s in denied))
        masked = [r for r in by_seq.values() if "[REDACTED:" in str(r.attributes.get("preloop.arguments"))]
        self.assertTrue(masked, "no record shows the masked secret")
        for q in otlp.requests:
            self.assertNotIn(machine.SECRET.encode(), q.body)

    def test_ocsf_events_through_hec(self):
        hec = hec_standin.HecStandin("tok-ocsf")
        self.addCleanup(hec.close)
        token_file = os.path.join(self.m.root, "config", "hec-token")
        with open(os.open(token_file, os.O_WRONLY | os.O_CREAT, 0o600), "w") as f:
            f.write("tok-ocsf\n")
        self.m.configure([{"name": "splunk", "kind": "hec", "endpoint": hec.url, "format": "ocsf",
                           "index": "security", "token": {"file": token_file}}])
        self.make_calls()
        self.flush()
        self.assertEqual(hec.invalid_requests(), [])
        rows = {r["seq"]: r for r in self.m.rows()}
        host_id = self.m.host_id()
        events = hec.kept_records()
        activities = {}
        findings = {}
        for e in events:
            self.assertEqual(e["index"], "security")
            o = e["event"]
            seq = int(e["fields"]["preloop_chain_seq"])
            row = rows[seq]
            rid = f"{host_id}-{seq}-{row['hash'][:16]}"
            self.assertEqual(e["fields"]["preloop_record_id"], rid + "-finding" if o["class_uid"] == 2004 else rid)
            self.assertEqual(o["metadata"]["uid"], e["fields"]["preloop_record_id"])
            self.assertEqual(o["type_uid"], o["class_uid"] * 100 + o["activity_id"])
            self.assertEqual(o["time"], millis(row["timestamp"]))
            self.assertEqual(o["device"]["uid"], host_id)
            if o["class_uid"] == 2004:
                findings[seq] = o
                self.assertEqual(o["finding_info"]["related_events"][0]["uid"], rid)
                self.assertIn("github", " ".join(o["finding_info"]["types"]).lower())
            else:
                activities[seq] = o
                self.assertEqual(o["metadata"]["uid"], rid)
                self.assertEqual(o["class_uid"], 1007, "a Bash call is Process Activity")
                self.assertEqual(o["activity_id"], 1 if row["hook_event"] == "PreToolUse" else 2)
                self.assertNotIn(machine.SECRET, o["process"]["cmd_line"])
                if row["decision"] == "deny":
                    self.assertEqual((o["action"], o["disposition"]), ("Denied", "Blocked"))
        self.assertEqual(sorted(activities), sorted(rows))
        secret_seqs = {s for s, row in rows.items() if "[REDACTED:" in row["arguments"]}
        self.assertTrue(secret_seqs, "the secret was not masked in the store")
        self.assertEqual(set(findings), secret_seqs, "a Detection Finding for each record with a masked secret")

    def test_no_credential_on_a_command_line(self):
        hec = hec_standin.HecStandin("tok-argv-3c9d")
        hec.slow_seconds = 10
        self.addCleanup(hec.close)
        self.m.env["HEC_TOKEN"] = "tok-argv-3c9d"
        self.m.configure([{"name": "splunk", "kind": "hec", "endpoint": hec.url, "token": {"env": "HEC_TOKEN"},
                           "timeout_ms": 5000}])
        hec.mode = "slow"
        self.m.tool_call(0)
        deadline = time.monotonic() + 10
        while not hec.requests and time.monotonic() < deadline:
            time.sleep(0.02)
        self.assertTrue(hec.requests, "no forwarder reached the receiver")
        self.assertEqual(hec.requests[0].headers.get("authorization"), "Splunk tok-argv-3c9d")
        seen = []
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    cmdline = f.read()
            except OSError:
                continue
            if b"preloop-hook" in cmdline:
                seen.append(cmdline.replace(b"\0", b" ").decode(errors="replace"))
                self.assertNotIn(b"tok-argv-3c9d", cmdline)
        self.assertTrue(any("forward" in c for c in seen), f"no forwarder running while the receiver hangs: {seen}")
        hec.heal()
        self.flush()

    # A masked secret makes two OCSF events of one record (its activity and a Detection
    # Finding); a receiver dropping duplicates by id (HEC fields.preloop_record_id, syslog SD
    # id, metadata.uid), as it is told to, must keep both.
    def test_ocsf_events_of_one_record_have_distinct_ids(self):
        hec = hec_standin.HecStandin("tok-ids")
        self.addCleanup(hec.close)
        self.m.env["HEC_TOKEN"] = "tok-ids"
        sinks = [{"name": "splunk", "kind": "hec", "endpoint": hec.url, "format": "ocsf",
                  "token": {"env": "HEC_TOKEN"}}]
        try:
            rs = rsyslog_receiver.Rsyslog(os.path.join(self.tmp, "rsyslog"))
            self.addCleanup(rs.close)
            sinks.append({"name": "siem", "kind": "syslog", "endpoint": f"tcp://127.0.0.1:{rs.ports['tcp']}",
                          "format": "ocsf"})
        except rsyslog_receiver.Unavailable:
            rs = None
        self.m.configure(sinks)
        self.m.tool_call(1, f"curl -H 'Authorization: token {machine.SECRET}' https://api.github.com/user")
        self.flush()
        ids = {"hec fields": [e["fields"]["preloop_record_id"] for e in hec.kept_records()],
               "hec metadata.uid": [e["event"]["metadata"]["uid"] for e in hec.kept_records()]}
        if rs:
            ids["syslog SD id"] = [m.message.param("preloop@32473", "id") for m in rs.wait_for(3)]
        self.assertGreater(len(ids["hec fields"]), 2, "no Detection Finding was sent")
        for where, values in ids.items():
            self.assertEqual(len(values), len(set(values)), f"{where}: two events share an id: {values}")


if __name__ == "__main__":
    unittest.main()
