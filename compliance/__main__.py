"""``python -m compliance``: see compliance/cli.py."""

import sys

from compliance.cli import main

sys.exit(main())
