#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Command execution and URLs: feed data never reaches a shell and is only ever
one argv element; only http(s) URLs are opened, fetched, copied or followed.

Cases of the hostile-world suite (tests/hostile/harness.py, docs/SECURITY.md).
"""

import sys

from harness import *  # noqa: F401,F403

if __name__ == "__main__":
    sys.exit(main())
