#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Process faults: signals, resizes, odd terminals and resource limits leave
the terminal restored and the store consistent.

Cases of the hostile-world suite (tests/hostile/harness.py, docs/SECURITY.md).
"""

import sys

from harness import *  # noqa: F401,F403

if __name__ == "__main__":
    sys.exit(main())
