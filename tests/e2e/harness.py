"""Running the real Claude Code against preloop-hook in a throw-away home.

Claude Code is the npm package at a pinned version, installed into a cache
directory of the build tree on first use. Each Sandbox has its own HOME, XDG
directories and project, gets its hooks from `preloop-hook install` (or from
the plugin), and talks to a MessagesStandin instead of the Anthropic API.
"""

import json
import os
import shutil
import sqlite3
import subprocess
import tempfile

CLAUDE_CODE_VERSION = "2.1.330"
CLAUDE_PACKAGE = "@anthropic-ai/claude-code"


class Unavailable(Exception):
    """Claude Code cannot be had here (no npm, no network): the suite is skipped."""


def _version_ok(binary):
    try:
        out = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=60,
                             env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": tempfile.gettempdir()})
    except (OSError, subprocess.TimeoutExpired):
        return False
    return out.returncode == 0 and out.stdout.strip().startswith(CLAUDE_CODE_VERSION)


def ensure_claude(cache_dir):
    """Path of the pinned Claude Code: PRELOOP_E2E_CLAUDE, else the cache, else npm install into it."""
    explicit = os.environ.get("PRELOOP_E2E_CLAUDE")
    if explicit:
        if not _version_ok(explicit):
            raise Unavailable(f"PRELOOP_E2E_CLAUDE={explicit} is not Claude Code {CLAUDE_CODE_VERSION}")
        return explicit
    candidates = [os.path.join(cache_dir, "node_modules", ".bin", "claude"),
                  os.path.join(cache_dir, "node_modules", "@anthropic-ai", "claude-code-linux-x64", "claude")]
    for binary in candidates:
        if os.path.exists(binary) and _version_ok(binary):
            return binary
    npm = shutil.which("npm")
    if not npm:
        raise Unavailable("npm is not installed, so Claude Code cannot be installed")
    os.makedirs(cache_dir, exist_ok=True)
    try:
        out = subprocess.run([npm, "install", "--prefix", cache_dir, "--no-audit", "--no-fund",
                              f"{CLAUDE_PACKAGE}@{CLAUDE_CODE_VERSION}"],
                             capture_output=True, text=True, timeout=600)
    except subprocess.TimeoutExpired:
        raise Unavailable("npm install of Claude Code took more than 10 minutes (registry unreachable?)")
    if out.returncode != 0:
        tail = "\n".join((out.stderr or out.stdout).strip().splitlines()[-5:])
        raise Unavailable(f"npm could not install {CLAUDE_PACKAGE}@{CLAUDE_CODE_VERSION}:\n{tail}")
    for binary in candidates:
        if os.path.exists(binary) and _version_ok(binary):
            return binary
    raise Unavailable(f"{CLAUDE_PACKAGE}@{CLAUDE_CODE_VERSION} installed but no runnable claude binary was found")


class Result:
    def __init__(self, proc, standin):
        self.returncode = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr
        try:
            self.json = json.loads(proc.stdout)
        except ValueError:
            self.json = None
        self.tool_results = standin.tool_results()
        self.requests = list(standin.requests)

    def tool_result_text(self, index=0):
        content = self.tool_results[index]["content"]
        if isinstance(content, list):
            return "".join(block.get("text", "") for block in content)
        return content

    def everything_the_model_saw(self):
        return json.dumps(self.requests)

    def __repr__(self):
        return (f"<claude rc={self.returncode} tool_results={json.dumps(self.tool_results)[:2000]} "
                f"stderr={self.stderr[-2000:]!r}>")


