#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The table of docs/SECURITY.md: each promise, the cases that test it.

  table.py             check that docs/SECURITY.md holds the current table
                       (a test: a case added, renamed or reworded without
                       the document following fails it)
  table.py --write     rewrite the table in docs/SECURITY.md
  table.py --print     print it

The table sits between two marker comments; everything else in the
document is written by hand.
"""

import importlib
import os
import sys

import harness

CATEGORIES = ("terminal", "commands", "content", "network", "storage", "process")
BEGIN = "<!-- hostile cases: begin (tests/hostile/table.py --write) -->"
END = "<!-- hostile cases: end -->"


def table():
    lines = []
    for name in CATEGORIES:
        module = importlib.import_module(name)
        promise = " ".join(module.__doc__.split("\n\n")[0].split())
        cases = [c for c in harness._cases if c[0] == name]
        number = CATEGORIES.index(name) + 1
        lines.append(f"### Promise {number}: {name} ({len(cases)} cases, "
                     f"tests/hostile/{name}.py)")
        lines.append("")
        lines.append(promise)
        lines.append("")
        lines.append("| case | what it proves |")
        lines.append("|---|---|")
        for _, case_name, case_promise, _ in cases:
            text = " ".join(case_promise.split()).replace("|", "\\|")
            text = text.replace("<", "&lt;").replace(">", "&gt;")
            lines.append(f"| `{case_name}` | {text} |")
        lines.append("")
    names = [c[1] for c in harness._cases]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise SystemExit(f"table.py: case names used twice: {', '.join(dup)}")
    lines.insert(0, f"{len(names)} cases in all.")
    lines.insert(1, "")
    return "\n".join(lines)


def main():
    top = os.environ.get("top_srcdir") or os.path.join(os.path.dirname(__file__), "..", "..")
    doc_path = os.path.join(top, "docs", "SECURITY.md")
    text = table()
    if sys.argv[1:] == ["--print"]:
        print(text)
        return 0
    with open(doc_path, encoding="utf-8") as f:
        doc = f.read()
    try:
        head, rest = doc.split(BEGIN, 1)
        _, tail = rest.split(END, 1)
    except ValueError:
        print(f"table.py: {doc_path} lacks the table's markers")
        return 1
    wanted = f"{head}{BEGIN}\n{text}\n{END}{tail}"
    if sys.argv[1:] == ["--write"]:
        with open(doc_path, "w", encoding="utf-8") as f:
            f.write(wanted)
        return 0
    if wanted != doc:
        print(f"table.py: the table in {doc_path} is out of date: "
              "run tests/hostile/table.py --write")
        return 1
    print(f"the table of {doc_path} lists all {len(harness._cases)} cases")
    return 0


if __name__ == "__main__":
    sys.exit(main())
