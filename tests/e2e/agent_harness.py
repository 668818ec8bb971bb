"""Running the real Codex CLI, GitHub Copilot CLI, Gemini CLI and Qwen Code
against preloop-hook.

Each CLI is the npm package at a pinned version, installed into a cache
directory of the build tree on first use (npm_cache). A sandbox has its own
HOME, XDG directories and project (harness.Sandbox), gets its hooks from
`preloop-hook install --agent NAME`, and talks to a ResponsesStandin on
127.0.0.1 instead of a model provider: Codex through a `model_providers` entry
with the Responses wire API, Copilot through its BYOK provider variables with
offline mode on. The stand-in is also their proxy, so every run checks that
nothing tried to go past loopback (Codex would sync plugins from github.com
and reach chatgpt.com for apps: both are switched off here).
Gemini CLI talks to a GeminiStandin (GOOGLE_GEMINI_BASE_URL) and Qwen Code to
an OpenAIStandin (OPENAI_BASE_URL, chat completions); both have their usage
statistics and update checks switched off in their settings, and every run of
theirs is also traced (strace, when installed) to show that no process
connects to anything but 127.0.0.1, proxy or not.
"""

import json
import os
import re
import shutil
import subprocess

import loopback
import npm_cache
from gemini_standin import GeminiStandin
from harness import Sandbox
from openai_standin import OpenAIStandin
from responses_standin import ResponsesStandin, custom_call, tool_call

# The model id chooses the tools the CLI offers: "gpt-5.5" is in both CLIs'
# bundled catalogues and gets the shell tool plus apply_patch (free-form).
MODEL = "gpt-5.5"
MODEL_KEY_ENV = "PRELOOP_E2E_MODEL_KEY"


class Agent:
    """A CLI under test: its npm package, pinned version and binary."""

    def __init__(self, name, audit_name, package, version, binaries, sandbox, tells_hooks_its_version,
                 standin=ResponsesStandin):
        self.name, self.audit_name = name, audit_name  # --agent NAME; the audit's agent column
        self.package, self.version = package, version
        self.binaries, self.sandbox, self.standin = binaries, sandbox, standin
        # Whether its hooks can know the version (Copilot: COPILOT_CLI_BINARY_VERSION in
        # their environment; Codex tells them nothing of it).
        self.tells_hooks_its_version = tells_hooks_its_version

    def ensure(self, cache_dir):
        """Path of the pinned CLI, installed into cache_dir/<name> when missing (Unavailable when it cannot be)."""
        return npm_cache.ensure(os.path.join(cache_dir, self.name), self.package, self.version, self.binaries,
                                self.version)


class Result:
    """What one run of the CLI did and what the model was shown."""

    def __init__(self, proc, standin):
        self.returncode = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr
        self.requests = list(standin.requests)
        self.outputs = standin.tool_outputs()   # each tool call's output, as the model got it
        self.stray = list(standin.stray)        # requests to anything but the model endpoint
        self.peers = None                       # addresses connected to, when the run was traced

    def output(self, index=0):
        return self.outputs[index] if index < len(self.outputs) else ""

    def everything_the_model_saw(self):
        return json.dumps(self.requests)

    def __repr__(self):
        return (f"<rc={self.returncode} outputs={json.dumps(self.outputs)[:2000]} "
                f"stdout={self.stdout[-1500:]!r} stderr={self.stderr[-1500:]!r}>")


