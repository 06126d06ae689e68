"""`python -m samenspel.cli`."""

import sys

from samenspel.cli import main

sys.exit(main())
