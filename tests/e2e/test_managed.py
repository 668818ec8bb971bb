"""Managed mode as Claude Code really runs it: the hooks in
/etc/claude-code/managed-settings.json, the policy in preloop-hook's managed
directory. Claude Code reads that one system path, so these tests write it (as
root), and put back what was there before whatever happens."""

import json
import os
import shutil
import unittest

import suite
from messages_standin import bash, text

CLAUDE_MANAGED_DIR = "/etc/claude-code"
CLAUDE_MANAGED_FILE = os.path.join(CLAUDE_MANAGED_DIR, "managed-settings.json")

DENY_POLICY = """\
version: "1.0"
metadata:
  name: e2e-managed-deny
tools:
  - name: "bash"
    source: "claude_code"
    conditions:
      - expression: "args.command.contains('forbidden')"
        action: "deny"
        message: "forbidden commands are blocked by the managed e2e policy"
"""


@unittest.skipUnless(os.geteuid() == 0, "the managed settings file /etc/claude-code/managed-settings.json needs root")
class ManagedInstall(suite.E2ECase):
    install = False  # no user-scope entries: only the managed ones can gate

    def setUp(self):
        super().setUp()
        self.had_dir = os.path.isdir(CLAUDE_MANAGED_DIR)
        self.before = sorted(os.listdir(CLAUDE_MANAGED_DIR)) if self.had_dir else []
        self.saved = None
        if os.path.exists(CLAUDE_MANAGED_FILE):
            with open(CLAUDE_MANAGED_FILE, "rb") as f:
                self.saved = f.read()
        self.addCleanup(self.restore)

    def restore(self):
        if not self.had_dir:
            shutil.rmtree(CLAUDE_MANAGED_DIR, ignore_errors=True)
            return
        for name in os.listdir(CLAUDE_MANAGED_DIR):  # our file's backups, if any
            if name not in self.before:
                os.unlink(os.path.join(CLAUDE_MANAGED_DIR, name))
        if self.saved is None:
            if os.path.exists(CLAUDE_MANAGED_FILE):
                os.unlink(CLAUDE_MANAGED_FILE)
        else:
            with open(CLAUDE_MANAGED_FILE, "wb") as f:
                f.write(self.saved)

    def managed_dir(self):
        return self.box.env()["PRELOOP_HOOK_MANAGED_DIR"]

    def test_managed_install_gates_and_user_disable_all_hooks_does_not_switch_it_off(self):
        out = self.box.preloop("install", "--scope", "managed")
        self.assertIn(CLAUDE_MANAGED_FILE, out.stdout)
        with open(CLAUDE_MANAGED_FILE) as f:
            settings = json.load(f)
        self.assertEqual(settings["hooks"]["PreToolUse"][0]["hooks"][0]["command"], os.path.realpath(suite.HOOK_BIN))
        self.assertEqual(os.stat(CLAUDE_MANAGED_FILE).st_mode & 0o777, 0o644)
        with open(os.path.join(self.managed_dir(), "rules", "deny.yaml"), "w") as f:
            f.write(DENY_POLICY)
        # The user switches every hook off in their own settings: managed hooks keep running.
        os.makedirs(os.path.dirname(self.box.claude_settings), exist_ok=True)
        with open(self.box.claude_settings, "w") as f:
            json.dump({"disableAllHooks": True}, f)

        denied = self.box.run_claude([bash("touch forbidden.txt"), text("done")])
        self.assertNotCreated("forbidden.txt", denied)
        self.assertIn("forbidden commands are blocked by the managed e2e policy", denied.tool_result_text())
        self.assertHookDecided(denied, 0, "deny")

        passed = self.box.run_claude([bash("touch fine.txt"), text("done")])
        self.assertCreated("fine.txt", passed)

        doctor = json.loads(self.box.preloop("doctor", "--json", check=False).stdout)
        self.assertEqual(doctor["mode"], "managed", doctor)

    def test_uninstall_managed_mirrors_install(self):
        self.box.preloop("install", "--scope", "managed", "--managed-hooks-only")
        with open(CLAUDE_MANAGED_FILE) as f:
            self.assertTrue(json.load(f)["allowManagedHooksOnly"])
        with open(os.path.join(self.managed_dir(), "rules", "deny.yaml"), "w") as f:
            f.write(DENY_POLICY)
        self.box.preloop("uninstall", "--scope", "managed", "--managed-hooks-only")
        with open(CLAUDE_MANAGED_FILE) as f:
            left = json.load(f)
        self.assertNotIn("hooks", left)
        self.assertNotIn("allowManagedHooksOnly", left)
        result = self.box.run_claude([bash("touch forbidden.txt"), text("done")])
        self.assertCreated("forbidden.txt", result)  # nothing gates any more
