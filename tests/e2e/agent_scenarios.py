"""The gate as Codex CLI, Copilot CLI, Gemini CLI and Qwen Code really run it: each test installs
preloop-hook with `install --agent NAME` in a fresh sandbox, scripts the model,
runs the real CLI and asserts what happened on disk, in the audit store and in
what the model was shown."""

import json
import os
import shutil
import unittest

from responses_standin import custom_call, text, tool_call

AGENT = BINARY = HOOK_BIN = STANDIN = None


def configure(agent, binary, hook_bin, standin):
    global AGENT, BINARY, HOOK_BIN, STANDIN
    AGENT, BINARY, HOOK_BIN, STANDIN = agent, binary, hook_bin, standin


DENY_POLICY = """\
version: "1.0"
metadata:
  name: e2e-deny
tools:
  - name: "bash"
    source: "claude_code"
    conditions:
      - expression: "args.command.contains('forbidden')"
        action: "deny"
        message: "forbidden commands are blocked by the e2e policy"
"""

APPROVAL_POLICY = """\
version: "1.0"
metadata:
  name: e2e-approval
approval_workflows:
  - name: "e2e-review"
    timeout_seconds: 30
tools:
  - name: "bash"
    source: "claude_code"
    conditions:
      - expression: "args.command.contains('needs-review')"
        approval_workflow: "e2e-review"
"""

# A GitHub personal access token shape (random, not a real credential).
SECRET = "ghp_" + "Q8vN2kLr5XtW9mZc3HbJ7pYd1FgS4aEu6RiT"
CODEX_SYSTEM_DIR = "/etc/codex"
PRIVATE_KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n"


