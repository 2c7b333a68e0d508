"""``python -m kconform.golden``: regenerate the shipped golden records."""

import sys

from . import main

raise SystemExit(main(sys.argv[1:]))
