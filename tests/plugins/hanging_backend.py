"""The NumPy reference whose ``exp`` never returns: a plugin that hangs in one op.

``kconform run --timeout S`` must kill its session after S seconds in the
``exp`` case, mark that case ``timeout`` and the backend's remaining cases
``not-run``, and run every other backend in full (tests/cli/test_run.py).
"""

from __future__ import annotations

import time

from numpy_based import numpy_hooks

globals().update(numpy_hooks("hanging"))


def kconform_exp(x):
    """Hangs: sleeps forever (a deadlock, a lost device, an infinite loop)."""
    while True:
        time.sleep(3600)
