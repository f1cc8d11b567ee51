#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Terminal output: no byte of a feed, a server reply, a cache row or a config
file reaches the terminal as an escape sequence, on any output path (the
reader, every CLI command, stderr, the window title).

Cases of the hostile-world suite (tests/hostile/harness.py, docs/SECURITY.md).
"""

import sys

from harness import *  # noqa: F401,F403

if __name__ == "__main__":
    sys.exit(main())