class AgentSandbox(Sandbox):
    """A harness.Sandbox whose agent is one of the npm CLIs here."""

    agent = None        # preloop-hook's name for the agent (install --agent, hook --agent)

    def __init__(self, binary, hook_bin, standin):
        super().__init__(binary, hook_bin, standin)
        self.binary = binary

    def base_env(self):
        env = super().base_env()
        # Anything the CLI sends past loopback goes to the stand-in as its proxy, which
        # refuses it and records it (Result.stray), so a test sees it and nothing leaves.
        for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
            env[name] = env[name.lower()] = self.standin.url
        env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
        return env

    def install(self, *extra):
        return self.preloop("install", "--agent", self.agent, *extra)

    def command(self, extra_args):
        raise NotImplementedError

    def run(self, turns, extra_args=(), timeout=120, wrapper=()):
        """Runs the CLI non-interactively (under wrapper, a command prefix) with the
        model following turns; returns a Result."""
        self.standin.script(turns)
        proc = subprocess.run([*wrapper, *self.command(extra_args)], cwd=self.project, env=self.env(),
                              capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
        return Result(proc, self.standin)

    # Turns of the scripted model, in the tool vocabulary of the agent.
    def shell(self, command):
        raise NotImplementedError

    def read_file(self, path):
        """The agent's way to read a file (its shell where it has no read tool)."""
        return self.shell(f"cat {path}")

    def add_file(self, path, text):
        """apply_patch adding one file (both CLIs offer it for MODEL)."""
        lines = "".join(f"+{line}\n" for line in text.splitlines())
        return custom_call("apply_patch", f"*** Begin Patch\n*** Add File: {path}\n{lines}*** End Patch\n")


class CodexSandbox(AgentSandbox):
    agent = "codex"
    # Codex runs a non-managed hook only once the user has trusted it (by hash, in
    # /hooks); tests use the documented per-invocation bypass instead.
    bypass_hook_trust = True
    trust_project_args = ["--trust"]  # saves the project's trust in config.toml

    @property
    def codex_home(self):
        return os.path.join(self.home, ".codex")

    def env(self):
        env = self.base_env()
        env[MODEL_KEY_ENV] = "dummy"
        env.update(self.extra_env)
        return env

    def command(self, extra_args):
        # The provider, and everything that would leave loopback, as -c overrides, so that
        # config.toml holds only what the user (and preloop-hook install) wrote there.
        overrides = {
            "model": json.dumps(MODEL),
            "model_provider": '"e2e"',
            "model_providers.e2e": ('{ name = "e2e", base_url = %s, wire_api = "responses", env_key = "%s", '
                                    'request_max_retries = 0, stream_max_retries = 0 }'
                                    % (json.dumps(self.standin.url + "/v1"), MODEL_KEY_ENV)),
            "features.plugins": "false",
            "features.remote_plugin": "false",
            "features.apps": "false",
            "analytics.enabled": "false",
            "check_for_update_on_startup": "false",
        }
        args = [self.binary, "exec", "--skip-git-repo-check", "--json",
                # Codex runs no sandbox of its own here and asks for no approvals:
                # only the hook stands between the model and the machine.
                "--dangerously-bypass-approvals-and-sandbox"]
        if self.bypass_hook_trust:
            args.append("--dangerously-bypass-hook-trust")
        for key, value in overrides.items():
            args += ["-c", f"{key}={value}"]
        return [*args, *extra_args, "Do the task."]

    def shell(self, command):
        return tool_call("exec_command", cmd=command)


class CopilotSandbox(AgentSandbox):
    agent = "copilot"
    model = MODEL
    trust_project_args = ["--trust-folder"]  # this run only

    def env(self):
        env = self.base_env()
        env.update({
            "COPILOT_OFFLINE": "true",
            "COPILOT_AUTO_UPDATE": "false",
            "COPILOT_PROVIDER_BASE_URL": self.standin.url + "/v1",
            "COPILOT_PROVIDER_WIRE_API": "responses",
            "COPILOT_PROVIDER_API_KEY": "dummy",
            "COPILOT_MODEL": self.model,
            # Copilot unpacks its JavaScript into the cache directory at start (~3 s):
            # once, next to the npm install (binary = <prefix>/node_modules/.bin/copilot).
            "XDG_CACHE_HOME": os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(self.binary))),
                                           "xdg-cache"),
        })
        env.update(self.extra_env)
        return env

    def command(self, extra_args):
        return [self.binary, "-p", "Do the task.", "--allow-all-tools", "--output-format", "json",
                "--disable-client-telemetry", *extra_args]

    def shell(self, command):
        return tool_call("bash", command=command, description="e2e step")

    def read_file(self, path):
        return tool_call("view", path=path)


class SettingsFileSandbox(AgentSandbox):
    """An agent that reads its provider and hooks from one settings.json in a
    directory of HOME; the sandbox writes the provider part before `install`
    adds the hooks, so install has to keep what it finds there."""

    settings_dir = None     # under HOME
    settings = {}
    hook_events = ()        # the events install must hook: before and after a tool

    def __init__(self, binary, hook_bin, standin):
        super().__init__(binary, hook_bin, standin)
        os.makedirs(self.agent_dir)
        self.write_json("settings.json", self.settings)

    def timeout_seconds(self, value):
        """A hook's timeout setting, in seconds."""
        raise NotImplementedError

    @property
    def agent_dir(self):
        return os.path.join(self.home, self.settings_dir)

    @property
    def settings_path(self):
        return os.path.join(self.agent_dir, "settings.json")

    def write_json(self, name, value):
        with open(os.path.join(self.agent_dir, name), "w") as f:
            json.dump(value, f, indent=2)

    def add_file(self, path, text):
        return loopback.tool_use("write_file", file_path=path, content=text)

    def read_file(self, path):
        return loopback.tool_use("read_file", file_path=path)

    def run(self, turns, extra_args=(), timeout=120):
        """As AgentSandbox.run; under strace, so that result.peers holds every
        address the CLI and the processes it started connected to."""
        strace = shutil.which("strace")
        if not strace:
            return super().run(turns, extra_args, timeout)
        trace = os.path.join(self.root, "connect.trace")
        result = super().run(turns, extra_args, timeout, wrapper=[strace, "-f", "-qq", "-e", "trace=connect",
                                                                  "-o", trace])
        with open(trace) as f:
            found = re.findall(r'inet_addr\("([^"]+)"\)|inet_pton\(AF_INET6, "([^"]+)"', f.read())
        result.peers = {v4 or v6 for v4, v6 in found}
        return result


