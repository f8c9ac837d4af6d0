"""``python -m codemode``: the same as the ``starlite-codemode`` command."""

import sys

from .cli import main

sys.exit(main())
