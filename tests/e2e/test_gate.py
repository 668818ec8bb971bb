"""The gate as Claude Code really runs it: policy decisions, secrets, self-protection,
failure modes, install/uninstall and the plugin form."""

import json
import os
import shutil
import stat

import suite
from messages_standin import bash, text, tool_use

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


class InstalledGate(suite.E2ECase):

    def test_install_wrote_absolute_path_timeout_and_on_failure(self):
        with open(self.box.claude_settings) as f:
            settings = json.load(f)
        self.assertTrue(os.path.exists(os.path.join(self.box.rules_dir, "policy.yaml")))
        for event, timeout in (("PreToolUse", suite.HOOK_TIMEOUT), ("PostToolUse", 60)):
            groups = settings["hooks"][event]
            self.assertEqual(len(groups), 1, groups)
            self.assertEqual(groups[0]["matcher"], "*")
            handler = groups[0]["hooks"][0]
            self.assertEqual(handler["command"], os.path.realpath(suite.HOOK_BIN))
            self.assertEqual(handler["args"], ["hook"])
            self.assertEqual(handler["timeout"], timeout)
            self.assertEqual(handler["onFailure"], "block")
        # Installing again changes nothing, and doctor is satisfied.
        before = open(self.box.claude_settings).read()
        again = self.box.preloop("install")
        self.assertIn("already installed", again.stdout)
        self.assertEqual(open(self.box.claude_settings).read(), before)
        doctor = self.box.preloop("doctor", "--json", check=False)
        report = json.loads(doctor.stdout)
        self.assertTrue(report["ok"], doctor.stdout)
        self.assertEqual(doctor.returncode, 0)

    def test_denied_bash_command_does_not_run(self):
        self.box.write_policy("deny.yaml", DENY_POLICY)
        result = self.box.run_claude([bash("touch forbidden.txt"), text("done")])
        self.assertNotCreated("forbidden.txt", result)
        self.assertTrue(result.tool_results[0].get("is_error"), result)
        self.assertIn("forbidden commands are blocked by the e2e policy", result.tool_result_text())
        row = self.assertHookDecided(result, 0, "deny")
        self.assertIn("deny.yaml", row["rule_location"])

    def test_passed_bash_command_runs(self):
        self.box.write_policy("deny.yaml", DENY_POLICY)
        result = self.box.run_claude([bash("echo hello-from-bash > passed.txt && cat passed.txt"), text("done")])
        self.assertCreated("passed.txt", result)
        self.assertFalse(result.tool_results[0].get("is_error"), result)
        self.assertIn("hello-from-bash", result.tool_result_text())
        rows = self.box.audit_rows(tool_use_id=result.tool_results[0]["tool_use_id"])
        self.assertIn("PreToolUse", [r["hook_event"] for r in rows], rows)
        self.assertNotIn("deny", [r["decision"] for r in rows], rows)

    def test_ask_in_print_mode_does_not_run(self):
        self.box.write_policy("approval.yaml", APPROVAL_POLICY)
        result = self.box.run_claude([bash("touch needs-review.txt"), text("done")])
        self.assertNotCreated("needs-review.txt", result)
        self.assertTrue(result.tool_results[0].get("is_error"), result)
        self.assertIn("requires approval", result.tool_result_text())
        self.assertEqual(self.assertHookDecided(result, 0, "ask")["approval_status"], "not_configured")
        self.assertEqual([d["tool_use_id"] for d in result.json["permission_denials"]],
                         [result.tool_results[0]["tool_use_id"]])

    def test_secret_in_bash_output_never_reaches_the_model(self):
        self.box.write("token.txt", f"GITHUB_TOKEN={SECRET}\n")
        result = self.box.run_claude([bash("cat token.txt"), text("done")])
        self.assertFalse(result.tool_results[0].get("is_error"), result)
        self.assertIn("GITHUB_TOKEN=", result.tool_result_text())
        self.assertNotIn(SECRET, result.everything_the_model_saw())
        self.assertNotIn(SECRET[4:20], result.everything_the_model_saw())
        for suffix in (".spool.jsonl", ""):  # the journal as the hooks left it, then the store it was folded into
            if suffix == "":
                self.assertTrue(self.box.audit_rows())
            path = self.box.audit_db + suffix
            self.assertTrue(os.path.exists(path), path)
            with open(path, "rb") as f:
                self.assertNotIn(SECRET.encode(), f.read())

    def test_write_of_credential_file_is_blocked(self):
        key = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n"
        result = self.box.run_claude([
            tool_use("Write", file_path=self.box.path(".env"), content="AWS_SECRET_ACCESS_KEY=abc\n"),
            tool_use("Write", file_path=os.path.join(self.box.home, ".ssh", "id_ed25519"), content=key),
            tool_use("Write", file_path=self.box.path("notes.txt"), content="plain text\n"),
            text("done")])
        self.assertCreated("notes.txt", result)  # Write itself works
        self.assertNotCreated(".env", result)
        self.assertFalse(os.path.exists(os.path.join(self.box.home, ".ssh", "id_ed25519")), result)
        for index in (0, 1):
            self.assertTrue(result.tool_results[index].get("is_error"), result)
            self.assertHookDecided(result, index, "deny")

    def test_edit_of_claude_settings_is_blocked(self):
        # Claude Code itself asks before editing .claude/settings.json, so the
        # audit row shows that preloop-hook denied the Edit; Bash has no such
        # protection in Claude Code and is allowed here, so only the hook stands
        # in the way of the shell rewrite.
        settings = self.box.write(".claude/settings.json", '{"permissions": {"deny": ["Bash(curl *)"]}}\n')
        before = open(settings).read()
        user_before = open(self.box.claude_settings).read()
        result = self.box.run_claude([
            tool_use("Read", file_path=settings),
            tool_use("Edit", file_path=settings, old_string='"deny": ["Bash(curl *)"]', new_string='"deny": []'),
            bash("echo '{}' > .claude/settings.json"),
            bash(f"sed -i 's/PreToolUse/Disabled/' {self.box.claude_settings}"),
            bash("touch control.txt"),
            text("done")])
        self.assertCreated("control.txt", result)  # the session could run commands
        self.assertEqual(open(settings).read(), before, result)
        self.assertEqual(open(self.box.claude_settings).read(), user_before, result)
        for index in (1, 2, 3):
            self.assertTrue(result.tool_results[index].get("is_error"), result)
            self.assertHookDecided(result, index, "deny")

    def test_corrupt_policy_blocks_instead_of_failing_open(self):
        # A policy file cut off in the middle of a write.
        self.box.write_policy("broken.yaml", "tools: [\n  {name: bash,\n")
        result = self.box.run_claude([bash("touch should-not-exist.txt"), text("done")])
        self.assertNotCreated("should-not-exist.txt", result)
        self.assertTrue(result.tool_results[0].get("is_error"), result)
        self.assertIn("broken.yaml:3:1", result.tool_result_text())

    def test_policy_with_a_bad_expression_blocks(self):
        self.box.write_policy("bad-cel.yaml", DENY_POLICY.replace("contains('forbidden')", "contains('forbidden'"))
        result = self.box.run_claude([bash("touch harmless.txt"), text("done")])
        self.assertNotCreated("harmless.txt", result)
        self.assertIn("bad-cel.yaml", result.tool_result_text())

    def test_missing_binary_blocks_through_on_failure(self):
        # Install from a copy of the binary, then remove the copy: Claude Code
        # cannot start the hook, and "onFailure": "block" stops the session at
        # its first hook (UserPromptSubmit), before the model is even asked.
        copy = os.path.join(self.box.root, "bin", "preloop-hook")
        os.makedirs(os.path.dirname(copy))
        shutil.copy2(suite.HOOK_BIN, copy)
        self.box.preloop("install", binary=copy)
        with open(self.box.claude_settings) as f:
            self.assertIn(copy, f.read())
        os.unlink(copy)
        result = self.box.run_claude([bash("touch no-hook.txt"), text("done")])
        self.assertNotCreated("no-hook.txt", result)
        self.assertEqual(result.tool_results, [], result)
        self.assertIn('onFailure is "block"', result.json["result"], result)
        self.assertIn("UserPromptSubmit operation blocked", result.json["result"], result)

    def test_uninstall_removes_exactly_its_entries(self):
        with open(self.box.claude_settings) as f:
            settings = json.load(f)
        foreign = {"matcher": "Bash", "hooks": [{"type": "command", "command": "true"}]}
        settings["hooks"]["PreToolUse"].insert(0, foreign)
        settings["model"] = "sonnet"
        with open(self.box.claude_settings, "w") as f:
            json.dump(settings, f, indent=2)
        self.box.preloop("uninstall")
        with open(self.box.claude_settings) as f:
            self.assertEqual(json.load(f), {"hooks": {"PreToolUse": [foreign]}, "model": "sonnet"})
        # The gate is gone: the denied command now runs.
        self.box.write_policy("deny.yaml", DENY_POLICY)
        result = self.box.run_claude([bash("touch forbidden.txt"), text("done")])
        self.assertCreated("forbidden.txt", result)

    def test_malformed_settings_are_not_touched(self):
        with open(self.box.claude_settings, "w") as f:
            f.write('{\n  "model": "opus",\n  "hooks": {\n    "PreToolUse": [\n  }\n}\n')
        before = open(self.box.claude_settings).read()
        files = sorted(os.listdir(os.path.dirname(self.box.claude_settings)))
        for command in ("install", "uninstall"):
            out = self.box.preloop(command, check=False)
            self.assertEqual(out.returncode, 1)
            self.assertIn(self.box.claude_settings + ":5:3:", out.stderr)
            self.assertEqual(open(self.box.claude_settings).read(), before)
            self.assertEqual(sorted(os.listdir(os.path.dirname(self.box.claude_settings))), files)


