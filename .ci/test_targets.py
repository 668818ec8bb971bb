#!/usr/bin/env python3
"""Prints the build targets whose programs the tests listed by ctest run.

usage: ctest --test-dir BUILD -N [selection] --show-only=json-v1 | test_targets.py BUILD

BUILD must have been configured with a CMake file API query for the code model
(an empty BUILD/.cmake/api/v1/query/codemodel-v2). A test runs the programs of
the build named in its command or its environment (PRELOOP_HOOK_BIN=...).
Building only their targets leaves out what the selected tests never run. A test
that names no program of the build is an error: what it needs is unknown.
"""
import glob
import json
import os
import re
import sys


def artifacts(build: str) -> dict[str, str]:
    """Path of every built file -> the name of its target, from the file API's reply."""
    reply = os.path.join(build, ".cmake", "api", "v1", "reply")
    index = sorted(glob.glob(os.path.join(reply, "index-*.json")))
    if not index:
        raise SystemExit(f"test_targets: no CMake file API reply in {reply}")
    with open(index[-1]) as f:
        codemodel = next(o for o in json.load(f)["objects"] if o["kind"] == "codemodel")
    with open(os.path.join(reply, codemodel["jsonFile"])) as f:
        config = json.load(f)["configurations"][0]
    out = {}
    for ref in config["targets"]:
        with open(os.path.join(reply, ref["jsonFile"])) as f:
            target = json.load(f)
        for a in target.get("artifacts", []):
            out[os.path.realpath(os.path.join(build, a["path"]))] = target["name"]
    return out


def commands(build: str) -> dict[str, list[str]]:
    """Test name -> its command line, from the CTestTestfile.cmake files (ctest's
    JSON leaves out the command of a test whose program is not built yet)."""
    out = {}
    add_test = re.compile(r'^add_test\(\[=\[(.*?)\]=\] (.*)\)$')
    for path in glob.glob(os.path.join(build, "**", "CTestTestfile.cmake"), recursive=True):
        with open(path) as f:
            for line in f:
                m = add_test.match(line.strip())
                if m:
                    out[m.group(1)] = re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(2))
    return out


def main() -> int:
    if len(sys.argv) != 2:
        print("usage: test_targets.py BUILD < ctest-json", file=sys.stderr)
        return 2
    build = os.path.realpath(sys.argv[1])
    built = artifacts(build)
    command = commands(build)
    tests = json.load(sys.stdin)["tests"]
    if not tests:
        print("test_targets: no test selected", file=sys.stderr)
        return 1
    targets = set()
    for test in tests:
        words = list(command.get(test["name"], []))
        for prop in test.get("properties", []):
            if prop["name"] == "ENVIRONMENT":
                words += [v.split("=", 1)[1] for v in prop["value"] if "=" in v]
        mine = {built[p] for p in map(os.path.realpath, words) if p in built}
        if not mine:
            print(f"test_targets: {test['name']} runs no program of {build}", file=sys.stderr)
            return 1
        targets |= mine
    print("\n".join(sorted(targets)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