class GeminiSandbox(SettingsFileSandbox):
    agent = "gemini"
    settings_dir = ".gemini"
    hook_events = ("BeforeTool", "AfterTool")
    settings = {
        # An API key with GOOGLE_GEMINI_BASE_URL; the "gateway" auth type that the
        # URL alone selects is refused in -p mode.
        "security": {"auth": {"selectedType": "gemini-api-key"}},
        "privacy": {"usageStatisticsEnabled": False},   # else it reaches play.googleapis.com
        "general": {"enableAutoUpdate": False, "enableAutoUpdateNotification": False},
    }

    def __init__(self, binary, hook_bin, standin):
        super().__init__(binary, hook_bin, standin)
        # In an untrusted folder Gemini CLI turns yolo back into "default", and in -p
        # mode that leaves the model without a shell tool.
        self.write_json("trustedFolders.json", {self.project: "TRUST_FOLDER"})

    def timeout_seconds(self, value):
        return value / 1000

    def env(self):
        env = self.base_env()
        # No relaunch of itself with a larger heap: a second node start per run.
        env.update({"GEMINI_API_KEY": "dummy", "GOOGLE_GEMINI_BASE_URL": self.standin.url, "TERM": "dumb",
                    "GEMINI_CLI_NO_RELAUNCH": "true"})
        env.update(self.extra_env)
        return env

    def command(self, extra_args):
        # yolo: no confirmations, so only the hook stands between the model and the machine;
        # a fixed model skips the routing classifier's extra model call.
        return [self.binary, "-p", "Do the task.", "--output-format", "json", "--approval-mode", "yolo",
                "--model", "gemini-2.5-flash", *extra_args]

    def shell(self, command):
        return loopback.tool_use("run_shell_command", command=command, description="e2e step")


class QwenSandbox(SettingsFileSandbox):
    agent = "qwen"
    settings_dir = ".qwen"
    hook_events = ("PreToolUse", "PostToolUse")
    settings = {
        "security": {"auth": {"selectedType": "openai"}},
        "privacy": {"usageStatisticsEnabled": False},
        "general": {"enableAutoUpdate": False},
    }

    def timeout_seconds(self, value):
        # Seconds since 0.24; 1000 and more are still read as milliseconds, as before.
        return value if value < 1000 else value / 1000

    def env(self):
        env = self.base_env()
        env.update({"OPENAI_API_KEY": "dummy", "OPENAI_BASE_URL": self.standin.url + "/v1",
                    "OPENAI_MODEL": "qwen3-coder-plus", "QWEN_CODE_SUPPRESS_YOLO_WARNING": "1",
                    "QWEN_CODE_NO_RELAUNCH": "true"})
        env.update(self.extra_env)
        return env

    def command(self, extra_args):
        return [self.binary, "-p", "Do the task.", "--output-format", "json", "--approval-mode", "yolo",
                *extra_args]

    def shell(self, command):
        return loopback.tool_use("run_shell_command", command=command, is_background=False, description="e2e step")


AGENTS = {
    "codex": Agent("codex", "codex_cli", "@openai/codex", "0.171.0",
                   [os.path.join("node_modules", ".bin", "codex")], CodexSandbox, tells_hooks_its_version=False),
    "copilot": Agent("copilot", "copilot_cli", "@github/copilot", "1.0.102",
                     [os.path.join("node_modules", ".bin", "copilot")], CopilotSandbox, tells_hooks_its_version=True),
    # Gemini CLI tells its hooks nothing of its version. Qwen Code sets QWEN_CODE_STARTUP_VERSION
    # in their environment, which the qwen adapter does not read (yet): no version in its audit.
    "gemini": Agent("gemini", "gemini_cli", "@google/gemini-cli", "0.61.0",
                    [os.path.join("node_modules", ".bin", "gemini")], GeminiSandbox, tells_hooks_its_version=False,
                    standin=GeminiStandin),
    # Qwen Code asks for node >= 22 but runs on the node 20 of Debian bookworm.
    "qwen": Agent("qwen", "qwen_code", "@qwen-code/qwen-code", "0.24.4",
                  [os.path.join("node_modules", ".bin", "qwen")], QwenSandbox, tells_hooks_its_version=True,
                  standin=OpenAIStandin),
}
