#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Network faults: a hostile or broken server costs one feed its refresh, with
a clear error, while the other feeds of the same refresh still succeed.

Cases of the hostile-world suite (tests/hostile/harness.py, docs/SECURITY.md).
"""

import sys

from harness import *  # noqa: F401,F403

if __name__ == "__main__":
    sys.exit(main())
