#!/usr/bin/env python3
"""Audit forwarding through the real binary: hooks start the forwarder, records
reach loopback OTLP, HEC and syslog receivers (receiver.py), cursors advance, a
receiver that was down gets everything once it is back, credentials never show.

  forward_e2e_test.py PATH/TO/preloop-hook
"""
import fcntl
import json
import os
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
BIN = os.environ.get("PRELOOP_HOOK_BIN") or (sys.argv.pop(1) if len(sys.argv) > 1 else "build/preloop-hook")
TOKEN = "hec-token-7d1e5f"
API_KEY = "otel-key-90ab3c"
SECRET = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"  # a GitHub token shape: masked in records


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Receiver:
    def __init__(self, tmp, mode, *args):
        self.out = os.path.join(tmp, f"{mode}-{time.monotonic_ns()}.jsonl")
        portfile = self.out + ".port"
        self.proc = subprocess.Popen([sys.executable, os.path.join(HERE, "receiver.py"), mode, portfile, self.out, *args])
        for _ in range(200):
            if os.path.exists(portfile):
                break
            time.sleep(0.05)
        with open(portfile) as f:
            self.port = int(f.read())

    def entries(self):
        if not os.path.exists(self.out):
            return []
        with open(self.out) as f:
            # A line still being written is read next time.
            return [json.loads(line) for line in f if line.endswith("\n")]

    def errors(self):
        path = self.out + ".errors"
        if not os.path.exists(path):
            return ""
        with open(path) as f:
            return f.read()

    def stop(self):
        self.proc.terminate()
        self.proc.wait()


class Machine:
    """One sandboxed home: config, data directory, environment."""

    def __init__(self, tmp):
        self.dir = tmp
        self.db = os.path.join(tmp, "data", "preloop-hook", "audit.db")
        self.env = {k: v for k, v in os.environ.items()
                    if not (k == "HOME" or k.startswith("XDG_") or k.startswith("PRELOOP_"))}
        self.env.update(HOME=os.path.join(tmp, "home"), XDG_CONFIG_HOME=os.path.join(tmp, "cfg"),
                        XDG_DATA_HOME=os.path.join(tmp, "data"), XDG_STATE_HOME=os.path.join(tmp, "state"),
                        XDG_CACHE_HOME=os.path.join(tmp, "cache"),
                        PRELOOP_HOOK_MANAGED_DIR=os.path.join(tmp, "managed"),
                        PRELOOP_HOOK_CONFIG=os.path.join(tmp, "config.yaml"), OTEL_TEST_KEY=API_KEY)
        os.makedirs(self.env["HOME"], exist_ok=True)
        self.token_file = os.path.join(tmp, "hec-token")
        with open(self.token_file, "w") as f:
            f.write(TOKEN + "\n")
        os.chmod(self.token_file, 0o600)
        self.calls = 0

    def configure(self, http_port=None, syslog_port=None, extra=""):
        sinks = []
        if http_port:
            sinks.append(f"""    - name: otel
      kind: otlp
      endpoint: http://127.0.0.1:{http_port}
      headers:
        x-api-key: {{env: OTEL_TEST_KEY}}
      gzip: true
      batch_size: 3
{extra}""")
            sinks.append(f"""    - name: splunk
      kind: hec
      endpoint: http://127.0.0.1:{http_port}
      token: {{file: {self.token_file}}}
      format: ocsf
      index: security
{extra}""")
        if syslog_port:
            sinks.append(f"""    - name: siem
      kind: syslog
      endpoint: tcp://127.0.0.1:{syslog_port}
{extra}""")
        text = "profile: recommended\n"
        if sinks:
            text += "audit:\n  forward:\n" + "".join(sinks)
        with open(self.env["PRELOOP_HOOK_CONFIG"], "w") as f:
            f.write(text)

    def hook(self, command):
        self.calls += 1
        event = {"session_id": "sess-e2e", "hook_event_name": "PreToolUse", "tool_name": "Bash",
                 "tool_input": {"command": command}, "tool_use_id": f"toolu_{self.calls}", "cwd": self.dir,
                 "transcript_path": "/dev/null", "permission_mode": "default"}
        return subprocess.run([BIN, "hook"], input=json.dumps(event), capture_output=True, text=True, env=self.env,
                              timeout=30)

    def run(self, *args, timeout=60):
        return subprocess.run([BIN, *args], capture_output=True, text=True, env=self.env, timeout=timeout)

    def records(self):
        r = self.run("audit", "list", "--json", "-n", "100000")
        return len(json.loads(r.stdout))

    def state(self, sink):
        with open(os.path.join(self.db + ".forward", sink + ".json")) as f:
            return json.load(f)


