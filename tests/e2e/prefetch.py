#!/usr/bin/env python3
"""Installs every agent CLI the end-to-end suites drive into the e2e cache, in
parallel, so that a build can fetch them while it compiles (the suites would
install them on first use anyway).

usage: prefetch.py CACHE_DIR
Prints one line per CLI; exits 0 even when one cannot be had (its suite skips).
"""
import os
import sys
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import agent_harness  # noqa: E402
import harness  # noqa: E402
from npm_cache import Unavailable  # noqa: E402


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    cache = os.path.abspath(sys.argv[1])
    jobs = {"claude": lambda: harness.ensure_claude(cache)[0]}
    for name, agent in agent_harness.AGENTS.items():
        jobs[name] = lambda agent=agent: agent.ensure(cache)

    def fetch(item):
        name, job = item
        try:
            return f"{name}: {job()}"
        except Unavailable as e:
            return f"{name}: unavailable ({e})"

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        for line in pool.map(fetch, jobs.items()):
            print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
