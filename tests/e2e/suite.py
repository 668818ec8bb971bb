"""Shared state of the end-to-end suite: the Claude Code binary, the
preloop-hook binary and one Messages API stand-in for all tests."""

import os
import unittest

from harness import Sandbox
from messages_standin import MessagesStandin

CLAUDE = None      # set by run_e2e.py
HOOK_BIN = None
STANDIN = None

# Claude Code's timeout for the hook, written by `preloop-hook install` from
# the config: short, so that an unanswered approval ends within seconds.
HOOK_TIMEOUT = 15


def start(claude, hook_bin):
    global CLAUDE, HOOK_BIN, STANDIN
    CLAUDE, HOOK_BIN = claude, hook_bin
    STANDIN = MessagesStandin()


def stop():
    if STANDIN:
        STANDIN.close()


class E2ECase(unittest.TestCase):
    """A test in a fresh sandbox set up the way a user would: `preloop-hook
    install` creates the starter config and policy and the hook entries; the
    config's hook timeout is then shortened and `install` run again so the
    settings follow it. With install = False the entries are removed again
    (plugin tests), leaving the starter config in place."""

    install = True

    def setUp(self):
        self.box = Sandbox(CLAUDE, HOOK_BIN, STANDIN)
        self.addCleanup(self.box.close)
        first = self.box.preloop("install")
        self.assertIn("created: " + os.path.join(self.box.preloop_config_dir, "config.yaml"), first.stdout)
        self.box.set_config("hook_timeout_seconds", str(HOOK_TIMEOUT))
        self.box.preloop("install")
        if not self.install:
            self.box.preloop("uninstall")

    def assertNotCreated(self, relative, result):
        self.assertFalse(os.path.exists(self.box.path(relative)), f"{relative} was created: {result!r}")

    def assertCreated(self, relative, result):
        self.assertTrue(os.path.exists(self.box.path(relative)), f"{relative} was not created: {result!r}")

    def assertHookDecided(self, result, index, decision):
        """The audit store holds the hook's PreToolUse decision for the index-th tool call."""
        tool_use_id = result.tool_results[index]["tool_use_id"]
        rows = self.box.audit_rows(tool_use_id=tool_use_id, hook_event="PreToolUse")
        self.assertEqual([r["decision"] for r in rows], [decision], f"{rows!r} {result!r}")
        return rows[0]
