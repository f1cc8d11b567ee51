#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Checks a conformance run's JSON report against issue 2's bar: no errors
(crash, time-out, invalid JSON) at all, and every folder at least 90%."""
import collections
import json
import sys


def main(path):
    report = json.load(open(path, encoding="utf-8"))
    folders = collections.defaultdict(collections.Counter)
    for test in report["tests"]:
        folder = test["path"].rsplit("/", 1)[0]
        folders[folder][test["status"]] += 1
    bad = 0
    for folder, counts in sorted(folders.items()):
        judged = counts["PASS"] + counts["FAIL"] + counts["ERROR"]
        if counts["ERROR"]:
            print(f"{folder}: {counts['ERROR']} errors")
            bad += 1
        if judged and counts["PASS"] / judged < 0.9:
            print(f"{folder}: {counts['PASS']}/{judged} below 90%")
            bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
