#!/usr/bin/env python3
"""Writes every `expr:` of the CEL conformance files as one seed file each.

usage: cel_seeds.py CONFORMANCE_DIR OUT_DIR
The seeds stay outside the repository (the data is used in place).
"""
import os
import re
import sys

STRING = re.compile(r'''expr:\s*((?:"(?:[^"\\]|\\.)*"\s*|'(?:[^'\\]|\\.)*'\s*)+)''')
PART = re.compile(r'''"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)\'''')


def unescape(body: str) -> bytes:
    # Text-format strings use C escapes; octal and \x denote bytes.
    return body.encode("latin-1", "backslashreplace").decode("unicode_escape").encode("utf-8", "surrogatepass")


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    src, out = sys.argv[1], sys.argv[2]
    if not os.path.isdir(src):
        print(f"no conformance data at {src}: no seeds written")
        return 0
    os.makedirs(out, exist_ok=True)
    count = 0
    for name in sorted(os.listdir(src)):
        if not name.endswith(".textproto"):
            continue
        with open(os.path.join(src, name), encoding="utf-8") as f:
            text = f.read()
        for m in STRING.finditer(text):
            parts = [a if a is not None else b for a, b in PART.findall(m.group(1))]
            try:
                data = b"".join(unescape(p) for p in parts)
            except (UnicodeDecodeError, UnicodeEncodeError):
                continue
            with open(os.path.join(out, f"seed-{count:05d}"), "wb") as f:
                f.write(data)
            count += 1
    print(f"wrote {count} seeds to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
