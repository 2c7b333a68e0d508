"""The NumPy reference whose ``tanh`` aborts the interpreter (a segfault's cousin).

``kconform run`` must mark the ``tanh`` case ``crashed`` with the signal and
the session's last stderr lines, the backend's remaining cases ``not-run``,
and run every other backend in full (tests/cli/test_run.py).
"""

from __future__ import annotations

import os

from numpy_based import numpy_hooks

globals().update(numpy_hooks("crashing"))


def kconform_tanh(x):
    """Crashes: SIGABRT, as a native extension's failed assertion would."""
    os.abort()
