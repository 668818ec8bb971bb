"""A sandboxed machine running the real preloop-hook: its own HOME and XDG
directories, its own config (with `audit.forward`), audit store and forwarding
state, so many can share one receiver and keep distinct host ids.

`hook()` runs one hook call and measures its wall time; `forward()` runs
`preloop-hook audit forward`; `expected()` reads the machine's own audit store
(SQLite, read-only) for what every receiver should end up with.
"""

import contextlib
import fcntl
import json
import os
import sqlite3
import subprocess
import time

# A GitHub token shape the secret scanner masks: it must never reach a receiver.
SECRET = "ghp_" + "Zq8Rw3Ty6Ui9Op2As5Df8Gh1Jk4Lz7Xc0Vb3"


def _yaml(value, indent=0):
    """Config as YAML (JSON scalars are valid YAML; keeps quoting right for paths)."""
    pad = " " * indent
    if isinstance(value, dict):
        out = []
        for k, v in value.items():
            if isinstance(v, (dict, list)) and v:
                out.append(f"{pad}{k}:\n{_yaml(v, indent + 2)}")
            else:
                out.append(f"{pad}{k}: {json.dumps(v)}")
        return "\n".join(out)
    out = []
    for item in value:
        body = _yaml(item, indent + 2).lstrip()
        out.append(f"{pad}- {body}")
    return "\n".join(out)


class HookCall:
    def __init__(self, proc, seconds):
        self.returncode, self.stdout, self.stderr, self.seconds = proc.returncode, proc.stdout, proc.stderr, seconds


class Machine:
    def __init__(self, root, binary, name="m0"):
        self.root = root
        self.binary = binary
        self.name = name
        for d in ("home", "config", "data", "state", "managed", "project"):
            os.makedirs(os.path.join(root, d), exist_ok=True)
        self.config_path = os.path.join(root, "config.yaml")
        self.db = os.path.join(root, "data", "preloop-hook", "audit.db")
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": os.path.join(root, "home"),
            "XDG_CONFIG_HOME": os.path.join(root, "config"),
            "XDG_DATA_HOME": os.path.join(root, "data"),
            "XDG_STATE_HOME": os.path.join(root, "state"),
            "PRELOOP_HOOK_CONFIG": self.config_path,
            "PRELOOP_HOOK_MANAGED_DIR": os.path.join(root, "managed"),
            "LANG": "C.UTF-8",
        }
        self.configure([])

    def configure(self, sinks, audit=None, **settings):
        """Writes the config: `sinks` as audit.forward, `audit` more audit keys, the rest top level."""
        config = {"profile": "recommended", "identity": f"dev-{self.name}@example.com"}
        config.update(settings)
        config["audit"] = {"enabled": True, **(audit or {}), **({"forward": sinks} if sinks else {})}
        with open(self.config_path, "w") as f:
            f.write(_yaml(config) + "\n")

    # ---- hook calls -----------------------------------------------------------

    def event(self, i, kind="PreToolUse", command=None):
        ev = {"session_id": f"sess-{self.name}", "transcript_path": os.path.join(self.root, "t.jsonl"),
              "cwd": os.path.join(self.root, "project"), "permission_mode": "default",
              "hook_event_name": kind, "tool_name": "Bash",
              "tool_input": {"command": command or f"echo {self.name} call {i}", "description": f"call {i}"},
              "tool_use_id": f"toolu_{self.name}_{i:05d}"}
        if kind == "PostToolUse":
            ev["tool_response"] = {"stdout": f"{self.name} call {i}\n", "stderr": "", "interrupted": False}
        return ev

    def hook(self, event):
        started = time.monotonic()
        proc = subprocess.run([self.binary, "hook"], input=json.dumps(event), capture_output=True, text=True,
                              env=self.env, timeout=60)
        return HookCall(proc, time.monotonic() - started)

    def tool_call(self, i, command=None):
        """PreToolUse then PostToolUse of one Bash call: the two HookCalls."""
        return [self.hook(self.event(i, "PreToolUse", command)), self.hook(self.event(i, "PostToolUse", command))]

    # ---- the CLI -----------------------------------------------------------------

    def run(self, *args, timeout=120):
        return subprocess.run([self.binary, *args], capture_output=True, text=True, env=self.env, timeout=timeout)

    def forward(self, *args, timeout=120):
        return self.run("audit", "forward", *args, timeout=timeout)

    def popen(self, *args):
        return subprocess.Popen([self.binary, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env=self.env)

    def forwarder_running(self):
        """Whether a forwarder holds this machine's lock (detached ones started by hooks included)."""
        lock = self.db + ".forward/lock"
        if not os.path.exists(lock):
            return False
        with open(lock, "a") as f:
            try:
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
                fcntl.flock(f, fcntl.LOCK_UN)
                return False
            except BlockingIOError:
                return True

    def wait_idle(self, timeout=60):
        """Waits until no forwarder runs. True when idle."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.forwarder_running():
                return True
            time.sleep(0.05)
        return False

    def sink_state(self, name):
        path = os.path.join(self.db + ".forward", name + ".json")
        if not os.path.exists(path):
            return None
        with open(path) as f:
            return json.load(f)

    # ---- what the receivers should get ----------------------------------------------

    def host_id(self):
        with self._store() as db:
            return db.execute("SELECT store_id FROM store_meta").fetchone()[0]

    def journal_bytes(self):
        """What waits in the journal to be folded onto the chain."""
        path = self.db + ".spool.jsonl"
        return os.path.getsize(path) if os.path.exists(path) else 0

    def expected(self, fold=True):
        """[(seq, hash, tool_use_id, hook_event)] of every record of the store, by seq (the
        journal folded first, unless fold=False: then the store only, nothing written)."""
        if fold:
            out = self.run("audit", "fold")
            if out.returncode != 0:
                raise RuntimeError(f"audit fold failed: {out.stderr}")
        if not fold and not os.path.exists(self.db):
            return []
        try:
            with self._store() as db:
                return db.execute("SELECT seq, hash, tool_use_id, hook_event FROM events ORDER BY seq").fetchall()
        except sqlite3.OperationalError:
            if fold:
                raise
            return []           # a store still being created

    def rows(self):
        """Every record of the store as a dict of its columns, by seq."""
        self.expected()
        with self._store() as db:
            db.row_factory = sqlite3.Row
            return [dict(r) for r in db.execute("SELECT * FROM events ORDER BY seq")]

    def _store(self):
        return contextlib.closing(sqlite3.connect(f"file:{self.db}?mode=ro", uri=True, timeout=10))
