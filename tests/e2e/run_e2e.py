"""End-to-end suite: the real Claude Code, driven in -p mode against a loopback
Messages API stand-in, gated by the real preloop-hook.

Environment: PRELOOP_HOOK_BIN (the binary under test), PRELOOP_SOURCE_DIR,
PRELOOP_E2E_CACHE (where Claude Code is installed from npm; default
./e2e-cache), PRELOOP_E2E_CLAUDE_SOURCE (npm: the pinned CLI package, the
default; sdk: the newest native binary of the Agent SDK, or the release
PRELOOP_E2E_CLAUDE_SDK_VERSION), PRELOOP_E2E_CLAUDE (use this claude binary).
Exit status 77 (ctest: skipped) when Claude Code cannot be installed.
"""

import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness  # noqa: E402
import suite  # noqa: E402

SKIP = 77


def main():
    hook_bin = os.environ.get("PRELOOP_HOOK_BIN")
    if not hook_bin or not os.access(hook_bin, os.X_OK):
        print(f"e2e: PRELOOP_HOOK_BIN={hook_bin!r} is not an executable preloop-hook", file=sys.stderr)
        return 1
    cache = os.environ.get("PRELOOP_E2E_CACHE", os.path.abspath("e2e-cache"))
    started = time.monotonic()
    try:
        source = harness.claude_source()
    except ValueError as e:
        print(f"e2e: {e}", file=sys.stderr)
        return 1
    try:
        claude, version = harness.ensure_claude(cache)
    except harness.Unavailable as e:
        wanted = harness.CLAUDE_CODE_VERSION if source == "npm" else f"from {harness.SDK_PACKAGE}"
        print(f"SKIPPED: end-to-end tests need Claude Code {wanted}: {e}")
        return SKIP
    print(f"e2e: Claude Code {version} at {claude} "
          f"(ready in {time.monotonic() - started:.1f}s), preloop-hook at {hook_bin}", flush=True)
    suite.start(claude, os.path.realpath(hook_bin))
    try:
        loader = unittest.TestLoader()
        names = sys.argv[1:]
        here = os.path.dirname(os.path.abspath(__file__))
        tests = loader.loadTestsFromNames(names) if names else loader.discover(here, pattern="test_*.py")
        result = unittest.TextTestRunner(verbosity=2, stream=sys.stdout).run(tests)
    finally:
        suite.stop()
    print(f"e2e: {result.testsRun - len(result.failures) - len(result.errors)} passed, "
          f"{len(result.failures) + len(result.errors)} failed in {time.monotonic() - started:.1f}s")
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