class Scenarios:
    """The scenarios every agent CLI must pass (mixed into one TestCase per agent)."""

    def setUp(self):
        self.box = AGENT.sandbox(BINARY, HOOK_BIN, STANDIN)
        self.addCleanup(self.box.close)
        self.box.install()

    def run_agent(self, *turns, **kwargs):
        result = self.box.run([*turns, text("done")], **kwargs)
        self.assertEqual(result.stray, [], "the CLI asked the stand-in for something other than a model response")
        if result.peers is not None:
            self.assertLessEqual(result.peers, {"127.0.0.1", "::1", "::ffff:127.0.0.1"},
                                 "the CLI connected to something other than the stand-in")
        return result

    def assertNotCreated(self, path, result):
        self.assertFalse(os.path.exists(self.box.path(path)), f"{path} was created: {result!r}")

    def assertCreated(self, path, result):
        self.assertTrue(os.path.exists(self.box.path(path)), f"{path} was not created: {result!r}")

    def assertModelWasTold(self, needle, result):
        self.assertTrue(needle in result.everything_the_model_saw(), f"the model never saw {needle!r}: {result!r}")

    def decisions(self, hook_event="PreToolUse"):
        """(tool, decision) per audited call; a call no rule decided on shows as "pass"."""
        return [(r["tool"], "pass" if r["decision"] in ("allow", "none") else r["decision"])
                for r in self.box.audit_rows(hook_event=hook_event)]

    def test_denied_shell_command_does_not_run(self):
        self.box.write_policy("deny.yaml", DENY_POLICY)
        result = self.run_agent(self.box.shell("touch forbidden.txt"))
        self.assertNotCreated("forbidden.txt", result)
        self.assertModelWasTold("forbidden commands are blocked by the e2e policy", result)
        rows = self.box.audit_rows(hook_event="PreToolUse")
        self.assertEqual([(r["tool"], r["decision"], r["agent"]) for r in rows],
                         [("Bash", "deny", AGENT.audit_name)], result)
        self.assertIn("deny.yaml", rows[0]["rule_location"])

    def test_passed_shell_command_runs(self):
        self.box.write_policy("deny.yaml", DENY_POLICY)
        result = self.run_agent(self.box.shell("echo hello-from-shell > passed.txt && cat passed.txt"))
        self.assertCreated("passed.txt", result)
        self.assertIn("hello-from-shell", result.output(0))
        self.assertEqual(self.decisions(), [("Bash", "pass")], result)
        rows = self.box.audit_rows()
        self.assertEqual({r["agent"] for r in rows}, {AGENT.audit_name})
        if AGENT.tells_hooks_its_version:
            self.assertEqual({r["agent_version"] for r in rows}, {AGENT.version})

    def test_ask_is_not_run_unattended(self):
        # No approval service is configured and no one is at the terminal: the call must not run.
        self.box.write_policy("approval.yaml", APPROVAL_POLICY)
        result = self.run_agent(self.box.shell("touch needs-review.txt"), self.box.shell("touch control.txt"))
        self.assertNotCreated("needs-review.txt", result)
        self.assertCreated("control.txt", result)
        self.assertEqual(self.decisions()[0], ("Bash", "ask"), result)

    def test_credential_file_write_is_blocked(self):
        result = self.run_agent(self.box.add_file(self.box.path(".env"), "AWS_SECRET_ACCESS_KEY=abc\n"),
                                self.box.add_file(os.path.join(self.box.home, ".ssh", "id_ed25519"), PRIVATE_KEY),
                                self.box.add_file(self.box.path("notes.txt"), "plain text\n"))
        self.assertCreated("notes.txt", result)  # the write tool itself works
        self.assertNotCreated(".env", result)
        self.assertFalse(os.path.exists(os.path.join(self.box.home, ".ssh", "id_ed25519")), result)
        self.assertEqual([d for _, d in self.decisions()], ["deny", "deny", "pass"], result)

    def test_credential_file_read_is_not_shown_to_the_model(self):
        # Reading .env asks (secrets.read-file); with no one to ask, the model never gets it.
        self.box.write(".env", f"GITHUB_TOKEN={SECRET}\n")
        result = self.run_agent(self.box.read_file(self.box.path(".env")))
        self.assertFalse(SECRET[4:20] in result.everything_the_model_saw(), result)
        rows = self.box.audit_rows(hook_event="PreToolUse")
        self.assertEqual(len(rows), 1, result)
        self.assertIn(rows[0]["decision"], ("ask", "deny"))
        self.assertIn("secrets.read", rows[0]["rule_id"])

    def test_multi_file_patch_with_a_credential_file_is_blocked(self):
        # One apply_patch may touch many files: a harmless one must not carry a key past the gate.
        key = os.path.join(self.box.home, ".ssh", "id_ed25519")
        patch = (f"*** Begin Patch\n*** Add File: notes.txt\n+plain text\n*** Add File: {key}\n"
                 + "".join(f"+{line}\n" for line in PRIVATE_KEY.splitlines()) + "*** End Patch\n")
        result = self.run_agent(custom_call("apply_patch", patch))
        self.assertFalse(os.path.exists(key), result)
        self.assertNotIn("pass", [d for _, d in self.decisions()], result)

    def test_secret_in_tool_output_does_not_reach_the_model(self):
        self.box.write("token.txt", f"GITHUB_TOKEN={SECRET}\n")
        result = self.run_agent(self.box.shell("cat token.txt"))
        saw = result.everything_the_model_saw()
        self.assertIn("token.txt", saw)
        self.assertFalse(SECRET in saw or SECRET[4:20] in saw, result)
        self.assertIn("PostToolUse", [r["hook_event"] for r in self.box.audit_rows()])
        with open(self.box.audit_db, "rb") as f:
            self.assertNotIn(SECRET.encode(), f.read())

    def test_corrupt_policy_blocks_instead_of_failing_open(self):
        self.box.write_policy("broken.yaml", "tools: [\n  {name: bash,\n")  # cut off in the middle of a write
        result = self.run_agent(self.box.shell("touch should-not-exist.txt"))
        self.assertNotCreated("should-not-exist.txt", result)
        self.assertModelWasTold("broken.yaml:3:1", result)

    def test_project_hooks_run_only_in_a_trusted_project(self):
        # A project's hook file names preloop-hook through PATH (it is shared with the repository),
        # and both CLIs load a project's hooks only once the project is trusted.
        self.box.preloop("uninstall", "--agent", AGENT.name)
        out = self.box.preloop("install", "--agent", AGENT.name, "--scope", "project")
        self.assertIn("trust", out.stdout.lower())
        self.box.extra_env["PATH"] = os.path.dirname(HOOK_BIN) + os.pathsep + self.box.base_env()["PATH"]
        self.box.write_policy("deny.yaml", DENY_POLICY)
        untrusted = self.run_agent(self.box.shell("touch forbidden.txt"))
        self.assertCreated("forbidden.txt", untrusted)  # a known limit of both CLIs
        os.unlink(self.box.path("forbidden.txt"))
        trusted = self.run_agent(self.box.shell("touch forbidden.txt"), extra_args=self.box.trust_project_args)
        self.assertNotCreated("forbidden.txt", trusted)
        self.assertModelWasTold("forbidden commands are blocked by the e2e policy", trusted)

    def install_from_a_copy_then_remove_it(self):
        """The hook command names a binary that is gone, as after a failed upgrade."""
        copy = os.path.join(self.box.root, "bin", "preloop-hook")
        os.makedirs(os.path.dirname(copy))
        shutil.copy2(HOOK_BIN, copy)
        self.box.preloop("uninstall", "--agent", AGENT.name)
        self.box.preloop("install", "--agent", AGENT.name, binary=copy)
        os.unlink(copy)

    def test_missing_hook_binary_blocks(self):
        # Copilot denies a call whose hook errors; for Codex, which would run it, the
        # installed command ends in `|| exit 2`. doctor names the entry.
        self.install_from_a_copy_then_remove_it()
        result = self.run_agent(self.box.shell("touch no-hook.txt"))
        self.assertNotCreated("no-hook.txt", result)
        doctor = self.box.preloop("doctor", "--agent", AGENT.name, check=False)
        self.assertEqual(doctor.returncode, 1)
        self.assertIn(f"agent.{AGENT.name}.user.binary", doctor.stdout)

    def test_policy_with_a_bad_expression_blocks(self):
        self.box.write_policy("bad-cel.yaml", DENY_POLICY.replace("contains('forbidden')", "contains('forbidden'"))
        result = self.run_agent(self.box.shell("touch harmless.txt"))
        self.assertNotCreated("harmless.txt", result)
        self.assertModelWasTold("bad-cel.yaml", result)


