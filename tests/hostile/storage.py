#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Storage faults: crashes, full disks, damaged and read-only databases never
lose committed articles or read state, and say what happened.

Cases of the hostile-world suite (tests/hostile/harness.py, docs/SECURITY.md).
"""

import sys

from harness import *  # noqa: F401,F403

if __name__ == "__main__":
    sys.exit(main())
