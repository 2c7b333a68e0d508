"""The NumPy reference whose ``tanh`` ends the interpreter with ``os._exit(0)``.

No exception, no signal, exit code 0: ``kconform run`` must still see that the
session ended before finishing its records, mark the ``tanh`` case
``crashed`` and the backend's remaining cases ``not-run`` (tests/cli/test_run.py).
"""

from __future__ import annotations

import os

from numpy_based import numpy_hooks

globals().update(numpy_hooks("exiting"))


def kconform_tanh(x):
    """Quits: a library that calls ``_exit`` on an internal error."""
    os._exit(0)