class CodexScenarios(Scenarios, unittest.TestCase):

    def test_hooks_codex_has_not_trusted_do_not_run(self):
        # Codex skips a non-managed hook until the user trusts it (/hooks), without a
        # word in `codex exec`: the gate is off, and doctor has to say so.
        self.box.write_policy("deny.yaml", DENY_POLICY)
        self.box.bypass_hook_trust = False
        result = self.run_agent(self.box.shell("touch forbidden.txt"))
        self.assertCreated("forbidden.txt", result)
        self.assertEqual(self.box.audit_rows(hook_event="PreToolUse"), [])
        doctor = self.box.preloop("doctor", "--agent", "codex", check=False)
        self.assertEqual(doctor.returncode, 1, doctor)
        self.assertIn("agent.codex.user.trust", doctor.stdout)

    @unittest.skipUnless(os.geteuid() == 0, "Codex's managed hooks file /etc/codex/hooks.json needs root")
    @unittest.skipIf(os.path.exists(CODEX_SYSTEM_DIR), f"{CODEX_SYSTEM_DIR} exists: a real Codex set-up is not touched")
    def test_managed_hooks_gate_without_any_trust(self):
        # Hooks beside Codex's system config layer are trusted by policy: the deployment
        # that needs neither /hooks nor the bypass flag.
        self.addCleanup(shutil.rmtree, CODEX_SYSTEM_DIR, True)
        self.box.preloop("uninstall", "--agent", "codex")
        out = self.box.preloop("install", "--agent", "codex", "--scope", "managed")
        self.assertIn("installed: " + os.path.join(CODEX_SYSTEM_DIR, "hooks.json"), out.stdout)
        self.box.write_policy("deny.yaml", DENY_POLICY)
        self.box.bypass_hook_trust = False
        result = self.run_agent(self.box.shell("touch forbidden.txt"))
        self.assertNotCreated("forbidden.txt", result)
        self.assertModelWasTold("forbidden commands are blocked by the e2e policy", result)
        doctor = self.box.preloop("doctor", "--agent", "codex", check=False)
        self.assertEqual(doctor.returncode, 0, doctor.stdout)
        self.assertIn("agent.codex.managed", doctor.stdout)


class CopilotScenarios(Scenarios, unittest.TestCase):

    def test_create_tool_of_credential_file_is_blocked(self):
        # Models outside the GPT family get create/edit instead of apply_patch.
        self.box.model = "claude-sonnet-4.5"
        result = self.run_agent(
            tool_call("create", path=self.box.path(".env"), file_text="AWS_SECRET_ACCESS_KEY=abc\n"),
            tool_call("create", path=self.box.path("notes.txt"), file_text="plain text\n"))
        self.assertCreated("notes.txt", result)
        self.assertNotCreated(".env", result)
        self.assertEqual(self.decisions(), [("Write", "deny"), ("Write", "pass")], result)


