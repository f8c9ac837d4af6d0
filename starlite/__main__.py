"""``python -m starlite``: the same command as ``starlite`` (see :mod:`starlite.cli`)."""

from __future__ import annotations

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