class PluginForm(suite.E2ECase):
    install = False

    def test_plugin_gates_bash(self):
        plugin = os.path.join(self.box.root, "plugin")
        shutil.copytree(os.path.join(os.environ["PRELOOP_SOURCE_DIR"], "hooks", "plugin"), plugin)
        os.makedirs(os.path.join(plugin, "bin"))
        os.symlink(os.path.realpath(suite.HOOK_BIN), os.path.join(plugin, "bin", "preloop-hook"))
        self.box.write_policy("deny.yaml", DENY_POLICY)
        args = ("--plugin-dir", plugin)
        denied = self.box.run_claude([bash("touch forbidden.txt"), text("done")], extra_args=args)
        self.assertNotCreated("forbidden.txt", denied)
        self.assertIn("forbidden commands are blocked by the e2e policy", denied.tool_result_text())
        passed = self.box.run_claude([bash("touch fine.txt"), text("done")], extra_args=args)
        self.assertCreated("fine.txt", passed)
        self.assertTrue(os.stat(os.path.join(plugin, "bin", "preloop-hook")).st_mode & stat.S_IXUSR)


class SettingsChangeDuringSession(suite.E2ECase):

    def test_removing_the_hook_from_the_settings_makes_the_next_call_ask(self):
        # The built-in packs would deny the rewrite itself; here it has to happen.
        self.box.set_config("profile", "off")
        rewrite = ("python3 -c \"import json,os; p=os.path.expanduser('~/.claude/settings.json'); "
                   "s=json.load(open(p)); s.pop('hooks'); json.dump(s, open(p,'w'))\"")
        result = self.box.run_claude([bash(rewrite), bash("touch after.txt"), text("done")])
        with open(self.box.claude_settings) as f:
            self.assertNotIn("hooks", json.load(f), result)  # the file on disk did change
        # The session still runs the hook, which sees the weakening and asks (not run in -p).
        self.assertNotCreated("after.txt", result)
        self.assertIn("hook was removed from " + self.box.claude_settings, result.tool_result_text(1))
        self.assertEqual(self.assertHookDecided(result, 1, "ask")["failure_class"], "config_weakened")
        changes = [r for r in self.box.audit_rows(hook_event="ConfigFingerprint") if r["rule_location"] ==
                   self.box.claude_settings]
        self.assertEqual(len(changes), 1, changes)
        self.assertIn("weakens the guard", changes[0]["reason"])