class SettingsFileInstall:
    """install/uninstall of an agent whose hooks live in its settings.json, user or project."""

    def installed_handlers(self):
        with open(self.box.settings_path) as f:
            settings = json.load(f)
        return settings, {event: [h for group in settings.get("hooks", {}).get(event, [])
                                  for h in group.get("hooks", [])] for event in self.box.hook_events}

    def test_install_keeps_the_settings_and_hooks_before_and_after_tools(self):
        settings, handlers = self.installed_handlers()
        for key, value in self.box.settings.items():
            self.assertEqual(settings[key], value, "install changed the provider settings")
        for event, found in handlers.items():
            self.assertEqual(len(found), 1, f"{event}: {found}")
            self.assertIn(os.path.realpath(HOOK_BIN), found[0]["command"])
            self.assertIn(f"--agent {AGENT.name}", found[0]["command"])
            # Long enough for an approval round-trip, in the unit this agent reads.
            self.assertGreaterEqual(self.box.timeout_seconds(found[0]["timeout"]), 5, found[0])
        before = open(self.box.settings_path).read()
        self.box.install()
        self.assertEqual(open(self.box.settings_path).read(), before, "a second install changed the settings")
        doctor = self.box.preloop("doctor", "--agent", AGENT.name, check=False)
        self.assertEqual(doctor.returncode, 0, doctor.stdout + doctor.stderr)

    def test_uninstall_leaves_the_settings_as_they_were(self):
        self.box.preloop("uninstall", "--agent", AGENT.name)
        with open(self.box.settings_path) as f:
            self.assertEqual(json.load(f), self.box.settings)
        self.box.write_policy("deny.yaml", DENY_POLICY)
        result = self.run_agent(self.box.shell("touch forbidden.txt"))
        self.assertCreated("forbidden.txt", result)  # the gate is gone

    def test_project_hooks_run_only_in_a_trusted_project(self):
        # The sandbox's project is trusted (Gemini CLI needs that for yolo, and in an
        # untrusted folder it offers a headless run no tool that could show the gate
        # missing; Qwen Code trusts every folder while folder trust is off): the
        # project's hooks, which find preloop-hook through PATH, gate the call.
        self.box.preloop("uninstall", "--agent", AGENT.name)
        self.box.preloop("install", "--agent", AGENT.name, "--scope", "project")
        self.assertFalse(os.path.exists(self.box.settings_path) and
                         "preloop-hook" in open(self.box.settings_path).read())
        self.box.extra_env["PATH"] = os.path.dirname(HOOK_BIN) + os.pathsep + self.box.base_env()["PATH"]
        self.box.write_policy("deny.yaml", DENY_POLICY)
        result = self.run_agent(self.box.shell("touch forbidden.txt"))
        self.assertNotCreated("forbidden.txt", result)
        self.assertModelWasTold("forbidden commands are blocked by the e2e policy", result)

    def test_multi_file_patch_with_a_credential_file_is_blocked(self):
        self.skipTest(f"{AGENT.package} has no apply_patch: one write_file per file")


class GeminiScenarios(SettingsFileInstall, Scenarios, unittest.TestCase):
    # Gemini CLI itself refuses .env files and paths outside the workspace before any
    # hook runs ("Path not in workspace"): the credential files here are ones it would
    # write and read.

    def test_credential_file_write_is_blocked(self):
        result = self.run_agent(self.box.add_file(self.box.path("id_rsa"), PRIVATE_KEY),
                                self.box.add_file(self.box.path(".aws", "credentials"), "aws_secret_access_key=a\n"),
                                self.box.add_file(self.box.path("notes.txt"), "plain text\n"))
        self.assertCreated("notes.txt", result)  # the write tool itself works
        self.assertNotCreated("id_rsa", result)
        self.assertNotCreated(".aws/credentials", result)
        self.assertEqual(self.decisions(), [("Write", "deny"), ("Write", "deny"), ("Write", "pass")], result)

    def test_credential_file_read_is_not_shown_to_the_model(self):
        self.box.write("deploy.pem", PRIVATE_KEY.replace("b3BlbnNzaC1rZXktdjEAAAAA", SECRET))
        result = self.run_agent(self.box.read_file(self.box.path("deploy.pem")))
        self.assertFalse(SECRET[4:20] in result.everything_the_model_saw(), result)
        rows = self.box.audit_rows(hook_event="PreToolUse")
        self.assertEqual([(r["tool"], r["decision"] in ("ask", "deny")) for r in rows], [("Read", True)], result)
        self.assertIn("secrets.read", rows[0]["rule_id"])


class QwenScenarios(SettingsFileInstall, Scenarios, unittest.TestCase):
    pass


def cases(name):
    return {"codex": CodexScenarios, "copilot": CopilotScenarios, "gemini": GeminiScenarios,
            "qwen": QwenScenarios}[name]