def wait_for(predicate, seconds=20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()


class ForwardE2E(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="fwd-e2e-")
        self.m = Machine(self.tmp)
        self.receivers = []

    def tearDown(self):
        for r in self.receivers:
            r.stop()
        # A forwarder a hook started may still be at work: wait for its lock before removing its files.
        lock = os.path.join(self.m.db + ".forward", "lock")
        if os.path.exists(lock):
            with open(lock) as f:
                fcntl.flock(f, fcntl.LOCK_EX)
        subprocess.run(["rm", "-rf", self.tmp])

    def receiver(self, mode, *args):
        r = Receiver(self.tmp, mode, *args)
        self.receivers.append(r)
        return r

    def http(self, *args):
        return self.receiver("http", "--token", TOKEN, "--header", f"x-api-key={API_KEY}", *args)

    def seqs(self, r, sink, findings=False):
        """(id, seq) of the records a sink got; with findings, of its OCSF Detection Findings."""
        return sorted({(e["id"], e["seq"]) for e in r.entries()
                       if e["sink"] == sink and e["id"].endswith("-finding") == findings}, key=lambda x: x[1])

    def test_hook_calls_reach_every_sink_with_stable_ids_and_no_secret(self):
        http, syslog = self.http(), self.receiver("syslog")
        self.m.configure(http.port, syslog.port)
        commands = ["ls -la", "git status", f"curl -H 'Authorization: token {SECRET}' https://api.github.com",
                    "rm -rf /", "make test"]
        for c in commands:
            r = self.m.hook(c)
            self.assertIn(r.returncode, (0, 2), r.stderr)
        n = len(commands)
        # The hooks started a detached forwarder: nothing to run by hand.
        ok = wait_for(lambda: len(self.seqs(http, "otlp")) == n and len(self.seqs(http, "hec")) == n
                      and len(self.seqs(syslog, "syslog")) == n)
        self.assertTrue(ok, f"otlp {self.seqs(http, 'otlp')} hec {self.seqs(http, 'hec')} "
                            f"syslog {self.seqs(syslog, 'syslog')} errors {http.errors()} {syslog.errors()}")
        self.assertEqual(http.errors() + syslog.errors(), "")
        for sink, r in (("otlp", http), ("hec", http), ("syslog", syslog)):
            got = self.seqs(r, sink)
            self.assertEqual([s for _, s in got], list(range(1, n + 1)), sink)
            # One id per record, the same id on every sink.
            self.assertEqual(len({i for i, _ in got}), n)
        ids = lambda sink, r: [i for i, _ in self.seqs(r, sink)]  # noqa: E731
        self.assertEqual(ids("otlp", http), ids("syslog", syslog))
        self.assertEqual(ids("otlp", http), ids("hec", http))
        # The OCSF sink's Detection Finding for the masked secret: its own id, after its record's.
        self.assertEqual(self.seqs(http, "hec", findings=True), [(ids("hec", http)[2] + "-finding", 3)])
        self.assertTrue(all(e["gzip"] for e in http.entries() if e["sink"] == "otlp"))
        otlp = [e for e in http.entries() if e["sink"] == "otlp"]
        deny = [e["record"] for e in otlp if e["record"].get("preloop.rule_id") == "filesystem.delete-system"]
        self.assertEqual(len(deny), 1)
        self.assertEqual(deny[0]["preloop.decision"], "deny")
        self.assertEqual(deny[0]["preloop.rule_id"], "filesystem.delete-system")
        self.assertIn("rules/packs/filesystem.yaml", deny[0]["preloop.rule_location"])
        self.assertEqual(deny[0]["session.id"], "sess-e2e")
        self.assertEqual(deny[0]["gen_ai.tool.name"], "Bash")
        # OCSF over HEC: Process Activity for every call, a Detection Finding for the masked token.
        classes = [e["record"]["class_uid"] for e in http.entries() if e["sink"] == "hec"]
        self.assertEqual(classes.count(1007), n)
        self.assertEqual(classes.count(2004), 1)
        self.assertTrue(all(e["index"] == "security" for e in http.entries() if e["sink"] == "hec"))
        with open(http.out) as a, open(syslog.out) as b:
            everything = a.read() + b.read()
        self.assertNotIn(SECRET, everything)
        self.assertIn("[REDACTED:", everything)
        for sink in ("otel", "splunk", "siem"):
            st = self.m.state(sink)
            self.assertEqual(st["cursor_seq"], n, sink)
            self.assertEqual(st["last_error"], "", sink)
            mode = os.stat(os.path.join(self.m.db + ".forward", sink + ".json")).st_mode
            self.assertEqual(stat.S_IMODE(mode), 0o600)
        # Caught up: a flush by hand sends nothing and exits 0; doctor agrees.
        r = self.m.run("audit", "forward")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("otel: sent 0 record(s); 0 waiting", r.stdout)
        d = self.m.run("doctor")
        for sink in ("otel", "splunk", "siem"):
            self.assertRegex(d.stdout, rf"\[ ok \] audit.forward.{sink}: .*0 record\(s\) waiting")
        with open(self.m.state_path("otel")) as f:
            state_text = f.read()
        for out in (r.stdout, r.stderr, d.stdout, d.stderr, state_text):
            self.assertNotIn(TOKEN, out)
            self.assertNotIn(API_KEY, out)

    def test_receiver_down_keeps_records_and_a_restart_resumes_without_loss(self):
        dead = free_port()
        self.m.configure(dead, None)
        for i in range(4):
            self.m.hook(f"echo {i}")
        r = self.m.run("audit", "forward")
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("otel: sent 0 record(s); 4 waiting", r.stdout)
        self.assertIn("last error: connect", r.stdout)
        self.assertNotIn(TOKEN, r.stdout + r.stderr)
        d = self.m.run("doctor")
        self.assertRegex(d.stdout, r"\[warn\] audit.forward.otel: .*4 record\(s\) waiting, last error: connect")
        # Back, but answering 503 to its first request and 429 to nothing else: one flush fails, the next delivers.
        http = self.http("--fail", "1", "--status", "503")
        self.m.configure(http.port, None)
        first = self.m.run("audit", "forward", "--sink", "otel")
        self.assertEqual(first.returncode, 1, first.stdout)
        self.assertIn("HTTP 503", first.stdout)
        second = self.m.run("audit", "forward", "--sink", "otel")
        self.assertEqual(second.returncode, 0, second.stdout)  # --sink: the exit status speaks of that sink
        self.assertIn("otel: sent 4 record(s); 0 waiting; cursor seq 4", second.stdout)
        self.assertEqual([s for _, s in self.seqs(http, "otlp")], [1, 2, 3, 4])
        # A restart resumes after the saved cursor: the next records only (the hook also
        # recorded the configuration change).
        for i in range(2):
            self.m.hook(f"echo again {i}")
        total = self.m.records()
        self.assertGreaterEqual(total, 6)
        self.assertTrue(wait_for(lambda: [s for _, s in self.seqs(http, "otlp")] == list(range(1, total + 1))),
                        f"{self.seqs(http, 'otlp')} {http.errors()}")
        entries = [e for e in http.entries() if e["sink"] == "otlp"]
        self.assertEqual(len(entries), len({e["id"] for e in entries}))  # nothing was sent twice here
        # The HEC sink, failing since the start, waits out its backoff; a flush by hand tries it now.
        r = self.m.run("audit", "forward")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual([s for _, s in self.seqs(http, "hec")], list(range(1, total + 1)))

    def test_a_sink_over_its_backlog_bound_is_reported_and_keeps_its_records(self):
        self.m.configure(free_port(), None, extra="      max_backlog: 2\n")
        for i in range(3):
            self.m.hook(f"echo {i}")
        r = self.m.run("audit", "forward", "--json")
        self.assertEqual(r.returncode, 1)
        out = json.loads(r.stdout)
        otel = [s for s in out["sinks"] if s["name"] == "otel"][0]
        self.assertTrue(otel["behind"])
        self.assertEqual(otel["waiting"], 3)
        d = self.m.run("doctor")
        self.assertRegex(d.stdout, r"\[FAIL\] audit.forward.otel: .*the sink is behind")
        # Nothing was dropped: the store still has them all.
        listed = self.m.run("audit", "list", "--json")
        self.assertEqual(len(json.loads(listed.stdout)), 3)

    def test_follow_sends_new_records_and_stops_on_sigterm(self):
        http = self.http()
        self.m.configure(http.port, None)
        follower = subprocess.Popen([BIN, "audit", "forward", "--follow", "--interval-ms", "200"], env=self.m.env,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            for i in range(3):
                self.m.hook(f"echo {i}")
            self.assertTrue(wait_for(lambda: len(self.seqs(http, "otlp")) == 3), http.errors())
            # While it runs, hooks start no forwarder of their own: the marker stays fresh.
            marker = self.m.db + ".forward-started"
            self.assertLess(time.time() - os.stat(marker).st_mtime, 2.0)
        finally:
            follower.send_signal(signal.SIGTERM)
            out, err = follower.communicate(timeout=10)
        self.assertEqual(follower.returncode, 0, err)
        self.assertIn("otel: sent", out)

    def test_without_a_sink_the_hook_starts_nothing(self):
        self.m.configure(None, None)
        for i in range(3):
            self.assertEqual(self.m.hook(f"echo {i}").returncode, 0)
        time.sleep(0.5)
        self.assertFalse(os.path.exists(self.m.db + ".forward-started"))
        self.assertFalse(os.path.exists(self.m.db + ".forward"))
        r = self.m.run("audit", "forward")
        self.assertEqual(r.returncode, 2)
        self.assertIn("no sink is configured", r.stderr)

    def test_config_errors_name_the_place(self):
        with open(self.m.env["PRELOOP_HOOK_CONFIG"], "w") as f:
            f.write("audit:\n  forward:\n    - name: x\n      kind: hec\n      endpoint: https://h\n      token: plain\n")
        r = self.m.run("audit", "forward")
        self.assertEqual(r.returncode, 2)
        self.assertIn("config.yaml:6:14: 'token' must be {env: VARIABLE} or {file: PATH}", r.stderr)
        self.assertNotIn("plain", r.stderr.split("got")[-1] if "got" in r.stderr else "")
        # The hook denies rather than running with a config it cannot read.
        self.assertEqual(self.m.hook("ls").returncode, 2)


Machine.state_path = lambda self, sink: os.path.join(self.db + ".forward", sink + ".json")

if __name__ == "__main__":
    unittest.main(verbosity=2)
