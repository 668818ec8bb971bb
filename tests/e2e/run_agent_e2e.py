"""End-to-end scenarios for one agent CLI other than Claude Code (codex,
copilot, gemini, qwen), driven non-interactively against a loopback stand-in of its model API,
gated by the real preloop-hook as its `install --agent NAME` sets it up.

Usage: run_agent_e2e.py AGENT [TEST_NAME ...]
Environment: PRELOOP_HOOK_BIN, PRELOOP_E2E_CACHE (npm installs; default ./e2e-cache).
Exit status 77 (ctest: skipped) when the CLI cannot be installed.
"""

import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import agent_harness  # noqa: E402
import agent_scenarios  # noqa: E402
from npm_cache import Unavailable  # noqa: E402

SKIP = 77


def main():
    if len(sys.argv) < 2 or sys.argv[1] not in agent_harness.AGENTS:
        print(f"usage: run_agent_e2e.py {{{','.join(agent_harness.AGENTS)}}} [TEST_NAME ...]", file=sys.stderr)
        return 1
    agent = agent_harness.AGENTS[sys.argv[1]]
    hook_bin = os.environ.get("PRELOOP_HOOK_BIN")
    if not hook_bin or not os.access(hook_bin, os.X_OK):
        print(f"e2e: PRELOOP_HOOK_BIN={hook_bin!r} is not an executable preloop-hook", file=sys.stderr)
        return 1
    cache = os.environ.get("PRELOOP_E2E_CACHE", os.path.abspath("e2e-cache"))
    started = time.monotonic()
    try:
        binary = agent.ensure(cache)
    except Unavailable as e:
        print(f"SKIPPED: end-to-end tests need {agent.package} {agent.version} from npm: {e}")
        return SKIP
    print(f"e2e: {agent.package} {agent.version} at {binary} (ready in {time.monotonic() - started:.1f}s), "
          f"preloop-hook at {hook_bin}", flush=True)
    standin = agent.standin()
    agent_scenarios.configure(agent, binary, os.path.realpath(hook_bin), standin)
    try:
        loader = unittest.TestLoader()
        names = sys.argv[2:]
        tests = (loader.loadTestsFromNames(names, agent_scenarios) if names
                 else loader.loadTestsFromTestCase(agent_scenarios.cases(agent.name)))
        result = unittest.TextTestRunner(verbosity=2, stream=sys.stdout).run(tests)
    finally:
        standin.close()
    print(f"e2e: {agent.name}: {result.testsRun - len(result.failures) - len(result.errors)} passed, "
          f"{len(result.failures) + len(result.errors)} failed in {time.monotonic() - started:.1f}s")
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