class Sandbox:
    """A home, XDG directories and a project directory under one temporary directory."""

    def __init__(self, claude, hook_bin, standin):
        self.claude = claude
        self.hook_bin = hook_bin
        self.standin = standin
        self.root = tempfile.mkdtemp(prefix="preloop-e2e.")
        self.home = os.path.join(self.root, "home")
        self.project = os.path.join(self.home, "project")
        self.config_home = os.path.join(self.root, "config")
        self.data_home = os.path.join(self.root, "data")
        for d in (self.home, self.project, self.config_home, self.data_home):
            os.makedirs(d)
        self.extra_env = {}

    def close(self):
        shutil.rmtree(self.root, ignore_errors=True)

    # Paths
    def path(self, *parts):
        return os.path.join(self.project, *parts)

    @property
    def preloop_config_dir(self):
        return os.path.join(self.config_home, "preloop-hook")

    @property
    def rules_dir(self):
        return os.path.join(self.preloop_config_dir, "rules")

    @property
    def audit_db(self):
        return os.path.join(self.data_home, "preloop-hook", "audit.db")

    @property
    def claude_settings(self):
        return os.path.join(self.home, ".claude", "settings.json")

    def env(self):
        """A clean environment: nothing from an enclosing Claude Code session or user config leaks in."""
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "LANG": "C.UTF-8",
            "HOME": self.home,
            "XDG_CONFIG_HOME": self.config_home,
            "XDG_DATA_HOME": self.data_home,
            "XDG_STATE_HOME": os.path.join(self.root, "state"),
            "PRELOOP_HOOK_MANAGED_DIR": os.path.join(self.root, "managed"),
            "ANTHROPIC_BASE_URL": self.standin.url,
            "ANTHROPIC_API_KEY": "dummy",
            "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
            "DISABLE_AUTOUPDATER": "1",
        }
        env.update(self.extra_env)
        return env

    # preloop-hook
    def preloop(self, *args, check=True, binary=None):
        out = subprocess.run([binary or self.hook_bin, *args], cwd=self.project, env=self.env(),
                             capture_output=True, text=True, timeout=60)
        if check and out.returncode != 0:
            raise AssertionError(f"preloop-hook {' '.join(args)} failed ({out.returncode}):\n{out.stdout}\n{out.stderr}")
        return out

    def set_config(self, key, value):
        """Sets a top-level key of preloop-hook's config.yaml (replacing its line, or appending one)."""
        path = os.path.join(self.preloop_config_dir, "config.yaml")
        with open(path) as f:
            lines = f.read().splitlines()
        replaced = [f"{key}: {value}" if line.startswith(f"{key}:") else line for line in lines]
        if replaced == lines and not any(line.startswith(f"{key}:") for line in lines):
            replaced.append(f"{key}: {value}")
        with open(path, "w") as f:
            f.write("\n".join(replaced) + "\n")

    def write_policy(self, name, text):
        os.makedirs(self.rules_dir, exist_ok=True)
        with open(os.path.join(self.rules_dir, name), "w") as f:
            f.write(text)

    def write(self, relative, text):
        full = self.path(relative)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w") as f:
            f.write(text)
        return full

    # Claude Code
    def run_claude(self, turns, allowed_tools=("Bash", "Write", "Edit", "Read"), extra_args=(), timeout=120):
        """Runs `claude -p` with the model following `turns`; returns a Result."""
        self.standin.script(turns)
        args = [self.claude, "-p", "Do the task.", "--output-format", "json",
                "--allowedTools", ",".join(allowed_tools), *extra_args]
        proc = subprocess.run(args, cwd=self.project, env=self.env(), capture_output=True, text=True,
                              timeout=timeout, stdin=subprocess.DEVNULL)
        return Result(proc, self.standin)

    # Audit store
    def audit_rows(self, **where):
        # Hooks journal their records; any audit command folds them into the store.
        self.preloop("audit", "verify", check=False)
        if not os.path.exists(self.audit_db):
            return []
        con = sqlite3.connect(f"file:{self.audit_db}?mode=ro", uri=True)
        con.row_factory = sqlite3.Row
        try:
            clause = " AND ".join(f"{k} = ?" for k in where) or "1"
            return [dict(r) for r in con.execute(f"SELECT * FROM events WHERE {clause} ORDER BY seq",
                                                 tuple(where.values()))]
        finally:
            con.close()
