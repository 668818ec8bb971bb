"""Agent CLIs from npm, installed once into a cache directory of the build tree.

Each package is installed with `npm install --prefix <cache>/<name>` at an
exact version and reused while its binary still reports that version. When
npm or the registry cannot be reached, Unavailable is raised and the suite
that needed the CLI is skipped.
"""

import os
import shutil
import subprocess
import tempfile


class Unavailable(Exception):
    """The CLI cannot be had here (no npm, no network): its suite is skipped."""


def reported_version(binary):
    """What `binary --version` prints (stripped), or None when it cannot run."""
    try:
        out = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=60,
                             stdin=subprocess.DEVNULL,
                             env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": tempfile.gettempdir()})
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() if out.returncode == 0 else None


def newest_version(package):
    """The registry's latest version of package, or None when npm cannot tell."""
    npm = shutil.which("npm")
    if not npm:
        return None
    try:
        out = subprocess.run([npm, "view", package, "version"], capture_output=True, text=True, timeout=120,
                             stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return None
    version = out.stdout.strip()
    return version if out.returncode == 0 and version else None


def _registry_reachable(npm):
    try:
        return subprocess.run([npm, "ping", "--fetch-retries=0", "--fetch-timeout=15000"], capture_output=True,
                              timeout=30, stdin=subprocess.DEVNULL).returncode == 0
    except subprocess.TimeoutExpired:
        return False


def ensure(prefix, package, version, binaries, expect):
    """The first of binaries (paths relative to prefix) whose `--version` output
    contains expect; npm-installs package@version into prefix when none does."""

    def runnable():
        for relative in binaries:
            binary = os.path.join(prefix, relative)
            if os.path.exists(binary) and expect in (reported_version(binary) or ""):
                return binary
        return None

    found = runnable()
    if found:
        return found
    npm = shutil.which("npm")
    if not npm:
        raise Unavailable(f"npm is not installed, so {package} cannot be installed")
    os.makedirs(prefix, exist_ok=True)
    # Without the registry npm retries every package for a minute before it falls back
    # to its cache: from the cache alone, then, and at once.
    offline = [] if _registry_reachable(npm) else ["--offline"]
    try:
        out = subprocess.run([npm, "install", "--prefix", prefix, "--no-audit", "--no-fund", *offline,
                              f"{package}@{version}"], capture_output=True, text=True, timeout=600,
                             stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise Unavailable(f"npm install of {package}@{version} took more than 10 minutes (registry unreachable?)")
    if out.returncode != 0:
        tail = "\n".join((out.stderr or out.stdout).strip().splitlines()[-5:])
        raise Unavailable(f"npm could not install {package}@{version}:\n{tail}")
    found = runnable()
    if not found:
        raise Unavailable(f"{package}@{version} installed but no binary reporting {expect!r} was found")
    return found
