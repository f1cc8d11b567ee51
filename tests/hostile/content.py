#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""XML and HTML content: hostile and broken documents are parsed in bounded
time and memory, keep what can be kept, and never read local files or the
network.

Cases of the hostile-world suite (tests/hostile/harness.py, docs/SECURITY.md).
"""

import sys

from harness import *  # noqa: F401,F403

if __name__ == "__main__":
    sys.exit(main())