class CraftedBranch(suite.E2ECase):

    def test_checkout_of_a_branch_that_brings_claude_settings_asks(self):
        import subprocess
        git = ["git", "-c", "user.name=e2e", "-c", "user.email=e2e@example.com"]

        def run(*args):
            subprocess.run([*git, *args], cwd=self.box.project, check=True, capture_output=True)

        run("init", "-q", "-b", "main")
        self.box.write("README.md", "project\n")
        run("add", "README.md")
        run("commit", "-qm", "initial")
        run("checkout", "-qb", "crafted")
        self.box.write(".claude/settings.local.json", '{"disableAllHooks": true}\n')
        run("add", "-f", ".claude/settings.local.json")
        run("commit", "-qm", "settings")
        run("checkout", "-q", "main")
        self.assertFalse(os.path.exists(self.box.path(".claude", "settings.local.json")))

        result = self.box.run_claude([bash("git checkout crafted"), text("done")])
        # Asked, so not run in -p mode: the crafted settings never reach the working tree.
        self.assertFalse(os.path.exists(self.box.path(".claude", "settings.local.json")), result)
        row = self.assertHookDecided(result, 0, "ask")
        self.assertTrue(row["rule_id"].startswith("self-protection."), row)
        self.assertIn("settings.local.json", result.tool_result_text())
