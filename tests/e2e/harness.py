"""Running the real Claude Code against preloop-hook in a throw-away home.

Claude Code is the npm package at a pinned version, or the native binary of
the newest Agent SDK release (PRELOOP_E2E_CLAUDE_SOURCE=sdk), installed into a
cache directory of the build tree on first use. Each Sandbox has its own HOME, XDG
directories and project, gets its hooks from `preloop-hook install` (or from
the plugin), and talks to a MessagesStandin instead of the Anthropic API.
"""

import json
import os
import shutil
import sqlite3
import subprocess
import tempfile

import npm_cache
from npm_cache import Unavailable  # noqa: F401 (run_e2e.py catches it from here)

CLAUDE_CODE_VERSION = "2.1.330"
CLAUDE_PACKAGE = "@anthropic-ai/claude-code"
# Releases after 2.1.332 ship only as the native binary of the Agent SDK's
# platform packages (@anthropic-ai/claude-agent-sdk-linux-x64, …).
SDK_PACKAGE = "@anthropic-ai/claude-agent-sdk"
SOURCE_ENV = "PRELOOP_E2E_CLAUDE_SOURCE"   # "npm" (default) or "sdk"


def _sdk_platform_package():
    arch = {"x86_64": "x64", "aarch64": "arm64", "arm64": "arm64"}.get(os.uname().machine, os.uname().machine)
    musl = any(name.startswith("ld-musl-") for name in os.listdir("/lib")) if os.path.isdir("/lib") else False
    return f"{SDK_PACKAGE}-linux-{arch}{'-musl' if musl else ''}"


def _newest_cached_sdk(root):
    versions = []
    for name in os.listdir(root) if os.path.isdir(root) else []:
        try:
            versions.append((tuple(int(part) for part in name.split(".")), name))
        except ValueError:
            continue
    return max(versions)[1] if versions else None


def claude_source():
    source = os.environ.get(SOURCE_ENV, "npm")
    if source not in ("npm", "sdk"):
        raise ValueError(f"{SOURCE_ENV}={source!r}: expected npm (the pinned {CLAUDE_PACKAGE}) or sdk "
                         f"(the newest native binary of {SDK_PACKAGE})")
    return source


def ensure_claude(cache_dir):
    """(path, version) of the Claude Code under test.

    PRELOOP_E2E_CLAUDE names a binary to use as is. Otherwise PRELOOP_E2E_CLAUDE_SOURCE
    picks where it comes from: "npm" (default), the CLI package at CLAUDE_CODE_VERSION
    installed into cache_dir; "sdk", the native binary of the newest Agent SDK release
    (or PRELOOP_E2E_CLAUDE_SDK_VERSION), installed into cache_dir/claude-agent-sdk/<version>
    from its platform package. Without the registry, the newest SDK release in the cache is used."""
    source = claude_source()
    explicit = os.environ.get("PRELOOP_E2E_CLAUDE")
    if explicit:
        reported = npm_cache.reported_version(explicit) or ""
        if "Claude Code" not in reported or (source == "npm" and not reported.startswith(CLAUDE_CODE_VERSION)):
            raise Unavailable(f"PRELOOP_E2E_CLAUDE={explicit} is not Claude Code"
                              f"{' ' + CLAUDE_CODE_VERSION if source == 'npm' else ''} (it reports {reported!r})")
        return explicit, reported.split()[0]
    if source == "npm":
        binary = npm_cache.ensure(cache_dir, CLAUDE_PACKAGE, CLAUDE_CODE_VERSION,
                                  [os.path.join("node_modules", ".bin", "claude"),
                                   os.path.join("node_modules", "@anthropic-ai", "claude-code-linux-x64", "claude")],
                                  CLAUDE_CODE_VERSION)
        return binary, CLAUDE_CODE_VERSION
    root = os.path.join(cache_dir, "claude-agent-sdk")
    sdk = (os.environ.get("PRELOOP_E2E_CLAUDE_SDK_VERSION") or npm_cache.newest_version(SDK_PACKAGE)
           or _newest_cached_sdk(root))
    if not sdk:
        raise Unavailable(f"the registry cannot be asked for the newest {SDK_PACKAGE} and none is cached")
    package = _sdk_platform_package()
    binary = npm_cache.ensure(os.path.join(root, sdk), package, sdk,
                              [os.path.join("node_modules", *package.split("/"), "claude")], "(Claude Code)")
    return binary, f"{npm_cache.reported_version(binary).split()[0]} ({package}@{sdk})"


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

    def base_env(self):
        """A clean environment: nothing from an enclosing agent session or user config leaks in."""
        return {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "LANG": "C.UTF-8",
            "HOME": self.home,
            "XDG_CONFIG_HOME": self.config_home,
            "XDG_DATA_HOME": self.data_home,
            "XDG_STATE_HOME": os.path.join(self.root, "state"),
            "PRELOOP_HOOK_MANAGED_DIR": os.path.join(self.root, "managed"),
        }

    def env(self):
        env = self.base_env()
        env.update({
            "ANTHROPIC_BASE_URL": self.standin.url,
            "ANTHROPIC_API_KEY": "dummy",
            "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
            "DISABLE_AUTOUPDATER": "1",
        })
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
