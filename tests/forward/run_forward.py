"""Runs one suite of the forwarding tests: python3 run_forward.py MODULE [TEST ...].

A module names what it needs in REQUIRES ("rsyslogd", "openssl", "binary");
when something is missing the suite exits 77 (ctest: skipped) saying what.
Environment: PRELOOP_HOOK_BIN (the binary under test, for "binary").
"""

import importlib
import os
import shutil
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import rsyslog_receiver  # noqa: E402

SKIP = 77


def missing(requires):
    out = []
    if "rsyslogd" in requires:
        try:
            rsyslog_receiver.find_rsyslogd()
            if not rsyslog_receiver.gtls_available():
                out.append("rsyslog's TLS driver (Debian package rsyslog-gnutls)")
        except rsyslog_receiver.Unavailable:
            out.append("rsyslogd (Debian packages rsyslog, rsyslog-gnutls)")
    if "openssl" in requires and not shutil.which("openssl"):
        out.append("the openssl command (Debian package openssl)")
    if "binary" in requires:
        binary = os.environ.get("PRELOOP_HOOK_BIN")
        if not binary or not os.access(binary, os.X_OK):
            print(f"PRELOOP_HOOK_BIN={binary!r} is not an executable preloop-hook", file=sys.stderr)
            sys.exit(1)
        helper = os.path.join(os.path.dirname(binary), "preloop-hook-http")
        if not os.access(helper, os.X_OK):
            print(f"{helper} is missing: build the preloop-hook-http target (it makes every forwarder "
                  f"connection)", file=sys.stderr)
            sys.exit(1)
    return out


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    module = importlib.import_module(argv[1])
    lacking = missing(getattr(module, "REQUIRES", ()))
    if lacking:
        print(f"SKIPPED: {argv[1]} needs {', '.join(lacking)}")
        return SKIP
    started = time.monotonic()
    loader = unittest.TestLoader()
    tests = (loader.loadTestsFromNames(argv[2:], module) if len(argv) > 2
             else loader.loadTestsFromModule(module))
    result = unittest.TextTestRunner(verbosity=2, stream=sys.stdout).run(tests)
    print(f"{argv[1]}: {result.testsRun} tests in {time.monotonic() - started:.1f}s")
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
